"""微创投 rounds, the writes: an admin opens a round (window, who may apply, the cap per project, the co-funding rule)
and fills its pool from community funds (a grant out of the fund's ledger, in the same transaction) or the district
special fund; staff enter applications within the window; the review is the scorecard area's (reviews.py); an admin
decides (funded with the amount, or not with the reason), records the grant agreement and pays from the pool; staff
report the funded projects' activities and closing reports; the admin closes the round with its report.

The pool, like a fund's balance, never goes below zero: a disbursement locks the round (FOR UPDATE on PostgreSQL,
BEGIN IMMEDIATE on SQLite), moves `pool_balance` by `UPDATE … WHERE pool_balance >= :a RETURNING` and the
application's `disbursed` by `UPDATE … WHERE disbursed + :a <= awarded`, with CHECKs behind both. One transaction and
one audit row per write."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.community import scope
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.funds import rules
from db.funds.funds import locked as locked_fund
from db.funds.ledger import _post
from db.models import OrgUnit
from db.models.funds import GrantActivity, GrantApplication, GrantDisbursement, GrantRound, GrantSource
from db.models.pipeline import SocialOrg
from db.models.scorecards import Evaluation
from db.pipeline.rules import ORG_KINDS
from db.validation import BlankIsNone, Day, Money, OneLine, RowId, Stripped, validate

Count = Annotated[int, Field(ge=0, le=rules.MAX_COUNT)]


class RoundInput(BaseModel):
    name: Annotated[str, OneLine] = Field(min_length=rules.ROUND_NAME_LENGTH[0], max_length=rules.ROUND_NAME_LENGTH[1])
    unit_id: RowId
    opens_on: Day
    closes_on: Day
    cap: Money = Field(gt=0)
    cofund_pct: int = Field(ge=0, le=90)
    registrations: list[Literal[rules.REGISTRATIONS]] = Field(max_length=4)  # type: ignore[valid-type]
    org_kinds: list[Literal[ORG_KINDS]] = Field(max_length=8)  # type: ignore[valid-type]
    min_grade: Optional[int] = Field(default=None, ge=1, le=5)


class SourceInput(BaseModel):
    kind: Literal[rules.SOURCE_KINDS]  # type: ignore[valid-type]
    fund_id: Optional[RowId] = None
    amount: Money = Field(gt=0)
    added_on: Day


class ApplicationInput(BaseModel):
    org_id: RowId
    title: Annotated[str, OneLine] = Field(min_length=rules.TITLE_LENGTH[0], max_length=rules.TITLE_LENGTH[1])
    theme: Literal[rules.THEMES]  # type: ignore[valid-type]
    unit_id: RowId
    budget: Money = Field(gt=0)
    requested: Money = Field(gt=0)
    submitted_on: Day


class DecisionInput(BaseModel):
    decision: Literal[rules.DECISIONS]  # type: ignore[valid-type]
    awarded: Optional[Money] = None
    reason: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=200)


class AgreementInput(BaseModel):
    agreement_no: Annotated[str, OneLine] = Field(min_length=rules.AGREEMENT_LENGTH[0],
                                                  max_length=rules.AGREEMENT_LENGTH[1])
    agreement_on: Day


class DisbursementInput(BaseModel):
    amount: Money = Field(gt=0)
    paid_on: Day


class ActivityInput(BaseModel):
    held_on: Day
    place: Annotated[str, OneLine] = Field(min_length=rules.PLACE_LENGTH[0], max_length=rules.PLACE_LENGTH[1])
    participants: Count
    people_served: Count
    problems_solved: Count
    problems: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=300)


class ReportInput(BaseModel):
    closing_report: Annotated[str, Stripped] = Field(min_length=rules.REPORT_LENGTH[0],
                                                     max_length=rules.REPORT_LENGTH[1])


class Written(BaseModel):
    """What a write returns: the row's id and, for money moves, what is left."""

    id: int
    pool_balance: Optional[int] = None
    disbursed: Optional[int] = None


# --- scope ----------------------------------------------------------------------------------------------

def actor_district(session: Session, actor: Actor) -> int | None:
    """The district the actor's scope lies in (None: every district)."""
    if actor.scope_level == "root":
        return None
    return session.get(OrgUnit, actor.scope_id).district_id


