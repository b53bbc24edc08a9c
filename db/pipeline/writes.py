"""Writing projects: register, edit, move one stage forward or back, terminate. Admin only; each write
checks role and scope, validates, and records a stage event and an audit row in one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.pipeline import CatalogueItem, Project, SocialOrg, StageEvent
from db.pipeline import rules
from db.pipeline.projects import ProjectDetail, get_project, in_scope
from db.pipeline.social_orgs import rating_status
from db.validation import BlankIsNone, Day, Money, OptionalCount, OptionalMoney, rule, validate

MONEY = ("budget", "contract_amount", "personnel_cost", "management_fee", "disbursed")


class ProjectCreate(BaseModel):
    """A project as registered or edited. Field order matters: each cross-field rule reads fields
    declared above it (the caps read budget, disbursed reads contract_amount, ended_on reads started_on)."""

    title: Annotated[str, BlankIsNone] = Field(min_length=2, max_length=120)
    summary: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=2000)
    domain: Literal[rules.DOMAINS]
    batch: Annotated[str, BlankIsNone] = Field(min_length=2, max_length=60)
    year: int = Field(ge=2000, le=2100)
    buyer: Annotated[str, BlankIsNone] = Field(min_length=2, max_length=60)
    org_unit_id: int = Field(gt=0)
    catalogue_item_id: Optional[int] = Field(default=None, gt=0)
    off_catalogue_service: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=120, validate_default=True)
    contractor_org_id: Optional[int] = Field(default=None, gt=0)
    budget: Money = Field(gt=0)
    contract_amount: OptionalMoney = None
    personnel_cost: Money = 0
    management_fee: Money = 0
    disbursed: Money = 0
    started_on: Optional[Day] = None
    ended_on: Optional[Day] = None
    target_beneficiaries: OptionalCount = None
    actual_beneficiaries: OptionalCount = None

    @field_validator("off_catalogue_service")
    @classmethod
    def _service_named(cls, value, info: ValidationInfo):
        if info.data.get("catalogue_item_id") is None and "catalogue_item_id" in info.data and not value:
            raise rule("rule.pipe.catalogue_or_service")
        return value

    @field_validator("contract_amount")
    @classmethod
    def _contract_within_budget(cls, value, info: ValidationInfo):
        budget = info.data.get("budget")
        if value is not None and budget is not None and value > budget:
            raise rule("rule.pipe.contract_over_budget", budget=budget)
        return value

    @field_validator("personnel_cost")
    @classmethod
    def _personnel_cap(cls, value, info: ValidationInfo):
        budget = info.data.get("budget")
        if budget is not None and value * 100 > budget * rules.PERSONNEL_CAP_PERCENT:
            raise rule("rule.pipe.personnel_cap", cap=rules.PERSONNEL_CAP_PERCENT)
        return value

    @field_validator("management_fee")
    @classmethod
    def _management_cap(cls, value, info: ValidationInfo):
        budget = info.data.get("budget")
        if budget is not None and value * 100 > budget * rules.MANAGEMENT_FEE_CAP_PERCENT:
            raise rule("rule.pipe.management_cap", cap=rules.MANAGEMENT_FEE_CAP_PERCENT)
        return value

    @field_validator("disbursed")
    @classmethod
    def _disbursed_within_contract(cls, value, info: ValidationInfo):
        if "contract_amount" in info.data and value > (info.data["contract_amount"] or 0):
            raise rule("rule.pipe.disbursed_over_contract", contract=info.data["contract_amount"] or 0)
        return value

    @field_validator("ended_on")
    @classmethod
    def _end_after_start(cls, value, info: ValidationInfo):
        started = info.data.get("started_on")
        if value is not None and started is not None and value < started:  # a one-day event may end on its start
            raise rule("rule.pipe.end_after_start")
        return value


class ProjectUpdate(ProjectCreate):
    """An edit sends every field again, under the same rules (the stage moves only by advance and the like)."""


class NoteInput(BaseModel):
    """The optional note on a stage move: refused, not cut, when too long (the event column holds 500)."""
    note: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=500)


class ReasonInput(BaseModel):
    reason: str

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value):
        text = value.strip() if isinstance(value, str) else ""
        if len(text) < rules.MIN_REASON_LENGTH:
            raise rule("rule.min_length", min_length=rules.MIN_REASON_LENGTH)
        if len(text) > 500:
            raise rule("rule.max_length", max_length=500)
        return text


def _reason(value: str | None, field: str) -> str:
    try:
        return validate(ReasonInput, {"reason": value}).reason
    except DomainError as err:
        raise DomainError(err.code, field, **err.params) from None


def _load(session: Session, actor: Actor, code: str) -> Project:
    """The project row, locked for this transaction; out of scope reads as not found."""
    if not isinstance(code, str) or "\x00" in code:  # PostgreSQL refuses NUL in a text parameter
        raise NotFound("error.not_found", entity="project")
    project = session.execute(select(Project).where(Project.code == (code or "").strip())
                              .with_for_update()).scalar_one_or_none()
    if project is None or not in_scope(actor, project):
        raise NotFound("error.not_found", entity="project")
    return project


def _place(session: Session, actor: Actor, unit_id: int) -> OrgUnit:
    unit = require_unit_in_scope(session, actor, unit_id)
    if unit.level not in ("street", "community"):
        raise DomainError("pipe.error.unit_level", field="org_unit_id")
    return unit


def _check_references(session: Session, payload: ProjectCreate, contractor_now: int | None = None) -> None:
    """The catalogue item and contractor exist; a deactivated (已注销) organization is no new contractor, but a
    project that already has it keeps it (`contractor_now`)."""
    if payload.catalogue_item_id is not None and session.get(CatalogueItem, payload.catalogue_item_id) is None:
        raise DomainError("pipe.error.unknown_catalogue_item", field="catalogue_item_id")
    if payload.contractor_org_id is not None:
        org = session.get(SocialOrg, payload.contractor_org_id)
        if org is None:
            raise DomainError("pipe.error.unknown_contractor", field="contractor_org_id")
        if not org.active and org.id != contractor_now:
            raise DomainError("pipe.error.contractor_inactive", field="contractor_org_id", name=org.name)


def _contractor_cleared(session: Session, org_id: int | None, exception_reason: str | None,
                        today: date) -> str | None:
    """Enforce the rating rule for signing with `org_id`. Returns the exception reason when one was
    needed and given, None when the rating suffices; raises when neither."""
    if org_id is None:
        raise DomainError("pipe.error.contractor_required", field="contractor_org_id")
    row = session.execute(select(SocialOrg.name, SocialOrg.grade, SocialOrg.grade_valid_until,
                                 rating_status(today).label("status")).where(SocialOrg.id == org_id)).one()
    if row.status == "ok":
        return None
    if exception_reason and exception_reason.strip():
        return _reason(exception_reason, "exception_reason")
    params = {"name": row.name, "min_grade": rules.MIN_GRADE}
    if row.status == "low":
        params["grade"] = row.grade
    if row.status == "expired":
        params["valid_until"] = row.grade_valid_until.isoformat()
    raise DomainError(f"pipe.error.rating_{row.status}", field="contractor_org_id", **params)


def _due(stage: str, today: date) -> date | None:
    limit = rules.stage_limit(stage)
    return today + timedelta(days=limit) if limit is not None else None


def _event(session: Session, actor: Actor, project: Project, kind: str, from_stage: str | None,
           note: str | None) -> None:
    session.add(StageEvent(project_id=project.id, kind=kind, from_stage=from_stage, to_stage=project.stage,
                           at=clock.utcnow(), user_id=actor.user_id, username=actor.username, note=note))


def _new_code(session: Session, district: OrgUnit, year: int) -> str:
    prefix = f"{district.code}-{year}-"
    last = session.execute(select(Project.code).where(Project.code.like(prefix + "%"))
                           .order_by(Project.code.desc()).limit(1)).scalar_one_or_none()
    return f"{prefix}{(int(last[len(prefix):]) if last else 0) + 1:04d}"


def create_project(engine: Engine, *, actor: Actor, data: dict) -> ProjectDetail:
    """Register a project; it starts at the first stage (需求摸排)."""
    require(actor, "pipeline.write")
    payload = validate(ProjectCreate, data)
    with transaction(engine) as session:
        code = add_project(session, actor=actor, payload=payload).code
    return get_project(engine, actor=actor, code=code)


def add_project(session: Session, *, actor: Actor, payload: ProjectCreate) -> Project:
    """The registration itself, in the caller's transaction: placed within the actor's scope, at the first stage,
    with its creation event and audit row. The caller has checked the actor's permission (create_project: a
    pipeline writer; db.community.adoption: staff carrying an adopted residents' proposal into the pipeline)."""
    today, now = clock.today(), clock.utcnow()
    unit = _place(session, actor, payload.org_unit_id)
    _check_references(session, payload)
    stage = rules.STAGES[0]
    project = Project(
        **payload.model_dump(), code=_new_code(session, session.get(OrgUnit, unit.district_id), payload.year),
        district_id=unit.district_id, street_id=unit.street_id, community_id=unit.community_id,
        stage=stage, stage_entered_on=today, stage_due=_due(stage, today), created_at=now, updated_at=now)
    session.add(project)
    session.flush()
    _event(session, actor, project, "create", None, None)
    audit.record(session, actor=actor, action="project_create", entity="project", entity_id=project.code,
                 after=payload.model_dump())
    return project


