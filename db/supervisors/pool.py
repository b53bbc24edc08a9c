"""The pool admins keep: supervisors (persons and agencies) with their specialties, qualification and expiry,
the agency they work at (linked to the register when it is a social organization), their evaluator account,
and their ties to organizations; added, edited, deactivated and reactivated with a reason, never deleted
(draws point at them), every change audited. Their record: engagements (members of current draws), on-time
rate (their assignments' submission against the evaluation's due date) and deviation from their panels
(db.scorecards.results.calibration)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import ColumnElement, and_, case, delete, false, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import AppUser, OrgUnit
from db.models.pipeline import SocialOrg
from db.models.scorecards import Assignment, Evaluation
from db.models.supervisors import Supervisor, SupervisorDraw, SupervisorDrawMember, SupervisorSpecialty, SupervisorTie
from db.scorecards import results as eval_results
from db.supervisors import rules
from db.validation import BlankIsNone, Day, OneLine, RowId, Stripped, validate

Specialty = Literal[rules.SPECIALTIES]


class SupervisorFields(BaseModel):
    """A supervisor as an admin enters it; the pool (district) and the code stay once added."""

    name: Annotated[str, OneLine, Stripped] = Field(min_length=2, max_length=80)
    kind: Literal[rules.KINDS] = "person"
    agency: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=120)
    agency_org_id: Optional[RowId] = None
    qualification: Annotated[str, OneLine, Stripped] = Field(min_length=2, max_length=80)
    qualified_until: Day
    specialties: list[Specialty] = Field(min_length=1, max_length=len(rules.SPECIALTIES))
    user_id: Optional[RowId] = None
    note: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=200)

    @field_validator("specialties")
    @classmethod
    def _in_order(cls, value: list[str]) -> list[str]:
        return [code for code in rules.SPECIALTIES if code in value]

    @model_validator(mode="after")
    def _agency_has_no_account(self) -> "SupervisorFields":
        if self.kind == "agency" and self.user_id is not None:
            raise DomainError("sup.error.agency_account", field="user_id")
        return self


class SupervisorCreate(SupervisorFields):
    district_id: RowId


class ReasonInput(BaseModel):
    reason: Annotated[str, OneLine, Stripped] = Field(min_length=rules.MIN_REASON_LENGTH, max_length=200)


class TieInput(BaseModel):
    org_id: RowId
    kind: Literal[rules.TIE_KINDS]
    ended_on: Optional[Day] = None
    note: Annotated[str, OneLine, Stripped] = Field(min_length=rules.MIN_REASON_LENGTH, max_length=200)


class SupervisorPublic(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    district_id: int
    agency: Optional[str]
    agency_org_id: Optional[int]
    qualification: str
    qualified_until: date
    user_id: Optional[int]
    active: bool
    note: Optional[str]
    specialties: list[str]


@dataclass(frozen=True)
class PoolFilter:
    """The pool page's filters; frozen so cached readers can key on it."""

    status: Optional[str] = "active"  # active | inactive | None (all)
    specialty: Optional[str] = None
    kind: Optional[str] = None
    search: Optional[str] = None


def pool_scope(actor: Actor, table=Supervisor) -> ColumnElement[bool]:
    """SQL: the supervisor belongs to a district pool within the actor's scope (pools are kept by districts)."""
    if actor.scope_level == "root":
        return true()
    return table.district_id == actor.scope_id if actor.scope_level == "district" else false()


def covers_district(actor: Actor, district_id: int) -> bool:
    return actor.scope_level == "root" or (actor.scope_level == "district" and actor.scope_id == district_id)


def _district(session: Session, actor: Actor, district_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, district_id)
    if unit is None or unit.level != "district" or not unit.active or not covers_district(actor, district_id):
        raise DomainError("sup.error.district", field="district_id")
    return unit


def supervisor_in_scope(session: Session, actor: Actor, supervisor_id: int) -> Supervisor:
    supervisor = session.get(Supervisor, supervisor_id)
    if supervisor is None or not covers_district(actor, supervisor.district_id):
        raise NotFound("error.not_found", entity="supervisor")
    return supervisor


