"""微创投 reads, aggregated in SQL: the rounds the actor sees with their pool and results, one round's sources,
applications (with their review's result), disbursements and activities, and the choices the forms offer."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import clock
from db.access import Actor, require, scope_condition
from db.community import scope
from db.engine import reading
from db.errors import NotFound
from db.funds import rules
from db.funds.rounds import actor_district
from db.models import OrgUnit
from db.models.funds import CommunityFund, GrantActivity, GrantApplication, GrantDisbursement, GrantRound, GrantSource
from db.models.pipeline import SocialOrg
from db.models.scorecards import Evaluation

ROUND_COLUMNS = ["id", "name", "unit", "opens_on", "closes_on", "closed_on", "cap", "cofund_pct", "registrations",
                 "org_kinds", "min_grade", "pool", "pool_balance", "applications", "funded", "awarded", "disbursed",
                 "activities", "people_served", "problems_solved", "closing_report", "state"]


def _rounds_where(engine: Engine, actor: Actor) -> list:
    with reading(engine) as session:
        district = actor_district(session, actor)
    return [] if district is None else [GrantRound.district_id == district]


def list_rounds(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """The rounds of the actor's district (every round for a root scope), newest first, with their figures; the
    counts are of the applications within the actor's own scope."""
    require(actor, "microgrants.read")
    apps = (select(GrantApplication.round_id, func.count().label("applications"),
                   func.sum(GrantApplication.awarded).label("awarded"),
                   func.sum(GrantApplication.disbursed).label("disbursed"))
            .where(scope.condition(actor, GrantApplication)).group_by(GrantApplication.round_id).subquery())
    funded = (select(GrantApplication.round_id, func.count().label("funded"))
              .where(scope.condition(actor, GrantApplication),
                     GrantApplication.status.in_((rules.FUNDED, rules.CLOSED)))
              .group_by(GrantApplication.round_id).subquery())
    acts = (select(GrantActivity.round_id, func.count().label("activities"),
                   func.sum(GrantActivity.people_served).label("people_served"),
                   func.sum(GrantActivity.problems_solved).label("problems_solved"))
            .join(GrantApplication, GrantApplication.id == GrantActivity.application_id)
            .where(scope.condition(actor, GrantApplication)).group_by(GrantActivity.round_id).subquery())
    query = (select(GrantRound.id, GrantRound.name, OrgUnit.name.label("unit"), GrantRound.opens_on,
                    GrantRound.closes_on, GrantRound.closed_on, GrantRound.cap, GrantRound.cofund_pct,
                    GrantRound.registrations, GrantRound.org_kinds, GrantRound.min_grade, GrantRound.pool,
                    GrantRound.pool_balance, func.coalesce(apps.c.applications, 0).label("applications"),
                    func.coalesce(funded.c.funded, 0).label("funded"),
                    func.coalesce(apps.c.awarded, 0).label("awarded"),
                    func.coalesce(apps.c.disbursed, 0).label("disbursed"),
                    func.coalesce(acts.c.activities, 0).label("activities"),
                    func.coalesce(acts.c.people_served, 0).label("people_served"),
                    func.coalesce(acts.c.problems_solved, 0).label("problems_solved"), GrantRound.closing_report)
             .join(OrgUnit, OrgUnit.id == GrantRound.unit_id)
             .outerjoin(apps, apps.c.round_id == GrantRound.id).outerjoin(funded, funded.c.round_id == GrantRound.id)
             .outerjoin(acts, acts.c.round_id == GrantRound.id)
             .where(*_rounds_where(engine, actor)).order_by(GrantRound.opens_on.desc(), GrantRound.id.desc()))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    today = clock.today()
    frame = pd.DataFrame([{**r, "state": rules.round_state(r["opens_on"], r["closes_on"], r["closed_on"], today)}
                          for r in rows], columns=ROUND_COLUMNS)
    for column in ("cap", "pool", "pool_balance", "applications", "funded", "awarded", "disbursed", "activities",
                   "people_served", "problems_solved"):
        frame[column] = frame[column].astype("int64")
    return frame