def sees_round(actor: Actor, district_id: int | None, round_: GrantRound) -> bool:
    """Staff see their district's rounds; the applications and activities they see are then narrowed to their
    own scope (scope.condition)."""
    return actor.scope_level == "root" or round_.district_id == district_id


def locked_round(session: Session, actor: Actor, round_id) -> GrantRound:
    round_id = scope.row_id(round_id, "grant_round")
    round_ = session.execute(select(GrantRound).where(GrantRound.id == round_id).with_for_update()
                             ).scalar_one_or_none()
    if round_ is None or not sees_round(actor, actor_district(session, actor), round_):
        raise NotFound("error.not_found", entity="grant_round")
    return round_


def locked_application(session: Session, actor: Actor, application_id) -> tuple[GrantRound, GrantApplication]:
    """The application and its round, both locked (the round first, as every write takes them)."""
    application_id = scope.row_id(application_id, "grant_application")
    round_id = session.execute(select(GrantApplication.round_id).where(GrantApplication.id == application_id)
                               ).scalar_one_or_none()
    if round_id is None:
        raise NotFound("error.not_found", entity="grant_application")
    round_ = locked_round(session, actor, round_id)
    application = session.execute(select(GrantApplication).where(GrantApplication.id == application_id)
                                  .with_for_update()).scalar_one()
    if not scope.holds(actor, application):
        raise NotFound("error.not_found", entity="grant_application")
    return round_, application


def review_result(session: Session, application_id: int) -> float | None:
    """The panel's result of the application's review, once complete (every evaluator not recused submitted)."""
    return session.execute(select(Evaluation.result).where(Evaluation.application_id == application_id,
                                                           Evaluation.status == "completed")).scalar_one_or_none()


def not_closed(round_: GrantRound) -> None:
    if round_.closed_on is not None:
        raise DomainError("mg.error.round_closed", round=round_.name)


def _not_future(day: date, field: str) -> None:
    if day > clock.today():
        raise DomainError("fund.error.future_day", field=field)


def check_status(application: GrantApplication, *allowed: str) -> None:
    if application.status not in allowed:
        raise DomainError("mg.error.status", field="status", app=application.code, status=application.status)


# --- the round and its pool -----------------------------------------------------------------------------

def create_round(engine: Engine, *, actor: Actor, data: dict) -> Written:
    """Open a round run by a district or street of the admin's scope."""
    require(actor, "microgrants.manage")
    payload = validate(RoundInput, data)
    for field in ("registrations", "org_kinds"):  # who may apply: at least one of each
        if not getattr(payload, field):
            raise DomainError("rule.required", field=field)
    if payload.closes_on < payload.opens_on:
        raise DomainError("mg.error.window", field="closes_on")
    now = clock.utcnow()
    with transaction(engine) as session:
        unit = require_unit_in_scope(session, actor, payload.unit_id)
        if unit.level not in ("district", "street") or not unit.active:
            raise DomainError("mg.error.round_unit", field="unit_id")
        round_ = GrantRound(name=payload.name, unit_id=unit.id, district_id=unit.district_id,
                            street_id=unit.street_id if unit.level == "street" else None,
                            opens_on=payload.opens_on, closes_on=payload.closes_on, cap=payload.cap,
                            cofund_pct=payload.cofund_pct, registrations=",".join(dict.fromkeys(payload.registrations)),
                            org_kinds=",".join(dict.fromkeys(payload.org_kinds)), min_grade=payload.min_grade,
                            pool=0, pool_balance=0, created_at=now, updated_at=now)
        session.add(round_)
        session.flush()
        audit.record(session, actor=actor, action="mg_round_create", entity="grant_round", entity_id=round_.id,
                     after=payload.model_dump(mode="json"))
        return Written(id=round_.id, pool_balance=0)