def specialties_of(session: Session, supervisor_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = {}
    for supervisor_id, code in session.execute(select(SupervisorSpecialty.supervisor_id, SupervisorSpecialty.code)
                                               .where(SupervisorSpecialty.supervisor_id.in_(supervisor_ids))):
        found.setdefault(supervisor_id, set()).add(code)
    return {i: [c for c in rules.SPECIALTIES if c in found.get(i, set())] for i in supervisor_ids}


def _public(session: Session, supervisor: Supervisor) -> SupervisorPublic:
    return SupervisorPublic(**supervisor.model_dump(exclude={"created_at", "updated_at"}),
                            specialties=specialties_of(session, [supervisor.id])[supervisor.id])


def _record(session: Session, supervisor: Supervisor) -> dict:
    """What the audit log keeps of a supervisor (before and after an edit)."""
    return {**supervisor.model_dump(exclude={"id", "created_at", "updated_at"}),
            "specialties": specialties_of(session, [supervisor.id])[supervisor.id]}


def _check_links(session: Session, fields: SupervisorFields, district_id: int, supervisor_id: int | None) -> None:
    """The agency's organization lies in the pool's district; the account is an active evaluator's whose scope
    covers the district, and no other supervisor's."""
    if fields.agency_org_id is not None:
        org = session.get(SocialOrg, fields.agency_org_id)
        if org is None or org.district_id != district_id:
            raise DomainError("sup.error.agency_org", field="agency_org_id")
    if fields.user_id is not None:
        row = session.execute(select(AppUser, OrgUnit).join(OrgUnit, OrgUnit.id == AppUser.scope_id)
                              .where(AppUser.id == fields.user_id)).first()
        if (row is None or row[0].role != "evaluator" or not row[0].active
                or not (row[1].level == "root" or row[1].district_id == district_id)):
            raise DomainError("sup.error.account", field="user_id")
        other = session.execute(select(Supervisor.name).where(Supervisor.user_id == fields.user_id,
                                                              Supervisor.id != (supervisor_id or 0))).scalar()
        if other is not None:
            raise DomainError("sup.error.account_taken", field="user_id", name=other)


def _set_specialties(session: Session, supervisor_id: int, codes: list[str]) -> None:
    session.execute(delete(SupervisorSpecialty).where(SupervisorSpecialty.supervisor_id == supervisor_id))
    session.add_all([SupervisorSpecialty(supervisor_id=supervisor_id, code=code) for code in codes])
    session.flush()


def _next_code(session: Session, district: OrgUnit) -> str:
    prefix = f"{district.code}-"
    last = session.execute(select(func.max(Supervisor.code)).where(Supervisor.code.like(f"{prefix}%"))).scalar()
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:04d}"


def create_supervisor(engine: Engine, *, actor: Actor, data: dict) -> SupervisorPublic:
    """Add a person or an agency to a district's pool; the code is the district's next."""
    require(actor, "supervisors.manage")
    payload = validate(SupervisorCreate, data)
    now = clock.utcnow()
    try:
        with transaction(engine) as session:
            district = _district(session, actor, payload.district_id)
            _check_links(session, payload, district.id, None)
            supervisor = Supervisor(code=_next_code(session, district), created_at=now, updated_at=now,
                                    **payload.model_dump(exclude={"specialties"}))
            session.add(supervisor)
            session.flush()
            _set_specialties(session, supervisor.id, payload.specialties)
            audit.record(session, actor=actor, action="supervisor_create", entity="supervisor",
                         entity_id=supervisor.id, after=_record(session, supervisor))
            return _public(session, supervisor)
    except IntegrityError:  # two admins adding to one pool at once took the same code (PostgreSQL)
        raise DomainError("sup.error.concurrent") from None


