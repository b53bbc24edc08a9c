"""Cached reads of the vote area (keyed by the database URL); the writes clear them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import store
from components.overview import data as overview_data
from db.access import Actor
from db.errors import DomainError
from db.voting import campaigns as voting
from db.voting import public as vote_public
from db.voting import results as vote_results
from db.voting import review as vote_review


@st.cache_data(ttl=600, show_spinner=False)
def public_campaigns(url: str) -> list[voting.CampaignPublic]:
    return vote_public.public_campaigns(store.engine_for(url))


@st.cache_data(ttl=600, show_spinner=False)
def public_cases(url: str, campaign_id: int) -> pd.DataFrame:
    return vote_public.public_cases(store.engine_for(url), campaign_id)


@st.cache_data(ttl=30, show_spinner=False)  # "live": other voters' votes show within half a minute
def public_tally(url: str, campaign_id: int) -> dict[int, int] | None:
    try:
        frame = vote_public.public_tally(store.engine_for(url), campaign_id)
    except DomainError:
        return None
    return {int(c): int(v) for c, v in zip(frame["case_id"], frame["votes"])}


@st.cache_data(ttl=600, show_spinner=False)
def public_results(url: str, campaign_id: int) -> pd.DataFrame | None:
    try:
        return vote_public.public_results(store.engine_for(url), campaign_id)
    except DomainError:
        return None


@st.cache_data(ttl=600, show_spinner=False)
def campaigns(url: str, actor: Actor) -> pd.DataFrame:
    return voting.list_campaigns(store.engine_for(url), actor=actor)


@st.cache_data(ttl=600, show_spinner=False)
def admin_cases(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return voting.admin_cases(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@st.cache_data(ttl=600, show_spinner=False)
def summary(url: str, actor: Actor, campaign_id: int) -> dict[str, int]:
    return vote_review.summary(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@st.cache_data(ttl=600, show_spinner=False)
def hourly(url: str, actor: Actor, campaign_id: int, case_id: int | None) -> pd.DataFrame:
    return vote_review.hourly(store.engine_for(url), actor=actor, campaign_id=campaign_id, case_id=case_id)


@st.cache_data(ttl=600, show_spinner=False)
def anomalies(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return vote_review.anomalies(store.engine_for(url), actor=actor, campaign_id=campaign_id)


@st.cache_data(ttl=600, show_spinner=False)
def ranking(url: str, actor: Actor, campaign_id: int) -> pd.DataFrame:
    return vote_results.ranking(store.engine_for(url), actor=actor, campaign_id=campaign_id)


def clear_votes() -> None:
    """After votes were cast or voided."""
    for reader in (public_tally, summary, hourly, anomalies, ranking):
        reader.clear()
    overview_data.clear()


def clear_all() -> None:
    """After a campaign or case changed."""
    clear_votes()
    for reader in (public_campaigns, public_cases, public_results, campaigns, admin_cases):
        reader.clear()