def add_source(engine: Engine, *, actor: Actor, round_id: int, data: dict) -> Written:
    """Put money in the pool: from a community fund of the round's district (street), as a grant out of the fund's
    ledger, refused beyond the fund's balance; or from the district special fund."""
    require(actor, "microgrants.manage")
    payload = validate(SourceInput, data)
    _not_future(payload.added_on, "added_on")
    if payload.kind == "fund" and payload.fund_id is None:
        raise DomainError("rule.required", field="fund_id")
    with transaction(engine) as session:
        round_ = locked_round(session, actor, round_id)
        not_closed(round_)
        entry_id = None
        if payload.kind == "fund":
            fund = locked_fund(session, actor, payload.fund_id)
            if fund.district_id != round_.district_id or round_.street_id not in (None, fund.street_id):
                raise DomainError("mg.error.fund_elsewhere", field="fund_id")
            if payload.added_on < fund.founded_on:
                raise DomainError("fund.error.before_founded", field="added_on", founded=fund.founded_on.isoformat())
            entry_id = _post(session, actor, fund, kind=rules.GRANT, side=rules.OUT, amount=payload.amount,
                             entry_on=payload.added_on, purpose=f"微创投资金池：{round_.name}"[:200]).id
        balance = session.execute(
            update(GrantRound).where(GrantRound.id == round_.id)
            .values(pool=GrantRound.pool + payload.amount, pool_balance=GrantRound.pool_balance + payload.amount,
                    updated_at=clock.utcnow())
            .returning(GrantRound.pool_balance).execution_options(synchronize_session=False)).scalar_one()
        source = GrantSource(round_id=round_.id, kind=payload.kind,
                             fund_id=payload.fund_id if payload.kind == "fund" else None, fund_entry_id=entry_id,
                             amount=payload.amount, added_on=payload.added_on, recorded_by=actor.user_id,
                             recorded_at=clock.utcnow())
        session.add(source)
        session.flush()
        audit.record(session, actor=actor, action="mg_source", entity="grant_source", entity_id=source.id,
                     after={**payload.model_dump(mode="json"), "round_id": round_.id, "fund_entry_id": entry_id,
                            "pool_balance": balance})
        return Written(id=source.id, pool_balance=balance)


# --- applications ---------------------------------------------------------------------------------------

def submit_application(engine: Engine, *, actor: Actor, round_id: int, data: dict) -> Written:
    """A social organization's application, entered by staff for a community or street of their scope within the
    round's district (street), on a day within the window; the organization must be eligible, the amount within
    the cap and the co-funding rule."""
    require(actor, "microgrants.apply")
    payload = validate(ApplicationInput, data)
    _not_future(payload.submitted_on, "submitted_on")
    if payload.requested > payload.budget:
        raise DomainError("mg.error.over_budget", field="requested")
    with transaction(engine) as session:
        round_ = locked_round(session, actor, round_id)
        not_closed(round_)
        if not round_.opens_on <= payload.submitted_on <= round_.closes_on:
            raise DomainError("mg.error.outside_window", field="submitted_on", opens=round_.opens_on.isoformat(),
                              closes=round_.closes_on.isoformat())
        unit = require_unit_in_scope(session, actor, payload.unit_id)
        if (unit.level not in rules.UNIT_LEVELS or not unit.active or unit.district_id != round_.district_id
                or round_.street_id not in (None, unit.street_id)):
            raise DomainError("mg.error.unit_elsewhere", field="unit_id")
        org = session.get(SocialOrg, payload.org_id)
        if org is None or org.district_id != round_.district_id:
            raise DomainError("mg.error.org_elsewhere", field="org_id")
        why = rules.eligible(org, registrations=rules.split(round_.registrations),
                             org_kinds=rules.split(round_.org_kinds), min_grade=round_.min_grade,
                             day=payload.submitted_on)
        if why:
            raise DomainError(why, field="org_id", org=org.name, grade=round_.min_grade or 0)
        if payload.requested > round_.cap:
            raise DomainError("mg.error.over_cap", field="requested", cap=f"{round_.cap:,}")
        if not rules.cofunded_enough(payload.budget, payload.requested, round_.cofund_pct):
            raise DomainError("mg.error.cofund", field="requested", pct=round_.cofund_pct)
        number = session.execute(select(func.count()).where(GrantApplication.round_id == round_.id)).scalar_one() + 1
        application = GrantApplication(
            round_id=round_.id, code=f"WCT{round_.id:03d}-{number:03d}", org_id=org.id, title=payload.title,
            theme=payload.theme, unit_id=unit.id, community_id=unit.community_id, street_id=unit.street_id,
            district_id=unit.district_id, budget=payload.budget, requested=payload.requested,
            submitted_on=payload.submitted_on, status=rules.SUBMITTED, awarded=0, disbursed=0,
            recorded_by=actor.user_id, created_at=clock.utcnow())
        session.add(application)
        session.flush()
        audit.record(session, actor=actor, action="mg_apply", entity="grant_application", entity_id=application.id,
                     after={**payload.model_dump(mode="json"), "code": application.code})
        return Written(id=application.id)