def update_supervisor(engine: Engine, *, actor: Actor, supervisor_id: int, data: dict) -> SupervisorPublic:
    """Edit the fields; audited as what changed."""
    require(actor, "supervisors.manage")
    fields = validate(SupervisorFields, data)
    with transaction(engine) as session:
        supervisor = supervisor_in_scope(session, actor, supervisor_id)
        _check_links(session, fields, supervisor.district_id, supervisor.id)
        before = _record(session, supervisor)
        for name, value in fields.model_dump(exclude={"specialties"}).items():
            setattr(supervisor, name, value)
        supervisor.updated_at = clock.utcnow()
        _set_specialties(session, supervisor.id, fields.specialties)
        audit.record_change(session, actor=actor, action="supervisor_update", entity="supervisor",
                            entity_id=supervisor.id, before=before, after=_record(session, supervisor))
        return _public(session, supervisor)


def set_active(engine: Engine, *, actor: Actor, supervisor_id: int, active: bool, reason: str) -> SupervisorPublic:
    """Take a supervisor out of the pool (no longer drawn) or bring them back, with the reason in the audit log."""
    require(actor, "supervisors.manage")
    payload = validate(ReasonInput, {"reason": reason})
    with transaction(engine) as session:
        supervisor = supervisor_in_scope(session, actor, supervisor_id)
        if supervisor.active == active:
            raise DomainError("sup.error.status_same", name=supervisor.name)
        supervisor.active, supervisor.updated_at = active, clock.utcnow()
        audit.record(session, actor=actor, action="supervisor_activate" if active else "supervisor_deactivate",
                     entity="supervisor", entity_id=supervisor.id, before={"active": not active},
                     after={"active": active, "reason": payload.reason})
        return _public(session, supervisor)


def add_tie(engine: Engine, *, actor: Actor, supervisor_id: int, data: dict) -> int:
    """Record that an organization engaged the supervisor (until `ended_on`), or a conflict they declared."""
    require(actor, "supervisors.manage")
    payload = validate(TieInput, data)
    if payload.ended_on is not None and payload.ended_on > clock.today():
        raise DomainError("sup.error.ended_in_future", field="ended_on")
    with transaction(engine) as session:
        supervisor = supervisor_in_scope(session, actor, supervisor_id)
        org = session.get(SocialOrg, payload.org_id)
        if org is None or not covers_district(actor, org.district_id):
            raise DomainError("sup.error.tie_org", field="org_id")
        tie = SupervisorTie(supervisor_id=supervisor.id, recorded_at=clock.utcnow(), recorded_by=actor.username,
                            **payload.model_dump())
        session.add(tie)
        session.flush()
        audit.record(session, actor=actor, action="supervisor_tie", entity="supervisor", entity_id=supervisor.id,
                     after={**payload.model_dump(), "org": org.name})
        return tie.id


def get_supervisor(engine: Engine, *, actor: Actor, supervisor_id: int) -> SupervisorPublic:
    require(actor, "supervisors.read")
    with reading(engine) as session:
        return _public(session, supervisor_in_scope(session, actor, supervisor_id))


POOL_COLUMNS = ["id", "code", "name", "kind", "district_id", "district_name", "agency", "agency_org_id",
                "agency_org_name", "qualification", "qualified_until", "user_id", "username", "active", "note",
                "specialties"]


