"""What the public vote page reads without an account: open and published campaigns, their cases,
the live tally and the published results."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import clock
from db.engine import reading
from db.errors import NotFound, PermissionDenied
from db.models.voting import Campaign, CampaignPublic, VoteCase
from db.voting import rollups
from db.voting.campaigns import campaign_public
from db.voting.rules import CASE_COLUMNS


def public_campaigns(engine: Engine) -> list[CampaignPublic]:
    """What anyone may see: every campaign past its draft, open ones first, then the newest."""
    now = clock.utcnow()
    with reading(engine) as session:
        rows = session.execute(select(Campaign).where(Campaign.status != "draft")
                               .order_by(Campaign.opens_at.desc(), Campaign.id.desc())).scalars().all()
        result = [campaign_public(c, now) for c in rows]
    return sorted(result, key=lambda c: c.phase != "open")


def public_campaign(engine: Engine, campaign_id: int) -> CampaignPublic:
    with reading(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status == "draft":
            raise NotFound("vote.error.no_campaign")
        return campaign_public(campaign)


def public_cases(engine: Engine, campaign_id: int) -> pd.DataFrame:
    """The cards: no expert scores and no counts (those follow the campaign's own rules)."""
    query = (select(*(getattr(VoteCase, c) for c in CASE_COLUMNS))
             .join(Campaign, Campaign.id == VoteCase.campaign_id)
             .where(VoteCase.campaign_id == campaign_id, Campaign.status != "draft")
             .order_by(VoteCase.sort_order, VoteCase.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=CASE_COLUMNS)


def public_tally(engine: Engine, campaign_id: int) -> pd.DataFrame:
    """Valid votes per case, only while the campaign shows a live tally."""
    campaign = public_campaign(engine, campaign_id)
    if not campaign.show_live_tally or campaign.status != "open":
        raise PermissionDenied("vote.error.tally_hidden")
    # stored up to the watermark, the votes above it live (db/voting/rollups.py)
    with rollups.opened(engine, campaign) as (conn, src):
        query = rollups.per_case_valid(src).order_by("case_id")
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["case_id", "votes"]).astype({"votes": "int64"})


def public_results(engine: Engine, campaign_id: int) -> pd.DataFrame:
    """The published ranking as frozen at publication; nothing before."""
    campaign = public_campaign(engine, campaign_id)
    if campaign.status != "published":
        raise NotFound("vote.error.not_published")
    query = (select(VoteCase.final_rank.label("rank"), VoteCase.title, VoteCase.organization, VoteCase.theme,
                    VoteCase.expert_score, VoteCase.final_votes.label("votes"), VoteCase.final_score.label("combined"),
                    VoteCase.winner)
             .where(VoteCase.campaign_id == campaign_id, VoteCase.final_rank.is_not(None))  # not a voided case
             .order_by(VoteCase.final_rank))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["rank", "title", "organization", "theme", "expert_score", "votes", "combined",
                                     "winner"])