def decide(engine: Engine, *, actor: Actor, application_id: int, data: dict) -> Written:
    """Funded (an amount up to the request and the cap, the round's awards within its pool) or not funded with the
    reason; only once the review on its scorecard is complete."""
    require(actor, "microgrants.manage")
    payload = validate(DecisionInput, data)
    with transaction(engine) as session:
        round_, application = locked_application(session, actor, application_id)
        not_closed(round_)
        check_status(application, rules.REVIEW)
        if review_result(session, application.id) is None:
            raise DomainError("mg.error.review_open", field="decision", app=application.code)
        if payload.decision == rules.NOT_FUNDED:
            if payload.reason is None or len(payload.reason) < 4:
                raise DomainError("rule.min_length", field="reason", min_length=4)
            awarded = 0
        else:
            awarded = payload.awarded if payload.awarded is not None else application.requested
            if not 0 < awarded <= min(application.requested, round_.cap):
                raise DomainError("mg.error.award", field="awarded", most=f"{min(application.requested, round_.cap):,}")
            committed = session.execute(select(func.coalesce(func.sum(GrantApplication.awarded), 0))
                                        .where(GrantApplication.round_id == round_.id)).scalar_one()
            if committed + awarded > round_.pool:
                raise DomainError("mg.error.over_pool", field="awarded", left=f"{round_.pool - committed:,}")
        application.status, application.awarded = payload.decision, awarded
        application.decision_reason, application.decided_on = payload.reason, clock.today()
        audit.record(session, actor=actor, action="mg_decide", entity="grant_application", entity_id=application.id,
                     after={"decision": payload.decision, "awarded": awarded, "reason": payload.reason})
        return Written(id=application.id)


def sign_agreement(engine: Engine, *, actor: Actor, application_id: int, data: dict) -> Written:
    """The grant agreement (资助协议) of a funded application: its number and day, once."""
    require(actor, "microgrants.manage")
    payload = validate(AgreementInput, data)
    _not_future(payload.agreement_on, "agreement_on")
    with transaction(engine) as session:
        _, application = locked_application(session, actor, application_id)
        check_status(application, rules.FUNDED)
        if application.agreement_no is not None:
            raise DomainError("mg.error.agreement_exists", field="agreement_no", app=application.code)
        if payload.agreement_on < application.decided_on:
            raise DomainError("mg.error.before_decision", field="agreement_on",
                              decided=application.decided_on.isoformat())
        application.agreement_no, application.agreement_on = payload.agreement_no, payload.agreement_on
        audit.record(session, actor=actor, action="mg_agreement", entity="grant_application",
                     entity_id=application.id, after=payload.model_dump(mode="json"))
        return Written(id=application.id)