def pool(engine: Engine, *, actor: Actor, filters: PoolFilter = PoolFilter()) -> pd.DataFrame:
    """The supervisors in scope with their specialties (codes, comma-separated, in SPECIALTIES order)."""
    require(actor, "supervisors.read")
    query = (select(Supervisor.id, Supervisor.code, Supervisor.name, Supervisor.kind, Supervisor.district_id,
                    OrgUnit.name.label("district_name"), Supervisor.agency, Supervisor.agency_org_id,
                    SocialOrg.name.label("agency_org_name"), Supervisor.qualification, Supervisor.qualified_until,
                    Supervisor.user_id, AppUser.username, Supervisor.active, Supervisor.note)
             .join(OrgUnit, OrgUnit.id == Supervisor.district_id)
             .outerjoin(SocialOrg, SocialOrg.id == Supervisor.agency_org_id)
             .outerjoin(AppUser, AppUser.id == Supervisor.user_id)
             .where(pool_scope(actor)).order_by(Supervisor.code))
    if filters.status in ("active", "inactive"):
        query = query.where(Supervisor.active == (filters.status == "active"))
    if filters.kind:
        query = query.where(Supervisor.kind == filters.kind)
    if filters.specialty:
        query = query.where(Supervisor.id.in_(select(SupervisorSpecialty.supervisor_id)
                                              .where(SupervisorSpecialty.code == filters.specialty)))
    if filters.search:
        like = f"%{filters.search.strip()}%"
        query = query.where(or_(Supervisor.name.like(like), Supervisor.agency.like(like),
                                Supervisor.code.like(like), Supervisor.qualification.like(like)))
    with reading(engine) as session:
        rows = session.execute(query).mappings().all()
        codes = specialties_of(session, [row["id"] for row in rows])
    frame = pd.DataFrame([{**row, "specialties": ",".join(codes[row["id"]])} for row in rows], columns=POOL_COLUMNS)
    return frame.astype({"active": bool})


def counts(engine: Engine, *, actor: Actor, today: date | None = None) -> dict[str, int]:
    """The pool's headline: active persons and agencies, qualifications expiring soon and expired (active ones)."""
    require(actor, "supervisors.read")
    today = today or clock.today()
    active = and_(pool_scope(actor), Supervisor.active == True)  # noqa: E712
    with engine.connect() as conn:
        kinds = dict(conn.execute(select(Supervisor.kind, func.count()).where(active).group_by(Supervisor.kind)).all())
        expired = conn.execute(select(func.count()).where(active, Supervisor.qualified_until < today)).scalar_one()
        expiring = conn.execute(select(func.count()).where(
            active, Supervisor.qualified_until >= today,
            Supervisor.qualified_until <= today + timedelta(days=rules.EXPIRING_DAYS))).scalar_one()
    return {"persons": int(kinds.get("person", 0)), "agencies": int(kinds.get("agency", 0)),
            "expiring": int(expiring), "expired": int(expired)}


TIE_COLUMNS = ["id", "org_id", "org_name", "kind", "ended_on", "note", "recorded_at", "recorded_by"]


def ties(engine: Engine, *, actor: Actor, supervisor_id: int) -> pd.DataFrame:
    require(actor, "supervisors.read")
    with reading(engine) as session:
        supervisor_in_scope(session, actor, supervisor_id)
        rows = session.execute(
            select(SupervisorTie.id, SupervisorTie.org_id, SocialOrg.name.label("org_name"), SupervisorTie.kind,
                   SupervisorTie.ended_on, SupervisorTie.note, SupervisorTie.recorded_at, SupervisorTie.recorded_by)
            .join(SocialOrg, SocialOrg.id == SupervisorTie.org_id)
            .where(SupervisorTie.supervisor_id == supervisor_id).order_by(SupervisorTie.id)).mappings().all()
    return pd.DataFrame(rows, columns=TIE_COLUMNS)


RECORD_COLUMNS = ["id", "engagements", "engagements_12m", "last_drawn_on", "assignments", "due", "on_time",
                  "on_time_rate", "scorecards", "mean_deviation"]


