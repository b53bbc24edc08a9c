"""The ranking (public votes with the expert score) and its publication, frozen when published."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock, settings
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError
from db.models.voting import Campaign, Vote, VoteCase
from db.voting import review, rollups
from db.voting.campaigns import campaign_in_scope, readable_campaign
from db.voting.codes import local_day_hour

WINNERS = 10


RANKING_COLUMNS = ["rank", "case_id", "title", "organization", "theme", "expert_score", "expert_weight", "expert_part",
                   "votes", "top_votes", "public_index", "public_weight", "public_part", "combined", "winner"]


def compute_ranking(conn, campaign: Campaign) -> pd.DataFrame:
    """expert × expert weight + votes ÷ top votes × 100 × public weight, every column kept."""
    # valid votes per case from the stored roll-up (an open campaign's: up to its watermark, live above)
    votes = rollups.per_case_valid(rollups.source(conn, campaign)).subquery()
    rows = conn.execute(
        select(VoteCase.id.label("case_id"), VoteCase.title, VoteCase.organization, VoteCase.theme,
               VoteCase.expert_score, func.coalesce(votes.c.votes, 0).label("votes"))
        .outerjoin(votes, votes.c.case_id == VoteCase.id)
        .where(VoteCase.campaign_id == campaign.id, VoteCase.voided_at.is_(None))  # a voided result leaves it
    ).mappings().all()
    frame = pd.DataFrame(rows, columns=["case_id", "title", "organization", "theme", "expert_score", "votes"])
    if frame.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    frame["votes"] = frame["votes"].astype("int64")
    frame["expert_score"] = pd.to_numeric(frame["expert_score"])
    top = int(frame["votes"].max())
    frame["top_votes"] = top
    frame["expert_weight"], frame["public_weight"] = campaign.expert_weight, campaign.public_weight
    frame["expert_part"] = (frame["expert_score"] * campaign.expert_weight / 100).round(2)
    frame["public_index"] = (frame["votes"] / top * 100).round(2) if top else 0.0
    frame["public_part"] = (frame["public_index"] * campaign.public_weight / 100).round(2)
    frame["combined"] = (frame["expert_part"] + frame["public_part"]).round(2)
    frame = frame.sort_values(["combined", "expert_score", "votes", "case_id"],
                              ascending=[False, False, False, True], na_position="last", ignore_index=True)
    frame["rank"] = range(1, len(frame) + 1)
    frame["winner"] = frame["rank"] <= WINNERS
    return frame[RANKING_COLUMNS]


def ranking(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    campaign = readable_campaign(engine, actor, campaign_id)
    with rollups.opened(engine, campaign) as (conn, _):
        return compute_ranking(conn, campaign)


def store_publication(session, campaign: Campaign, now) -> pd.DataFrame:
    """Freeze the ranking into the cases and mark the campaign published with its notice period."""
    # stored again first when it is first published: on PostgreSQL a vote that passed the open check as the
    # campaign closed may have committed after the closing transaction stored them (a republication after an
    # upheld objection finds them final)
    if campaign.status != "published":
        rollups.store(session, campaign.id)
    frame = compute_ranking(session, campaign)
    for row in frame.itertuples():
        session.execute(update(VoteCase).where(VoteCase.id == row.case_id).values(
            final_rank=row.rank, final_votes=row.votes, final_score=row.combined, winner=bool(row.winner)))
    campaign.status, campaign.published_at = "published", now
    campaign.notice_until = local_day_hour(now)[0] + timedelta(days=campaign.notice_days)
    return frame


def publish(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    require(actor, "voting.manage")
    now = clock.utcnow()
    with transaction(engine) as session:
        campaign = campaign_in_scope(session, actor, campaign_id)
        if campaign.status != "closed":
            raise DomainError("vote.error.status_not_closed")
        missing = session.execute(select(func.count()).where(VoteCase.campaign_id == campaign_id,
                                                             VoteCase.expert_score.is_(None))).scalar_one()
        if missing:
            raise DomainError("vote.error.scores_missing", missing=int(missing))
        frame = store_publication(session, campaign, now)
        audit.record(session, actor=actor, action="vote_publish", entity="campaign", entity_id=campaign_id,
                     after={"notice_until": campaign.notice_until,
                            "winners": frame.loc[frame["winner"], "title"].tolist()})
    return frame


def result_frames(engine: Engine, *, actor: Actor, campaign_id: int) -> dict[str, pd.DataFrame]:
    """The workbook's sheets, raw column names: ranking, votes per day, flags, voided votes."""
    campaign = readable_campaign(engine, actor, campaign_id)
    with rollups.opened(engine, campaign) as (conn, _):
        rank = compute_ranking(conn, campaign)
        daily = review.daily(conn, campaign)
        voided = pd.DataFrame(conn.execute(
            select(VoteCase.title, Vote.void_reason, func.count().label("votes"), func.min(Vote.voided_at).label("voided_at"))
            .join(VoteCase, VoteCase.id == Vote.case_id)
            .where(Vote.campaign_id == campaign_id, Vote.status == "void")
            .group_by(VoteCase.title, Vote.void_reason)).mappings().all(),
            columns=["title", "void_reason", "votes", "voided_at"])
    voided["voided_at"] = pd.to_datetime(voided["voided_at"], utc=True).dt.tz_convert(settings.timezone()).dt.tz_localize(None)
    return {"ranking": rank, "daily": daily, "voided": voided,
            "anomalies": review.anomalies(engine, actor=actor, campaign_id=campaign_id)}
