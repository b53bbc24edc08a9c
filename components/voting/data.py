"""Cached reads of the vote area (keyed by the database URL); the writes clear them."""

from __future__ import annotations

import pandas as pd

from components import store
from components.caching import cached
from db.access import Actor
from db.errors import DomainError
from db.voting import campaigns as voting
from db.voting import public as vote_public
from db.voting import results as vote_results
from db.voting import review as vote_review


@cached("voting.campaigns")
def public_campaigns(url: str) -> list[voting.CampaignPublic]:
    return vote_public.public_campaigns(store.engine_for(url))


@cached("voting.campaigns")
def public_cases(url: str, campaign_id: int) -> pd.DataFrame:
    return vote_public.public_cases(store.engine_for(url), campaign_id)


@cached("voting.votes", ttl=30)  # "live": other voters' votes show within half a minute
def public_tally(url: str, campaign_id: int) -> dict[int, int] | None:
    try:
        frame = vote_public.public_tally(store.engine_for(url), campaign_id)
    except DomainError:
        return None
    return {int(c): int(v) for c, v in zip(frame["case_id"], frame["votes"])}


@cached("voting.campaigns")
def public_results(url: str, campaign_id: int) -> pd.DataFrame | None:
    try:
        return vote_public.public_results(store.engine_for(url), campaign_id)
    except DomainError:
        return None


@cached("voting.campaigns", per_scope=True)
def campaigns(url: str, actor: Actor) -> pd.DataFrame:
    return voting.list_campaigns(store.engine_for(url), actor=actor)


@cached("voting.campaigns", per_scope=True)
def admin_cases(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return voting.admin_cases(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@cached("voting.votes", per_scope=True)
def summary(url: str, actor: Actor, campaign_id: int) -> dict[str, int]:
    return vote_review.summary(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@cached("voting.votes", per_scope=True)
def hourly(url: str, actor: Actor, campaign_id: int, case_id: int | None) -> pd.DataFrame:
    return vote_review.hourly(store.engine_for(url), actor=actor, campaign_id=campaign_id, case_id=case_id)


@cached("voting.votes", per_scope=True)
def anomalies(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return vote_review.anomalies(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@cached("voting.votes", per_scope=True)
def ranking(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return vote_results.ranking(store.engine_for(url), actor=actor, campaign_id=campaign_id)
