"""Cached reads of the 社区营造 area (store.url() first); its writes clear "community". The lists show each
pipeline project's stage, so a pipeline write clears them too."""

from __future__ import annotations

import pandas as pd

from components import caching, store
from components.caching import cached
from db.access import Actor
from db.community import councils, dashboard, proposals, public, ratings
from db.community import photos as community_photos
from db.community.proposals import ProposalFilter, ProposalSummary

caching.depends("community", "pipeline")


@cached("community")
def community_tree(url: str) -> pd.DataFrame:
    return public.community_tree(store.engine_for(url))


@cached("community", ttl=60)  # public: a new proposal shows within a minute on other instances
def board(url: str, community_id: int, year: int | None, state: str | None) -> pd.DataFrame:
    return public.board(store.engine_for(url), community_id=community_id, year=year, state=state)


@cached("community", ttl=60)
def board_summary(url: str, community_id: int, year: int | None) -> ProposalSummary:
    return public.board_summary(store.engine_for(url), community_id=community_id, year=year)


@cached("community")
def board_years(url: str, community_id: int) -> list[int]:
    return public.board_years(store.engine_for(url), community_id=community_id)


@cached("community")
def staff_communities(url: str, actor: Actor) -> pd.DataFrame:
    return proposals.communities(store.engine_for(url), actor=actor)


@cached("community")
def staff_years(url: str, actor: Actor) -> list[int]:
    return proposals.years(store.engine_for(url), actor=actor)


@cached("community")
def staff_list(url: str, actor: Actor, filters: ProposalFilter, limit: int | None = None) -> pd.DataFrame:
    return proposals.list_proposals(store.engine_for(url), actor=actor, filters=filters, limit=limit)


@cached("community")
def staff_count(url: str, actor: Actor, filters: ProposalFilter) -> int:
    return proposals.count_proposals(store.engine_for(url), actor=actor, filters=filters)


@cached("community")
def staff_summary(url: str, actor: Actor, filters: ProposalFilter) -> ProposalSummary:
    return proposals.summary(store.engine_for(url), actor=actor, filters=filters)


@cached("community")
def meetings(url: str, actor: Actor, community_id: int | None, year: int | None, limit: int | None = None
             ) -> pd.DataFrame:
    return councils.list_meetings(store.engine_for(url), actor=actor, community_id=community_id, year=year,
                                  limit=limit)


@cached("community")
def meeting_count(url: str, actor: Actor, community_id: int | None, year: int | None) -> int:
    return councils.count_meetings(store.engine_for(url), actor=actor, community_id=community_id, year=year)


@cached("community", "pipeline")
def proposal_for_project(url: str, actor: Actor, project_id: int) -> proposals.ProposalLink | None:
    return proposals.proposal_for_project(store.engine_for(url), actor=actor, project_id=project_id)


@cached("community", ttl=60)  # public: a new rating shows within a minute on other instances
def rating_summaries(url: str, proposal_ids: tuple[int, ...]) -> pd.DataFrame:
    return ratings.summaries(store.engine_for(url), list(proposal_ids))


@cached("community", ttl=60)
def rating_comments(url: str, proposal_ids: tuple[int, ...]) -> pd.DataFrame:
    return ratings.comments(store.engine_for(url), list(proposal_ids))


@cached("community", ttl=60)
def rateable(url: str, proposal_id: int) -> dict | None:
    return public.rateable(store.engine_for(url), proposal_id=proposal_id)


@cached("community", ttl=300)
def dashboard_units(url: str, actor: Actor) -> pd.DataFrame:
    return dashboard.scope_units(store.engine_for(url), actor=actor)


@cached("community", ttl=300, max_entries=64)
def dashboard_of(url: str, actor: Actor, year: int | None) -> dashboard.CommunityDashboard:
    return dashboard.dashboard(store.engine_for(url), actor=actor, year=year)


@cached("community", ttl=60)
def photos(url: str, proposal_ids: tuple[int, ...]) -> pd.DataFrame:
    return community_photos.photos_of(store.engine_for(url), list(proposal_ids))
