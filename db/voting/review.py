"""Reviewing the votes cast: the summary, hourly counts, anomaly flags, and voiding votes with a reason."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError
from db.models.voting import Vote, VoteCase
from db.validation import OneLine, validate
from db.voting import rollups
from db.voting.campaigns import campaign_in_scope, readable_campaign
from db.voting.rules import (  # noqa: F401 (BURST_FACTOR: the review page words the reason with it)
    ADDRESS_SHARE,
    BURST_FACTOR,
    BURST_MIN,
    NIGHT_FACTOR,
    NIGHT_HOURS,
    NIGHT_MIN,
)

ANOMALY_COLUMNS = ["kind", "case_id", "title", "day", "hour", "ip_key", "votes", "valid", "case_votes", "baseline",
                   "share", "reference"]


# --- reads --------------------------------------------------------------------------------------
#
# A closed or published campaign is read from its stored roll-up (db/voting/rollups.py), an open one from
# its stored figures up to a watermark and its votes above it; live=True reads every vote whatever the status
# (the tests compare the two).


def summary(engine: Engine, *, actor: Actor, campaign_id: int, live: bool = False) -> dict[str, int]:
    campaign = readable_campaign(engine, actor, campaign_id)
    with rollups.opened(engine, campaign, live) as (conn, src):
        query = rollups.summary(src)
        return {k: int(v) for k, v in conn.execute(query).mappings().one().items()}


def _hour_buckets(conn, src: rollups.Source, case_id: int | None = None) -> pd.DataFrame:
    query = rollups.hours(src, case_id).order_by("case_id", "day", "hour")
    # plain tuples: a frame built from 10,000 SQLAlchemy rows (mappings, or rows probed by pandas) cost more
    # than the query
    frame = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["case_id", "day", "hour", "votes", "valid"])
    return frame.astype({"votes": "int64", "valid": "int64"})


def _hours(conn, src: rollups.Source, case_id: int | None = None) -> pd.DataFrame:
    """day, hour, votes, valid summed over the cases (or of one case) in SQL: a few hundred rows."""
    buckets = rollups.hours(src, case_id).subquery()
    query = (select(buckets.c.day, buckets.c.hour, func.sum(buckets.c.votes), func.sum(buckets.c.valid))
             .group_by(buckets.c.day, buckets.c.hour).order_by(buckets.c.day, buckets.c.hour))
    frame = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["day", "hour", "votes", "valid"])
    return frame.astype({"hour": "int64", "votes": "int64", "valid": "int64"})


def hourly(engine: Engine, *, actor: Actor, campaign_id: int, case_id: int | None = None,
           live: bool = False) -> pd.DataFrame:
    """Votes per hour (local), all cases together or one case: at, votes, valid."""
    campaign = readable_campaign(engine, actor, campaign_id)
    with rollups.opened(engine, campaign, live) as (conn, src):
        frame = _hours(conn, src, case_id)
    frame["at"] = pd.to_datetime(frame["day"]) + pd.to_timedelta(frame["hour"], unit="h")
    return frame[["at", "day", "hour", "votes", "valid"]]


def daily(conn, campaign) -> pd.DataFrame:
    """Votes and valid votes per local day (the results workbook)."""
    hours = _hours(conn, rollups.source(conn, campaign))
    return hours.groupby("day", as_index=False)[["votes", "valid"]].sum()[["day", "votes", "valid"]]


# --- anomaly flags ------------------------------------------------------------------------------

def anomalies(engine: Engine, *, actor: Actor, campaign_id: int, live: bool = False) -> pd.DataFrame:
    """Flags with their reason: kind burst|address|night, the bucket, its votes and the yardstick."""
    campaign = readable_campaign(engine, actor, campaign_id)
    with rollups.opened(engine, campaign, live) as (conn, src):
        buckets = _hour_buckets(conn, src)
        titles = dict(conn.execute(select(VoteCase.id, VoteCase.title).where(VoteCase.campaign_id == campaign_id)).all())
        address_rows = conn.execute(rollups.addresses(src).order_by("case_id", "ip_key")).mappings().all()
    flags: list[dict] = []
    if buckets.empty:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    by_case = buckets.groupby("case_id")["votes"]
    totals = by_case.sum()
    # the threshold per bucket from its case's median hour, then only the few buckets over it looped
    baseline = by_case.transform("median").astype("float64")
    over = buckets["votes"] >= (BURST_FACTOR * baseline).clip(lower=BURST_MIN)
    for index in buckets.index[over]:
        row = buckets.loc[index]
        flags.append({"kind": "burst", "case_id": row["case_id"], "day": row["day"], "hour": row["hour"],
                      "votes": row["votes"], "valid": row["valid"], "baseline": round(float(baseline[index]), 1),
                      "share": None, "reference": None})
    for row in address_rows:
        share = row["votes"] / totals.get(row["case_id"], 1)
        if share >= ADDRESS_SHARE:
            flags.append({"kind": "address", "case_id": row["case_id"], "ip_key": bytes(row["ip_key"]).hex(), "votes": row["votes"],
                          "valid": int(row["valid"]), "share": round(share, 4), "reference": ADDRESS_SHARE})
    night = buckets[buckets["hour"].isin(NIGHT_HOURS)]
    overall = night["votes"].sum() / max(int(totals.sum()), 1)
    for case_id, sums in night.groupby("case_id")[["votes", "valid"]].sum().iterrows():
        votes, share = int(sums["votes"]), sums["votes"] / totals[case_id]
        if votes >= NIGHT_MIN and share >= max(NIGHT_FACTOR * overall, overall + 0.10):
            flags.append({"kind": "night", "case_id": case_id, "votes": votes, "valid": int(sums["valid"]),
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
        rollups.refresh_case(session, campaign_id, payload.case_id)  # the stored review moves with the votes
        audit.record(session, actor=actor, action="vote_void", entity="campaign", entity_id=campaign_id,
                     after={**payload.model_dump(), "voided": count})
    return count


# --- ranking and publication --------------------------------------------------------------------