def record(engine: Engine, *, actor: Actor, today: date | None = None) -> pd.DataFrame:
    """Each supervisor in scope: engagements (members of current draws; in the last WORKLOAD_MONTHS too), their
    account's assignments, how many were due (submitted, or open past the due date), how many of those were in
    by the due date and the rate, and the mean deviation of their totals from their panels' results."""
    require(actor, "supervisors.read")
    today = today or clock.today()
    recent = SupervisorDraw.drawn_on > rules.workload_since(today)
    engaged = (select(SupervisorDrawMember.supervisor_id.label("id"), func.count().label("engagements"),
                      func.coalesce(func.sum(case((recent, 1), else_=0)), 0).label("engagements_12m"),
                      func.max(SupervisorDraw.drawn_on).label("last_drawn_on"))
               .join(SupervisorDraw, SupervisorDraw.id == SupervisorDrawMember.draw_id)
               .join(Supervisor, Supervisor.id == SupervisorDrawMember.supervisor_id)
               .where(SupervisorDraw.status == "current", pool_scope(actor))
               .group_by(SupervisorDrawMember.supervisor_id))
    work = (select(Supervisor.id, Assignment.status, Assignment.submitted_at, Evaluation.due_on)
            .join(Assignment, Assignment.evaluator_id == Supervisor.user_id)
            .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
            .where(pool_scope(actor), Assignment.status != "recused"))
    with engine.connect() as conn:
        ids = list(conn.execute(select(Supervisor.id, Supervisor.user_id).where(pool_scope(actor))).all())
        engagements = {row.id: row for row in conn.execute(engaged)}
        tally: dict[int, list[int]] = {}
        for supervisor_id, status, submitted_at, due_on in conn.execute(work):
            counts_ = tally.setdefault(supervisor_id, [0, 0, 0])  # assignments, due, on time
            counts_[0] += 1
            if status == "submitted":
                counts_[1] += 1
                counts_[2] += clock.local_date(submitted_at) <= due_on
            elif due_on < today:
                counts_[1] += 1
    calibration = eval_results.calibration(engine, actor=actor).set_index("evaluator_id")
    rows = []
    for supervisor_id, user_id in ids:
        got = engagements.get(supervisor_id)
        assignments, due, on_time = tally.get(supervisor_id, [0, 0, 0])
        calibrated = calibration.loc[user_id] if user_id is not None and user_id in calibration.index else None
        rows.append({"id": supervisor_id, "engagements": int(got.engagements) if got else 0,
                     "engagements_12m": int(got.engagements_12m) if got else 0,
                     "last_drawn_on": got.last_drawn_on if got else None, "assignments": assignments, "due": due,
                     "on_time": on_time, "on_time_rate": on_time / due if due else None,
                     "scorecards": int(calibrated["scorecards"]) if calibrated is not None else 0,
                     "mean_deviation": float(calibrated["mean_deviation"]) if calibrated is not None else None})
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def account_options(engine: Engine, *, actor: Actor, district_id: int) -> pd.DataFrame:
    """Evaluator accounts a person of the district's pool may be linked to (active, covering the district)."""
    require(actor, "supervisors.manage")
    query = (select(AppUser.id, AppUser.username, AppUser.display_name, Supervisor.id.label("supervisor_id"))
             .join(OrgUnit, OrgUnit.id == AppUser.scope_id)
             .outerjoin(Supervisor, Supervisor.user_id == AppUser.id)
             .where(AppUser.role == "evaluator", AppUser.active == True,  # noqa: E712
                    or_(OrgUnit.level == "root", OrgUnit.district_id == district_id))
             .order_by(AppUser.display_name))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "username", "display_name", "supervisor_id"])


def org_options(engine: Engine, *, actor: Actor, district_id: int | None = None) -> pd.DataFrame:
    """Social organizations of the districts in scope (an agency's link, a tie, a draw's subject)."""
    require(actor, "supervisors.read")
    query = (select(SocialOrg.id, SocialOrg.name, SocialOrg.domain, SocialOrg.district_id, SocialOrg.active)
             .where(pool_scope(actor, SocialOrg)).order_by(SocialOrg.name))
    if district_id is not None:
        query = query.where(SocialOrg.district_id == district_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "name", "domain", "district_id", "active"])


def districts(engine: Engine, *, actor: Actor) -> dict[int, str]:
    """The districts whose pools the actor keeps or reads."""
    require(actor, "supervisors.read")
    query = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.level == "district", OrgUnit.active == True)  # noqa: E712
    if actor.scope_level != "root":
        query = query.where(OrgUnit.id == actor.scope_id) if actor.scope_level == "district" else query.where(false())
    with engine.connect() as conn:
        return dict(conn.execute(query.order_by(OrgUnit.code)).all())