def disburse(engine: Engine, *, actor: Actor, application_id: int, data: dict) -> Written:
    """Pay part of an award from the pool, after the agreement: never beyond the pool's balance nor the award."""
    require(actor, "microgrants.manage")
    payload = validate(DisbursementInput, data)
    _not_future(payload.paid_on, "paid_on")
    amount = payload.amount
    with transaction(engine) as session:
        round_, application = locked_application(session, actor, application_id)
        check_status(application, rules.FUNDED)
        if application.agreement_on is None:
            raise DomainError("mg.error.no_agreement", field="amount", app=application.code)
        if payload.paid_on < application.agreement_on:
            raise DomainError("mg.error.before_agreement", field="paid_on",
                              agreed=application.agreement_on.isoformat())
        pool_balance = session.execute(
            update(GrantRound).where(GrantRound.id == round_.id, GrantRound.pool_balance >= amount)
            .values(pool_balance=GrantRound.pool_balance - amount, updated_at=clock.utcnow())
            .returning(GrantRound.pool_balance).execution_options(synchronize_session=False)).scalar_one_or_none()
        if pool_balance is None:
            have = session.execute(select(GrantRound.pool_balance).where(GrantRound.id == round_.id)).scalar_one()
            raise DomainError("mg.error.pool_insufficient", field="amount", amount=f"{amount:,}", balance=f"{have:,}")
        disbursed = session.execute(
            update(GrantApplication)
            .where(GrantApplication.id == application.id,
                   GrantApplication.disbursed + amount <= GrantApplication.awarded)
            .values(disbursed=GrantApplication.disbursed + amount)
            .returning(GrantApplication.disbursed).execution_options(synchronize_session=False)).scalar_one_or_none()
        if disbursed is None:  # the pool's UPDATE rolls back with the rest
            left = application.awarded - application.disbursed
            raise DomainError("mg.error.over_award", field="amount", amount=f"{amount:,}", left=f"{left:,}")
        row = GrantDisbursement(round_id=round_.id, application_id=application.id, amount=amount,
                                paid_on=payload.paid_on, recorded_by=actor.user_id, recorded_at=clock.utcnow())
        session.add(row)
        session.flush()
        audit.record(session, actor=actor, action="mg_disburse", entity="grant_disbursement", entity_id=row.id,
                     after={"application_id": application.id, "amount": amount,
                            "paid_on": payload.paid_on.isoformat(), "pool_balance": pool_balance,
                            "disbursed": disbursed})
        return Written(id=row.id, pool_balance=pool_balance, disbursed=disbursed)


# --- what funded projects report ------------------------------------------------------------------------

def report_activity(engine: Engine, *, actor: Actor, application_id: int, data: dict) -> Written:
    """An activity of a funded project of the actor's scope, held between its agreement and today."""
    require(actor, "microgrants.report")
    payload = validate(ActivityInput, data)
    _not_future(payload.held_on, "held_on")
    with transaction(engine) as session:
        round_, application = locked_application(session, actor, application_id)
        check_status(application, rules.FUNDED)
        if application.agreement_on is None or payload.held_on < application.agreement_on:
            raise DomainError("mg.error.before_agreement", field="held_on",
                              agreed=application.agreement_on.isoformat() if application.agreement_on else "—")
        row = GrantActivity(round_id=round_.id, application_id=application.id, **payload.model_dump(),
                            recorded_by=actor.user_id, recorded_at=clock.utcnow())
        session.add(row)
        session.flush()
        audit.record(session, actor=actor, action="mg_activity", entity="grant_activity", entity_id=row.id,
                     after={**payload.model_dump(mode="json"), "application_id": application.id})
        return Written(id=row.id)


def close_project(engine: Engine, *, actor: Actor, application_id: int, data: dict) -> Written:
    """A funded project's closing report (结项报告); the project is then closed, dated today."""
    require(actor, "microgrants.apply")
    payload = validate(ReportInput, data)
    with transaction(engine) as session:
        _, application = locked_application(session, actor, application_id)
        check_status(application, rules.FUNDED)
        application.status, application.closed_on = rules.CLOSED, clock.today()
        application.closing_report = payload.closing_report
        audit.record(session, actor=actor, action="mg_project_close", entity="grant_application",
                     entity_id=application.id, after={"closing_report": payload.closing_report})
        return Written(id=application.id)


def close_round(engine: Engine, *, actor: Actor, round_id: int, data: dict) -> Written:
    """The round's closing report, once every application is decided; what the pool still holds stays shown."""
    require(actor, "microgrants.manage")
    payload = validate(ReportInput, data)
    with transaction(engine) as session:
        round_ = locked_round(session, actor, round_id)
        not_closed(round_)
        if clock.today() <= round_.closes_on:
            raise DomainError("mg.error.window_open", field="closing_report", closes=round_.closes_on.isoformat())
        pending = session.execute(select(func.count()).where(
            GrantApplication.round_id == round_.id,
            GrantApplication.status.in_((rules.SUBMITTED, rules.REVIEW)))).scalar_one()
        if pending:
            raise DomainError("mg.error.undecided", field="closing_report", count=pending)
        round_.closed_on, round_.closing_report, round_.updated_at = clock.today(), payload.closing_report, \
            clock.utcnow()
        audit.record(session, actor=actor, action="mg_round_close", entity="grant_round", entity_id=round_.id,
                     after={"closing_report": payload.closing_report, "pool_balance": round_.pool_balance})
        return Written(id=round_.id, pool_balance=round_.pool_balance)