def update_project(engine: Engine, *, actor: Actor, code: str, data: dict,
                   exception_reason: str | None = None) -> ProjectDetail:
    """Edit a project's fields; the stage is changed only by advance, move_back and terminate."""
    require(actor, "pipeline.write")
    payload = validate(ProjectUpdate, data)
    today = clock.today()
    with transaction(engine) as session:
        project = _load(session, actor, code)
        unit = _place(session, actor, payload.org_unit_id)
        _check_references(session, payload, project.contractor_org_id)
        contracted = project.stage in rules.CONTRACTED_STAGES or project.stage == rules.CLOSED
        if contracted and payload.contract_amount is None:
            raise DomainError("pipe.error.contract_required", field="contract_amount")
        if contracted and payload.contractor_org_id != project.contractor_org_id:
            exception = _contractor_cleared(session, payload.contractor_org_id, exception_reason, today)
            project.rating_exception = exception
        new = payload.model_dump()
        before = {key: getattr(project, key) for key in new if getattr(project, key) != new[key]}
        if not before:
            raise DomainError("pipe.error.nothing_changed")
        new_place = project.org_unit_id != unit.id
        for key, value in new.items():
            setattr(project, key, value)
        if new_place:  # a unit moved since registration leaves its projects with their buyer (db.unit_registry)
            project.district_id, project.street_id, project.community_id = (unit.district_id, unit.street_id,
                                                                            unit.community_id)
        project.updated_at = clock.utcnow()
        _event(session, actor, project, "edit", project.stage, ", ".join(sorted(before)))
        audit.record(session, actor=actor, action="project_update", entity="project", entity_id=project.code,
                     before=before, after={key: new[key] for key in before})
    return get_project(engine, actor=actor, code=code)


