"""Reading the vote and deciding on it: the public's reads (campaigns, cards, live tally, published
result), staff reads, hourly counts, anomaly flags, voiding, the combined ranking, publication with
its 公示 period, and the frames of the results workbook."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from db import audit, clock, settings
from db.access import Actor, require, scope_condition
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import OrgUnit
from db.models.voting import Campaign, CampaignPublic, Vote, VoteCase
from db.validation import validate
from db.voting.campaigns import campaign_in_scope, campaign_public
from db.voting.codes import local_day_hour

WINNERS = 10
# A burst: an hour holding at least BURST_FACTOR times the case's median busy hour, and BURST_MIN votes.
BURST_FACTOR, BURST_MIN = 8, 50
# One address: at least ADDRESS_SHARE of a case's votes, and ADDRESS_MIN votes.
ADDRESS_SHARE, ADDRESS_MIN = 0.20, 30
# Night (00:00-05:59 local): a share at least NIGHT_FACTOR times the campaign's, and NIGHT_MIN votes.
NIGHT_HOURS, NIGHT_FACTOR, NIGHT_MIN = range(0, 6), 3.0, 30

RANKING_COLUMNS = ["rank", "case_id", "title", "organization", "theme", "expert_score", "expert_weight", "expert_part",
                   "votes", "top_votes", "public_index", "public_weight", "public_part", "combined", "winner"]
ANOMALY_COLUMNS = ["kind", "case_id", "title", "day", "hour", "ip_key", "votes", "valid", "case_votes", "baseline",
                   "share", "reference"]


def _readable(engine: Engine, actor: Actor, campaign_id: int) -> Campaign:
    require(actor, "voting.read")
    with reading(engine) as session:
        return campaign_in_scope(session, actor, campaign_id)


# --- reads --------------------------------------------------------------------------------------

CAMPAIGN_COLUMNS = ["id", "title", "year", "status", "opens_at", "closes_at", "org_unit", "cases", "rules_frozen_at",
                    "published_at", "notice_until"]


def list_campaigns(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """Campaigns of the actor's scope (admin writes, leader reads)."""
    require(actor, "voting.read")
    cases = (select(VoteCase.campaign_id, func.count().label("cases")).group_by(VoteCase.campaign_id).subquery())
    query = (select(Campaign.id, Campaign.title, Campaign.year, Campaign.status, Campaign.opens_at, Campaign.closes_at,
                    OrgUnit.name.label("org_unit"), func.coalesce(cases.c.cases, 0).label("cases"),
                    Campaign.rules_frozen_at, Campaign.published_at, Campaign.notice_until)
             .join(OrgUnit, OrgUnit.id == Campaign.org_unit_id)
             .outerjoin(cases, cases.c.campaign_id == Campaign.id)
             .where(scope_condition(actor))
             .order_by(Campaign.opens_at.desc(), Campaign.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=CAMPAIGN_COLUMNS)


def get_campaign(engine: Engine, *, actor: Actor, campaign_id: int) -> CampaignPublic:
    require(actor, "voting.read")
    with reading(engine) as session:
        return campaign_public(campaign_in_scope(session, actor, campaign_id))


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


CASE_COLUMNS = ["id", "title", "organization", "theme", "summary", "sort_order"]


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
    query = (select(Vote.case_id, func.count().label("votes"))
             .where(Vote.campaign_id == campaign_id, Vote.status == "valid").group_by(Vote.case_id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["case_id", "votes"])


def admin_cases(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    _readable(engine, actor, campaign_id)
    columns = [*CASE_COLUMNS, "project_id", "expert_score"]
    query = (select(*(getattr(VoteCase, c) for c in columns)).where(VoteCase.campaign_id == campaign_id)
             .order_by(VoteCase.sort_order, VoteCase.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=columns)


def project_options(engine: Engine) -> pd.DataFrame:
    """Projects a case may come from (the pipeline area's table, when this install has one)."""
    table, org = SQLModel.metadata.tables.get("project"), SQLModel.metadata.tables.get("social_org")
    columns = ["id", "title", "organization"]
    if table is None or "title" not in table.c:
        return pd.DataFrame(columns=columns)
    query = select(table.c.id, table.c.title)
    link = next((table.c[name] for name in ("contractor_org_id", "contractor_id") if name in table.c), None)
    if org is not None and link is not None and "name" in org.c:
        query = query.add_columns(org.c.name.label("organization")).outerjoin(org, org.c.id == link)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.id).limit(2000)).mappings().all()
    return pd.DataFrame(rows).reindex(columns=columns) if rows else pd.DataFrame(columns=columns)


def summary(engine: Engine, *, actor: Actor, campaign_id: int) -> dict[str, int]:
    _readable(engine, actor, campaign_id)
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
    _readable(engine, actor, campaign_id)
    with engine.connect() as conn:
        frame = _hour_buckets(conn, campaign_id, case_id)
    frame = frame.groupby(["day", "hour"], as_index=False)[["votes", "valid"]].sum()
    frame["at"] = pd.to_datetime(frame["day"]) + pd.to_timedelta(frame["hour"], unit="h")
    return frame.sort_values("at")[["at", "day", "hour", "votes", "valid"]].reset_index(drop=True)


# --- anomaly flags ------------------------------------------------------------------------------

def anomalies(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    """Flags with their reason: kind burst|address|night, the bucket, its votes and the yardstick."""
    _readable(engine, actor, campaign_id)
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
    reason: str = Field(min_length=4, max_length=200)

    @field_validator("reason", mode="before")
    @classmethod
    def _strip(cls, value):
        return " ".join(value.split()) if isinstance(value, str) else value


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

def compute_ranking(conn, campaign: Campaign) -> pd.DataFrame:
    """expert × expert weight + votes ÷ top votes × 100 × public weight, every column kept."""
    votes = (select(Vote.case_id, func.count().label("votes"))
             .where(Vote.campaign_id == campaign.id, Vote.status == "valid").group_by(Vote.case_id).subquery())
    rows = conn.execute(
        select(VoteCase.id.label("case_id"), VoteCase.title, VoteCase.organization, VoteCase.theme,
               VoteCase.expert_score, func.coalesce(votes.c.votes, 0).label("votes"))
        .outerjoin(votes, votes.c.case_id == VoteCase.id).where(VoteCase.campaign_id == campaign.id)
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
    campaign = _readable(engine, actor, campaign_id)
    with engine.connect() as conn:
        return compute_ranking(conn, campaign)


def store_publication(session, campaign: Campaign, now) -> pd.DataFrame:
    """Freeze the ranking into the cases and mark the campaign published with its notice period."""
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


def public_results(engine: Engine, campaign_id: int) -> pd.DataFrame:
    """The published ranking as frozen at publication; nothing before."""
    campaign = public_campaign(engine, campaign_id)
    if campaign.status != "published":
        raise NotFound("vote.error.not_published")
    query = (select(VoteCase.final_rank.label("rank"), VoteCase.title, VoteCase.organization, VoteCase.theme,
                    VoteCase.expert_score, VoteCase.final_votes.label("votes"), VoteCase.final_score.label("combined"),
                    VoteCase.winner)
             .where(VoteCase.campaign_id == campaign_id).order_by(VoteCase.final_rank))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["rank", "title", "organization", "theme", "expert_score", "votes", "combined",
                                     "winner"])


def result_frames(engine: Engine, *, actor: Actor, campaign_id: int) -> dict[str, pd.DataFrame]:
    """The workbook's sheets, raw column names: ranking, votes per day, flags, voided votes."""
    campaign = _readable(engine, actor, campaign_id)
    with engine.connect() as conn:
        rank = compute_ranking(conn, campaign)
        daily = pd.DataFrame(conn.execute(
            select(Vote.day, func.count().label("votes"), func.sum(case((Vote.status == "valid", 1), else_=0)).label("valid"))
            .where(Vote.campaign_id == campaign_id).group_by(Vote.day).order_by(Vote.day)).mappings().all(),
            columns=["day", "votes", "valid"])
        voided = pd.DataFrame(conn.execute(
            select(VoteCase.title, Vote.void_reason, func.count().label("votes"), func.min(Vote.voided_at).label("voided_at"))
            .join(VoteCase, VoteCase.id == Vote.case_id)
            .where(Vote.campaign_id == campaign_id, Vote.status == "void")
            .group_by(VoteCase.title, Vote.void_reason)).mappings().all(),
            columns=["title", "void_reason", "votes", "voided_at"])
    voided["voided_at"] = pd.to_datetime(voided["voided_at"], utc=True).dt.tz_convert(settings.timezone()).dt.tz_localize(None)
    return {"ranking": rank, "daily": daily, "anomalies": anomalies(engine, actor=actor, campaign_id=campaign_id),
            "voided": voided}
