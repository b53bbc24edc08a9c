"""Cached reads of the objections during 公示 (keyed by the database URL); an objection or an answer clears
them ("voting.objections"; an answer that voids a case clears the whole vote area)."""

from __future__ import annotations

import pandas as pd

from components import store
from components.caching import cached
from db.access import Actor
from db.errors import DomainError
from db.voting import objections


@cached("voting.objections")
def public_objections(url: str, campaign_id: int) -> dict[str, pd.DataFrame] | None:
    try:
        return objections.public_objections(store.engine_for(url), campaign_id)
    except DomainError:
        return None


@cached("voting.objections")
def staff_objections(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return objections.list_objections(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@cached("voting.objections")
def voided_cases(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return objections.voided_cases(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@cached("voting.objections")
def pending_counts(url: str, actor: Actor) -> dict[int, int]:
    return objections.pending_counts(store.engine_for(url), actor=actor)


@cached("voting.objections")
def objectable_cases(url: str, campaign_id: int) -> pd.DataFrame:
    return objections.objectable_cases(store.engine_for(url), campaign_id)