def _expect(project: Project, expected_stage: str | None) -> None:
    """Refuse when someone moved the project since the form was drawn."""
    if expected_stage is not None and project.stage != expected_stage:
        raise DomainError("pipe.error.stage_changed", stage=project.stage)


def advance(engine: Engine, *, actor: Actor, code: str, note: str | None = None,
            exception_reason: str | None = None, expected_stage: str | None = None) -> ProjectDetail:
    """Move one stage forward (after follow-up: close). Leaving the tender needs an eligible contractor
    and a contract amount, or a recorded exception for the contractor's rating."""
    require(actor, "pipeline.write")
    note = validate(NoteInput, {"note": note}).note
    today = clock.today()
    with transaction(engine) as session:
        project = _load(session, actor, code)
        _expect(project, expected_stage)
        target = rules.next_state(project.stage)
        if target is None:
            raise DomainError("pipe.error.cannot_advance", stage=project.stage)
        exception = None
        if project.stage == rules.TENDER:
            exception = _contractor_cleared(session, project.contractor_org_id, exception_reason, today)
            if not project.contract_amount:
                raise DomainError("pipe.error.contract_required", field="contract_amount")
            project.rating_exception = exception
            project.started_on = project.started_on or min(today, project.ended_on or today)
        if target == rules.STAGES[-1]:
            # never before the start: a start planned after today ends the same day, keeping start <= end
            project.ended_on = project.ended_on or max(today, project.started_on or today)
        origin = project.stage
        project.stage, project.stage_entered_on, project.stage_due = target, today, _due(target, today)
        project.updated_at = clock.utcnow()
        text = note if not exception else "; ".join(filter(None, [note, exception]))
        _event(session, actor, project, "advance", origin, text)
        audit.record(session, actor=actor, action="project_advance", entity="project", entity_id=project.code,
                     before={"stage": origin}, after={"stage": target, "note": note})
        if exception:
            audit.record(session, actor=actor, action="project_rating_exception", entity="project",
                         entity_id=project.code, after={"contractor_org_id": project.contractor_org_id,
                                                        "reason": exception})
    return get_project(engine, actor=actor, code=code)


def move_back(engine: Engine, *, actor: Actor, code: str, reason: str,
              expected_stage: str | None = None) -> ProjectDetail:
    """Return a project to its previous stage (or reopen a closed one); a reason is required."""
    require(actor, "pipeline.write")
    reason = _reason(reason, "reason")
    today = clock.today()
    with transaction(engine) as session:
        project = _load(session, actor, code)
        _expect(project, expected_stage)
        target = rules.previous_state(project.stage)
        if target is None:
            raise DomainError("pipe.error.cannot_move_back", stage=project.stage)
        origin = project.stage
        project.stage, project.stage_entered_on, project.stage_due = target, today, _due(target, today)
        project.updated_at = clock.utcnow()
        _event(session, actor, project, "back", origin, reason)
        audit.record(session, actor=actor, action="project_back", entity="project", entity_id=project.code,
                     before={"stage": origin}, after={"stage": target, "reason": reason})
    return get_project(engine, actor=actor, code=code)


def terminate(engine: Engine, *, actor: Actor, code: str, reason: str,
              expected_stage: str | None = None) -> ProjectDetail:
    """Stop a project that has not closed; a reason is required."""
    require(actor, "pipeline.write")
    reason = _reason(reason, "reason")
    with transaction(engine) as session:
        project = _load(session, actor, code)
        _expect(project, expected_stage)
        if project.stage not in rules.STAGES:
            raise DomainError("pipe.error.cannot_terminate", stage=project.stage)
        origin = project.stage
        project.stage, project.stage_entered_on, project.stage_due = rules.TERMINATED, clock.today(), None
        project.termination_reason = reason
        project.updated_at = clock.utcnow()
        _event(session, actor, project, "terminate", origin, reason)
        audit.record(session, actor=actor, action="project_terminate", entity="project", entity_id=project.code,
                     before={"stage": origin}, after={"stage": rules.TERMINATED, "reason": reason})
    return get_project(engine, actor=actor, code=code)
