"""Reviewing the votes cast: the summary, hourly counts, anomaly flags, and voiding votes with a reason."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError
from db.models.voting import Vote, VoteCase
from db.validation import OneLine, validate
from db.voting.campaigns import campaign_in_scope, readable_campaign

# A burst: an hour holding at least BURST_FACTOR times the case's median busy hour, and BURST_MIN votes.
BURST_FACTOR, BURST_MIN = 8, 50
# One address: at least ADDRESS_SHARE of a case's votes, and ADDRESS_MIN votes.
ADDRESS_SHARE, ADDRESS_MIN = 0.20, 30
# Night (00:00-05:59 local): a share at least NIGHT_FACTOR times the campaign's, and NIGHT_MIN votes.
NIGHT_HOURS, NIGHT_FACTOR, NIGHT_MIN = range(0, 6), 3.0, 30

ANOMALY_COLUMNS = ["kind", "case_id", "title", "day", "hour", "ip_key", "votes", "valid", "case_votes", "baseline",
                   "share", "reference"]


# --- reads --------------------------------------------------------------------------------------


def summary(engine: Engine, *, actor: Actor, campaign_id: int) -> dict[str, int]:
    readable_campaign(engine, actor, campaign_id)
    query = select(
        func.coalesce(func.sum(case((Vote.status == "valid", 1), else_=0)), 0).label("valid"),
        func.coalesce(func.sum(case((Vote.status == "void", 1), else_=0)), 0).label("void"),
        func.count(func.distinct(Vote.voter_key)).label("voters"),
        func.count(func.distinct(Vote.ip_key)).label("addresses"),
    ).where(Vote.campaign_id == campaign_id)
    with engine.connect() as conn:
        return {k: int(v) for k, v in conn.execute(query).mappings().one().items()}


def _hour_buckets(conn, campaign_id: int, case_id: int | None = None) -> pd.DataFrame:
    query = (select(Vote.case_id, Vote.day, Vote.hour, func.count().label("votes"),
                    func.sum(case((Vote.status == "valid", 1), else_=0)).label("valid"))
             .where(Vote.campaign_id == campaign_id)
             .group_by(Vote.case_id, Vote.day, Vote.hour))
    if case_id is not None:
        query = query.where(Vote.case_id == case_id)
    frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=["case_id", "day", "hour", "votes", "valid"])
    return frame.astype({"votes": "int64", "valid": "int64"})


def hourly(engine: Engine, *, actor: Actor, campaign_id: int, case_id: int | None = None) -> pd.DataFrame:
    """Votes per hour (local), all cases together or one case: at, votes, valid."""
    readable_campaign(engine, actor, campaign_id)
    with engine.connect() as conn:
        frame = _hour_buckets(conn, campaign_id, case_id)
    frame = frame.groupby(["day", "hour"], as_index=False)[["votes", "valid"]].sum()
    frame["at"] = pd.to_datetime(frame["day"]) + pd.to_timedelta(frame["hour"], unit="h")
    return frame.sort_values("at")[["at", "day", "hour", "votes", "valid"]].reset_index(drop=True)


# --- anomaly flags ------------------------------------------------------------------------------

def anomalies(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    """Flags with their reason: kind burst|address|night, the bucket, its votes and the yardstick."""
    readable_campaign(engine, actor, campaign_id)
    with engine.connect() as conn:
        buckets = _hour_buckets(conn, campaign_id)
        titles = dict(conn.execute(select(VoteCase.id, VoteCase.title).where(VoteCase.campaign_id == campaign_id)).all())
        address_rows = conn.execute(
            select(Vote.case_id, Vote.ip_key, func.count().label("votes"),
                   func.sum(case((Vote.status == "valid", 1), else_=0)).label("valid"))
            .where(Vote.campaign_id == campaign_id).group_by(Vote.case_id, Vote.ip_key)
            .having(func.count() >= ADDRESS_MIN)).mappings().all()
    flags: list[dict] = []
    if buckets.empty:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    totals = buckets.groupby("case_id")["votes"].sum()
    for case_id, group in buckets.groupby("case_id"):
        baseline = float(group["votes"].median())
        threshold = max(BURST_FACTOR * baseline, BURST_MIN)
        for row in group[group["votes"] >= threshold].itertuples():
            flags.append({"kind": "burst", "case_id": case_id, "day": row.day, "hour": row.hour, "votes": row.votes,
                          "valid": row.valid, "baseline": round(baseline, 1), "share": None, "reference": None})
    for row in address_rows:
        share = row["votes"] / totals.get(row["case_id"], 1)
        if share >= ADDRESS_SHARE:
            flags.append({"kind": "address", "case_id": row["case_id"], "ip_key": bytes(row["ip_key"]).hex(), "votes": row["votes"],
                          "valid": int(row["valid"]), "share": round(share, 4), "reference": ADDRESS_SHARE})
    night = buckets[buckets["hour"].isin(NIGHT_HOURS)]
    overall = night["votes"].sum() / max(int(totals.sum()), 1)
    for case_id, group in night.groupby("case_id"):
        votes, share = int(group["votes"].sum()), group["votes"].sum() / totals[case_id]
        if votes >= NIGHT_MIN and share >= max(NIGHT_FACTOR * overall, overall + 0.10):
            flags.append({"kind": "night", "case_id": case_id, "votes": votes, "valid": int(group["valid"].sum()),
                          "share": round(share, 4), "reference": round(overall, 4)})
    frame = pd.DataFrame(flags).reindex(columns=ANOMALY_COLUMNS)
    frame["title"] = frame["case_id"].map(titles)
    frame["case_votes"] = frame["case_id"].map(totals).astype("int64")
    frame["case_id"] = frame["case_id"].astype("int64")
    order = {"burst": 0, "address": 1, "night": 2}
    return frame.sort_values(["case_id", "kind"], key=lambda s: s.map(order) if s.name == "kind" else s,
                             ignore_index=True)


# --- voiding ------------------------------------------------------------------------------------

class VoidInput(BaseModel):
    case_id: int = Field(gt=0)
    kind: str = Field(pattern=r"^(burst|address)$")
    day: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    hour: int | None = Field(default=None, ge=0, le=23)
    ip_key: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    reason: Annotated[str, OneLine] = Field(min_length=4, max_length=200)


def void_votes(engine: Engine, *, actor: Actor, campaign_id: int, data: dict) -> int:
    """Void the valid votes of one flagged bucket (a case's hour, or a case's address) with a reason.

    Rows are kept, marked void with the reason, who and when; one audit row records the selection.
    """
    require(actor, "voting.manage")
    payload = validate(VoidInput, {**data, "day": str(data["day"]) if data.get("day") is not None else None})
    if payload.kind == "burst" and (payload.day is None or payload.hour is None):
        raise DomainError("vote.error.void_selection", field="day")
    if payload.kind == "address" and payload.ip_key is None:
        raise DomainError("vote.error.void_selection", field="ip_key")
    now = clock.utcnow()
    with transaction(engine) as session:
        campaign = campaign_in_scope(session, actor, campaign_id)
        if campaign.status != "closed":
            raise DomainError("vote.error.void_needs_closed")
        where = [Vote.campaign_id == campaign_id, Vote.case_id == payload.case_id, Vote.status == "valid"]
        if payload.kind == "burst":
            where += [Vote.day == pd.Timestamp(payload.day).date(), Vote.hour == payload.hour]
        else:
            where.append(Vote.ip_key == bytes.fromhex(payload.ip_key))
        count = session.execute(update(Vote).where(and_(*where)).values(
            status="void", void_reason=payload.reason, voided_at=now, voided_by=actor.user_id)).rowcount
        if not count:
            raise DomainError("vote.error.void_nothing")
        audit.record(session, actor=actor, action="vote_void", entity="campaign", entity_id=campaign_id,
                     after={**payload.model_dump(), "voided": count})
    return count


# --- ranking and publication --------------------------------------------------------------------