def get_round(engine: Engine, *, actor: Actor, round_id: int) -> dict:
    rounds = list_rounds(engine, actor=actor)
    row = rounds[rounds["id"] == round_id]
    if row.empty:
        raise NotFound("error.not_found", entity="grant_round")
    return row.iloc[0].to_dict()


def sources(engine: Engine, *, actor: Actor, round_id: int) -> pd.DataFrame:
    require(actor, "microgrants.read")
    query = (select(GrantSource.id, GrantSource.kind, CommunityFund.name.label("fund"), GrantSource.amount,
                    GrantSource.added_on, GrantSource.fund_entry_id)
             .join(GrantRound, GrantRound.id == GrantSource.round_id)
             .outerjoin(CommunityFund, CommunityFund.id == GrantSource.fund_id)
             .where(GrantSource.round_id == round_id, *_rounds_where(engine, actor)).order_by(GrantSource.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "kind", "fund", "amount", "added_on", "fund_entry_id"])


APPLICATION_COLUMNS = ["id", "code", "org", "registration", "grade", "title", "theme", "unit", "street", "level",
                       "budget", "requested", "submitted_on", "status", "evaluation_id", "review_status", "scorecards",
                       "result", "awarded", "decision_reason", "decided_on", "agreement_no", "agreement_on",
                       "disbursed", "activities", "people_served", "problems_solved", "closed_on", "closing_report"]


def applications(engine: Engine, *, actor: Actor, round_id: int, status: str | None = None) -> pd.DataFrame:
    """A round's applications within the actor's scope, with the review's state and result and the activities."""
    require(actor, "microgrants.read")
    unit, street = aliased(OrgUnit), aliased(OrgUnit)
    acts = (select(GrantActivity.application_id, func.count().label("activities"),
                   func.sum(GrantActivity.people_served).label("people_served"),
                   func.sum(GrantActivity.problems_solved).label("problems_solved"))
            .where(GrantActivity.round_id == round_id).group_by(GrantActivity.application_id).subquery())
    query = (select(GrantApplication.id, GrantApplication.code, SocialOrg.name.label("org"), SocialOrg.registration,
                    SocialOrg.grade, GrantApplication.title, GrantApplication.theme, unit.name.label("unit"),
                    street.name.label("street"), unit.level, GrantApplication.budget, GrantApplication.requested,
                    GrantApplication.submitted_on, GrantApplication.status, Evaluation.id.label("evaluation_id"),
                    Evaluation.status.label("review_status"), Evaluation.scorecards, Evaluation.result,
                    GrantApplication.awarded, GrantApplication.decision_reason, GrantApplication.decided_on,
                    GrantApplication.agreement_no, GrantApplication.agreement_on, GrantApplication.disbursed,
                    func.coalesce(acts.c.activities, 0).label("activities"),
                    func.coalesce(acts.c.people_served, 0).label("people_served"),
                    func.coalesce(acts.c.problems_solved, 0).label("problems_solved"),
                    GrantApplication.closed_on, GrantApplication.closing_report)
             .join(GrantRound, GrantRound.id == GrantApplication.round_id)
             .join(SocialOrg, SocialOrg.id == GrantApplication.org_id)
             .join(unit, unit.id == GrantApplication.unit_id).join(street, street.id == GrantApplication.street_id)
             .outerjoin(Evaluation, Evaluation.application_id == GrantApplication.id)
             .outerjoin(acts, acts.c.application_id == GrantApplication.id)
             .where(GrantApplication.round_id == round_id, scope.condition(actor, GrantApplication),
                    *_rounds_where(engine, actor))
             .order_by(GrantApplication.id))
    if status:
        query = query.where(GrantApplication.status == status)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=APPLICATION_COLUMNS)
    for column in ("budget", "requested", "awarded", "disbursed", "activities", "people_served", "problems_solved"):
        frame[column] = frame[column].astype("int64")
    return frame


ACTIVITY_COLUMNS = ["id", "application_id", "code", "title", "held_on", "place", "participants", "people_served",
                    "problems_solved", "problems"]


