"""The top-ten case vote's administration: campaigns and their cases, expert scores, the admin's reads.
Casting a vote is db/voting/ballot.py; the public's reads db/voting/public.py; review and voiding
db/voting/review.py; the ranking and its publication db/voting/results.py."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope, scope_condition
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.voting import (
    Campaign,
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
    CaseCreate,
    CaseUpdate,
    ExpertScoreUpdate,
    VoteCase,
    VoteChallenge,
    VoteThrottle,
)
from db.validation import validate
from db.voting import rollups
from db.voting.rules import CASE_COLUMNS, phase

RULE_FIELDS = ("opens_at", "closes_at", "per_voter_per_day", "per_case_per_day", "expert_weight",
               "public_weight", "show_live_tally", "notice_days")


def campaign_public(campaign: Campaign, now: datetime | None = None) -> CampaignPublic:
    now = now or clock.utcnow()
    data = campaign.model_dump()
    data["phase"] = phase(campaign.status, campaign.opens_at, campaign.closes_at, now)
    return CampaignPublic.model_validate(data)


def campaign_in_scope(session, actor: Actor, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("error.not_found", entity="campaign")
    require_unit_in_scope(session, actor, campaign.org_unit_id)
    return campaign


def _check_rules(payload: CampaignCreate) -> None:
    if payload.closes_at <= payload.opens_at:
        raise DomainError("vote.error.window_order", field="closes_at")
    if payload.expert_weight + payload.public_weight != 100:
        raise DomainError("vote.error.weights_sum", field="public_weight")
    if payload.per_case_per_day > payload.per_voter_per_day:
        raise DomainError("vote.error.case_limit_above_daily", field="per_case_per_day")


# --- campaign administration --------------------------------------------------------------------

def create_campaign(engine: Engine, *, actor: Actor, data: dict) -> CampaignPublic:
    require(actor, "voting.manage")
    payload = validate(CampaignCreate, data)
    _check_rules(payload)
    with transaction(engine) as session:
        require_unit_in_scope(session, actor, payload.org_unit_id)
        campaign = Campaign(**payload.model_dump(), status="draft", created_at=clock.utcnow())
        session.add(campaign)
        session.flush()
        result = campaign_public(campaign)
        audit.record(session, actor=actor, action="vote_campaign_create", entity="campaign", entity_id=campaign.id,
                     after=payload.model_dump())
    return result


def update_campaign(engine: Engine, *, actor: Actor, campaign_id: int, data: dict) -> CampaignPublic:
    """Title and description always (until publication); the rules only until the first vote."""
    require(actor, "voting.manage")
    payload = validate(CampaignUpdate, data)
    _check_rules(payload)
    with transaction(engine) as session:
        campaign = campaign_in_scope(session, actor, campaign_id)
        require_unit_in_scope(session, actor, payload.org_unit_id)
        if campaign.status == "published":
            raise DomainError("vote.error.published_locked")
        before = campaign.model_dump(include={"title", "description", "year", "org_unit_id", *RULE_FIELDS})
        new = payload.model_dump()
        changed_rules = {f: new[f] for f in (*RULE_FIELDS, "org_unit_id", "year") if new[f] != before[f]}
        if changed_rules:
            # Conditional on the freeze mark, so a first vote committed a moment ago wins over this edit.
            done = session.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.rules_frozen_at.is_(None))
                                   .values(**changed_rules))
            if done.rowcount != 1:
                raise DomainError("vote.error.rules_frozen")
        session.execute(update(Campaign).where(Campaign.id == campaign_id)
                        .values(title=payload.title, description=payload.description))
        session.expire(campaign)
        result = campaign_public(session.get(Campaign, campaign_id))
        audit.record(session, actor=actor, action="vote_campaign_update", entity="campaign", entity_id=campaign_id,
                     before=before, after=new)
    return result


def _transition(engine: Engine, actor: Actor, campaign_id: int, source: str, target: str, action: str) -> CampaignPublic:
    require(actor, "voting.manage")
    now = clock.utcnow()
    with transaction(engine) as session:
        campaign = campaign_in_scope(session, actor, campaign_id)
        if campaign.status != source:
            raise DomainError(f"vote.error.status_not_{source}")
        if target == "open":
            cases = session.execute(select(func.count()).where(VoteCase.campaign_id == campaign_id)).scalar_one()
            if cases < 2:
                raise DomainError("vote.error.too_few_cases")
            if campaign.closes_at <= now:
                raise DomainError("vote.error.window_past", field="closes_at")
        stamp = {"open": "opened_at", "closed": "closed_at"}[target]
        done = session.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.status == source)
                               .values(status=target, **{stamp: now}))
        if done.rowcount != 1:
            raise DomainError(f"vote.error.status_not_{source}")
        if target == "closed":
            # voting has stopped: the campaign's codes and tickets serve nothing more, nor do the send
            # counts once no campaign is open (the public notice says they go when voting stops)
            session.execute(delete(VoteChallenge).where(VoteChallenge.campaign_id == campaign_id))
            if session.execute(select(Campaign.id).where(Campaign.status == "open").limit(1)).first() is None:
                session.execute(delete(VoteThrottle))
            # the review reads a closed campaign's figures from here on (its votes no longer grow)
            rollups.store(session, campaign_id)
        session.expire(campaign)
        result = campaign_public(session.get(Campaign, campaign_id), now)
        audit.record(session, actor=actor, action=action, entity="campaign", entity_id=campaign_id,
                     before={"status": source}, after={"status": target})
    return result


def open_campaign(engine: Engine, *, actor: Actor, campaign_id: int) -> CampaignPublic:
    return _transition(engine, actor, campaign_id, "draft", "open", "vote_campaign_open")


def close_campaign(engine: Engine, *, actor: Actor, campaign_id: int) -> CampaignPublic:
    return _transition(engine, actor, campaign_id, "open", "closed", "vote_campaign_close")


def _draft_campaign(session, actor: Actor, campaign_id: int) -> Campaign:
    campaign = campaign_in_scope(session, actor, campaign_id)
    if campaign.status != "draft":
        raise DomainError("vote.error.cases_locked")
    return campaign


def _title_taken(session, campaign_id: int, title: str, except_id: int | None = None) -> bool:
    query = select(VoteCase.id).where(VoteCase.campaign_id == campaign_id, VoteCase.title == title)
    if except_id is not None:
        query = query.where(VoteCase.id != except_id)
    return session.execute(query).first() is not None


def add_case(engine: Engine, *, actor: Actor, campaign_id: int, data: dict) -> int:
    require(actor, "voting.manage")
    payload = validate(CaseCreate, data)
    with transaction(engine) as session:
        _draft_campaign(session, actor, campaign_id)
        if _title_taken(session, campaign_id, payload.title):
            raise DomainError("vote.error.case_title_taken", field="title")
        order = session.execute(select(func.coalesce(func.max(VoteCase.sort_order), 0))
                                .where(VoteCase.campaign_id == campaign_id)).scalar_one()
        case = VoteCase(campaign_id=campaign_id, sort_order=order + 1, **payload.model_dump())
        session.add(case)
        session.flush()
        audit.record(session, actor=actor, action="vote_case_add", entity="vote_case", entity_id=case.id,
                     after={"campaign_id": campaign_id, **payload.model_dump()})
        return case.id


def update_case(engine: Engine, *, actor: Actor, case_id: int, data: dict) -> None:
    require(actor, "voting.manage")
    payload = validate(CaseUpdate, data)
    with transaction(engine) as session:
        case = session.get(VoteCase, case_id)
        if case is None:
            raise NotFound("error.not_found", entity="vote_case")
        _draft_campaign(session, actor, case.campaign_id)
        if _title_taken(session, case.campaign_id, payload.title, except_id=case_id):
            raise DomainError("vote.error.case_title_taken", field="title")
        before = case.model_dump(include=set(CaseCreate.model_fields))
        for key, value in payload.model_dump().items():
            setattr(case, key, value)
        audit.record(session, actor=actor, action="vote_case_update", entity="vote_case", entity_id=case_id,
                     before=before, after=payload.model_dump())


def remove_case(engine: Engine, *, actor: Actor, case_id: int) -> None:
    """Only while the campaign is a draft, so no vote can refer to it."""
    require(actor, "voting.manage")
    with transaction(engine) as session:
        case = session.get(VoteCase, case_id)
        if case is None:
            raise NotFound("error.not_found", entity="vote_case")
        _draft_campaign(session, actor, case.campaign_id)
        audit.record(session, actor=actor, action="vote_case_remove", entity="vote_case", entity_id=case_id,
                     before=case.model_dump(include={"campaign_id", "title", "organization", "theme"}))
        session.delete(case)


def set_expert_score(engine: Engine, *, actor: Actor, case_id: int, score: float) -> None:
    require(actor, "voting.manage")
    payload = validate(ExpertScoreUpdate, {"expert_score": score})
    with transaction(engine) as session:
        case = session.get(VoteCase, case_id)
        if case is None:
            raise NotFound("error.not_found", entity="vote_case")
        campaign = campaign_in_scope(session, actor, case.campaign_id)
        if campaign.status == "published":
            raise DomainError("vote.error.published_locked")
        before = case.expert_score
        case.expert_score = round(payload.expert_score, 2)
        audit.record(session, actor=actor, action="vote_expert_score", entity="vote_case", entity_id=case_id,
                     before={"expert_score": before}, after={"expert_score": case.expert_score})


# --- voting -------------------------------------------------------------------------------------
#
# The hot path. Facts that can no longer change are kept per process and engine, so a vote costs
# two statements in one short write transaction: a verified ticket (its voter, campaign and time),
# a campaign's rules once frozen, and an open campaign's cases (fixed while it was a draft). The one
# fact that can still change, the campaign's status, is checked inside the quota statement itself.


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


def admin_cases(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    readable_campaign(engine, actor, campaign_id)
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


def readable_campaign(engine: Engine, actor: Actor, campaign_id: int) -> Campaign:
    """A campaign the actor may read (voting.read, within scope), for the admin and review reads."""
    require(actor, "voting.read")
    with reading(engine) as session:
        return campaign_in_scope(session, actor, campaign_id)