def activities(engine: Engine, *, actor: Actor, round_id: int) -> pd.DataFrame:
    require(actor, "microgrants.read")
    query = (select(GrantActivity.id, GrantActivity.application_id, GrantApplication.code, GrantApplication.title,
                    GrantActivity.held_on, GrantActivity.place, GrantActivity.participants,
                    GrantActivity.people_served, GrantActivity.problems_solved, GrantActivity.problems)
             .join(GrantApplication, GrantApplication.id == GrantActivity.application_id)
             .join(GrantRound, GrantRound.id == GrantActivity.round_id)
             .where(GrantActivity.round_id == round_id, scope.condition(actor, GrantApplication),
                    *_rounds_where(engine, actor))
             .order_by(GrantActivity.held_on.desc(), GrantActivity.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=ACTIVITY_COLUMNS)


def disbursements(engine: Engine, *, actor: Actor, round_id: int) -> pd.DataFrame:
    require(actor, "microgrants.read")
    query = (select(GrantDisbursement.id, GrantApplication.code, GrantApplication.title, GrantDisbursement.amount,
                    GrantDisbursement.paid_on)
             .join(GrantApplication, GrantApplication.id == GrantDisbursement.application_id)
             .join(GrantRound, GrantRound.id == GrantDisbursement.round_id)
             .where(GrantDisbursement.round_id == round_id, scope.condition(actor, GrantApplication),
                    *_rounds_where(engine, actor))
             .order_by(GrantDisbursement.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "title", "amount", "paid_on"])


def round_units(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """Districts and streets of the admin's scope that may run a round."""
    require(actor, "microgrants.manage")
    query = (select(OrgUnit.id, OrgUnit.name, OrgUnit.level)
             .where(scope_condition(actor), OrgUnit.level.in_(("district", "street")), OrgUnit.active)
             .order_by(OrgUnit.level, OrgUnit.sort_order, OrgUnit.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "name", "level"])


def application_choices(engine: Engine, *, actor: Actor, round_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For entering an application: the round district's active social organizations (eligibility is checked on
    writing, and named then), and the communities and streets of the actor's scope within the round's district."""
    require(actor, "microgrants.apply")
    with reading(engine) as session:
        round_ = session.get(GrantRound, round_id)
        if round_ is None:
            raise NotFound("error.not_found", entity="grant_round")
    orgs = (select(SocialOrg.id, SocialOrg.name, SocialOrg.kind, SocialOrg.registration, SocialOrg.grade)
            .where(SocialOrg.district_id == round_.district_id, SocialOrg.active,
                   SocialOrg.kind.in_(rules.split(round_.org_kinds)),
                   SocialOrg.registration.in_(rules.split(round_.registrations)))
            .order_by(SocialOrg.name))
    street = aliased(OrgUnit)
    units = (select(OrgUnit.id, OrgUnit.name, OrgUnit.level, street.name.label("street"))
             .join(street, street.id == OrgUnit.street_id)
             .where(scope_condition(actor), OrgUnit.level.in_(rules.UNIT_LEVELS), OrgUnit.active,
                    OrgUnit.district_id == round_.district_id,
                    *([] if round_.street_id is None else [OrgUnit.street_id == round_.street_id]))
             .order_by(street.sort_order, OrgUnit.level.desc(), OrgUnit.sort_order))
    with engine.connect() as conn:
        return (pd.DataFrame(conn.execute(orgs).mappings().all(), columns=["id", "name", "kind", "registration",
                                                                           "grade"]),
                pd.DataFrame(conn.execute(units).mappings().all(), columns=["id", "name", "level", "street"]))


def source_funds(engine: Engine, *, actor: Actor, round_id: int) -> pd.DataFrame:
    """The community funds that may fill a round's pool: its district's (its street's), with their balance."""
    require(actor, "microgrants.manage")
    with reading(engine) as session:
        round_ = session.get(GrantRound, round_id)
        if round_ is None:
            raise NotFound("error.not_found", entity="grant_round")
    query = (select(CommunityFund.id, CommunityFund.name, CommunityFund.balance)
             .where(scope.condition(actor, CommunityFund), CommunityFund.district_id == round_.district_id,
                    CommunityFund.balance > 0)
             .order_by(CommunityFund.street_id, CommunityFund.id))
    if round_.street_id is not None:
        query = query.where(CommunityFund.street_id == round_.street_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "name", "balance"])
