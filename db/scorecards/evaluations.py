"""Evaluations, the admin's side: create an evaluation, assign evaluators, follow progress, reopen a
submitted scorecard, write the report text. The evaluator's side is db/scorecards/entry.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Optional

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import AppUser, OrgUnit
from db.models.funds import GrantApplication
from db.models.pipeline import Project
from db.models.scorecards import Assignment, Evaluation, ScoreTemplate
from db.pipeline.projects import in_scope, project_scope
from db.scorecards import rules
from db.scorecards.panels import store_panels
from db.validation import BlankIsNone, DueDay, NoneIsBlank, OneLine, RowId, Stripped, validate

# A panel is a handful of people; the bound keeps a pasted list from becoming thousands of lookups.
MAX_PANEL = 50
EvaluatorIds = Annotated[list[RowId], Field(max_length=MAX_PANEL)]
# why evaluators were put on a panel by hand rather than drawn from the supervisor pool (db/supervisors/draws.py)
HandReason = Annotated[Optional[str], BlankIsNone, OneLine]


class EvaluationCreate(BaseModel):
    project_id: RowId
    template_id: RowId
    agency: Annotated[str, Stripped] = Field(min_length=2, max_length=80)
    due_on: DueDay
    evaluator_ids: EvaluatorIds = Field(default_factory=list)
    assign_reason: HandReason = Field(default=None, max_length=200)


class AssignInput(BaseModel):
    evaluator_ids: EvaluatorIds = Field(min_length=1)
    assign_reason: HandReason = Field(default=None, max_length=200)


def hand_reason(reason: str | None) -> str:
    """The reason evaluators are assigned by hand; without one they come from a draw."""
    if not reason or len(reason) < rules.MIN_HAND_REASON_LENGTH:
        raise DomainError("eval.error.hand_reason", field="assign_reason", min=rules.MIN_HAND_REASON_LENGTH)
    return reason


class ReportInput(BaseModel):
    summary: Annotated[str, NoneIsBlank] = Field(default="", max_length=4000)
    conclusion: Annotated[str, NoneIsBlank] = Field(default="", max_length=4000)
    findings: Annotated[str, NoneIsBlank] = Field(default="", max_length=4000)
    recommendations: Annotated[str, NoneIsBlank] = Field(default="", max_length=4000)


class ReasonInput(BaseModel):
    reason: Annotated[str, NoneIsBlank] = Field(min_length=rules.MIN_REASON_LENGTH, max_length=500)


class EvaluationPublic(BaseModel):
    id: int
    project_id: int
    project_code: str
    project_title: str
    round: str
    template_id: int
    agency: str
    due_on: date
    status: str
    completed_at: Optional[datetime]
    summary: str
    conclusion: str
    findings: str
    recommendations: str




def evaluation_in_scope(session: Session, actor: Actor, evaluation_id: int) -> tuple[Evaluation, Project]:
    row = session.execute(select(Evaluation, Project).join(Project, Project.id == Evaluation.project_id)
                          .where(Evaluation.id == evaluation_id)).first()
    if row is None or not in_scope(actor, row[1]):
        raise NotFound("error.not_found", entity="evaluation")
    return row[0], row[1]


def subject_in_scope(session: Session, actor: Actor, evaluation_id: int) -> tuple[Evaluation, object]:
    """An evaluation with what it evaluates: a project, or a 微创投 application (db/funds/reviews.py), both
    carrying district, street and community ids; outside the actor's scope it reads as not found."""
    evaluation = session.get(Evaluation, evaluation_id)
    subject = None
    if evaluation is not None:
        subject = (session.get(Project, evaluation.project_id) if evaluation.project_id is not None
                   else session.get(GrantApplication, evaluation.application_id))
    if subject is None or not in_scope(actor, subject):
        raise NotFound("error.not_found", entity="evaluation")
    return evaluation, subject


def _public(evaluation: Evaluation, project: Project) -> EvaluationPublic:
    return EvaluationPublic(**evaluation.model_dump(exclude={"created_at", "created_by", "project_id"}),
                            project_id=project.id, project_code=project.code, project_title=project.title)


def refresh_status(session: Session, evaluation_id: int) -> None:
    """Completed once every evaluator not recused has submitted (and at least one has); the stored panel
    figures follow in the same transaction."""
    session.flush()
    store_panels(session, [evaluation_id])
    stored = session.get(Evaluation, evaluation_id)
    if stored is not None:
        session.expire(stored, ["scorecards", "panel_mean", "result"])
    counts = dict(session.execute(select(Assignment.status, func.count())
                                  .where(Assignment.evaluation_id == evaluation_id)
                                  .group_by(Assignment.status)).all())
    evaluation = session.get(Evaluation, evaluation_id)
    done = counts.get("submitted", 0) > 0 and not counts.get("not_started", 0) and not counts.get("draft", 0)
    if done and evaluation.status != "completed":
        evaluation.status, evaluation.completed_at = "completed", clock.utcnow()
    elif not done and evaluation.status != "open":
        evaluation.status, evaluation.completed_at = "open", None


def create_evaluation(engine: Engine, *, actor: Actor, data: dict) -> EvaluationPublic:
    """The round comes from the template (its newest version); one evaluation per project and round."""
    require(actor, "scorecards.manage")
    payload = validate(EvaluationCreate, data)
    if payload.due_on < clock.today():
        raise DomainError("eval.error.due_in_past", field="due_on")
    reason = hand_reason(payload.assign_reason) if payload.evaluator_ids else None
    with transaction(engine) as session:
        project = session.get(Project, payload.project_id)
        if project is None or not in_scope(actor, project):
            raise NotFound("error.not_found", entity="project")
        template = session.get(ScoreTemplate, payload.template_id)
        if template is None:
            raise NotFound("error.not_found", entity="score_template")
        newest = session.execute(select(func.max(ScoreTemplate.version)).where(ScoreTemplate.code == template.code)
                                 ).scalar_one()
        if template.version != newest:
            raise DomainError("eval.error.template_superseded", field="template_id", version=newest)
        if session.execute(select(Evaluation.id).where(Evaluation.project_id == project.id,
                                                       Evaluation.round == template.round)).first():
            raise DomainError("eval.error.round_exists", field="template_id", project=project.code)
        evaluation = Evaluation(project_id=project.id, template_id=template.id, round=template.round,
                                agency=payload.agency, due_on=payload.due_on, status="open",
                                created_at=clock.utcnow(), created_by=actor.username)
        session.add(evaluation)
        session.flush()
        add_assignments(session, evaluation.id, project, payload.evaluator_ids, reason=reason)
        result = _public(evaluation, project)
        audit.record(session, actor=actor, action="evaluation_create", entity="evaluation", entity_id=evaluation.id,
                     after=payload.model_dump() | {"round": template.round})
    return result


def get_evaluation(engine: Engine, *, actor: Actor, evaluation_id: int) -> EvaluationPublic:
    require(actor, "scorecards.project")
    with reading(engine) as session:
        return _public(*evaluation_in_scope(session, actor, evaluation_id))


def evaluator_covers(scope_level: str, scope_id: int, project: Project) -> bool:
    """Whether an evaluator scoped to (scope_level, scope_id) covers the project: the test an actor's
    project scope makes (db.pipeline.projects.in_scope); evaluators() holds its SQL twin."""
    if scope_level == "root":
        return True
    column = {"district": "district_id", "street": "street_id", "community": "community_id"}.get(scope_level)
    return column is not None and getattr(project, column) == scope_id


def add_assignments(session: Session, evaluation_id: int, project: Project, evaluator_ids: list[int], *,
                    reason: str | None = None, draw_id: int | None = None) -> None:
    """Put evaluators on the panel, by hand with a reason or from a draw (its id); the caller checked the actor."""
    if evaluator_ids and reason is None and draw_id is None:
        raise DomainError("eval.error.hand_reason", field="assign_reason", min=rules.MIN_HAND_REASON_LENGTH)
    taken = set(session.execute(select(Assignment.evaluator_id)
                                .where(Assignment.evaluation_id == evaluation_id)).scalars())
    for user_id in dict.fromkeys(int(i) for i in evaluator_ids):
        user = session.get(AppUser, user_id)
        if user is None or user.role != rules.EVALUATOR or not user.active:
            raise DomainError("eval.error.not_an_evaluator", field="evaluator_ids")
        # an evaluator of another district may not score this one's projects (nor see them afterwards)
        scope = session.get(OrgUnit, user.scope_id)
        if not evaluator_covers(scope.level, scope.id, project):
            raise DomainError("eval.error.evaluator_out_of_scope", field="evaluator_ids", name=user.display_name)
        if user.id in taken:
            raise DomainError("eval.error.already_assigned", field="evaluator_ids", name=user.display_name)
        session.add(Assignment(evaluation_id=evaluation_id, evaluator_id=user.id, status="not_started",
                               updated_at=clock.utcnow(), draw_id=draw_id, assigned_reason=reason))
    session.flush()
    refresh_status(session, evaluation_id)


def assign(engine: Engine, *, actor: Actor, evaluation_id: int, evaluator_ids: list[int],
           reason: str | None = None) -> int:
    """Add evaluators to the panel by hand, saying why (a draw adds them without: db/supervisors/draws.py);
    returns how many were added."""
    require(actor, "scorecards.manage")
    if not evaluator_ids:
        raise DomainError("rule.required", field="evaluator_ids")
    payload = validate(AssignInput, {"evaluator_ids": evaluator_ids, "assign_reason": reason})
    reason = hand_reason(payload.assign_reason)
    ids = list(dict.fromkeys(payload.evaluator_ids))
    with transaction(engine) as session:
        evaluation, project = evaluation_in_scope(session, actor, evaluation_id)
        add_assignments(session, evaluation.id, project, ids, reason=reason)
        audit.record(session, actor=actor, action="evaluation_assign", entity="evaluation", entity_id=evaluation.id,
                     after={"evaluator_ids": ids, "reason": reason})
    return len(ids)


def remove_drawn(session: Session, evaluation_id: int, draw_id: int) -> list[int]:
    """Take a superseded draw's evaluators off the panel (the caller checked the actor); refused whole when one
    of them has started scoring. Returns the evaluator ids taken off."""
    drawn = session.execute(select(Assignment).where(Assignment.evaluation_id == evaluation_id,
                                                     Assignment.draw_id == draw_id)).scalars().all()
    if any(a.status not in ("not_started", "recused") for a in drawn):
        raise DomainError("eval.error.assignment_started")
    for assignment in drawn:
        session.delete(assignment)
    session.flush()
    refresh_status(session, evaluation_id)
    return [a.evaluator_id for a in drawn]


def remove_assignment(engine: Engine, *, actor: Actor, assignment_id: int) -> None:
    """Take an evaluator off a panel before they have scored anything."""
    require(actor, "scorecards.manage")
    with transaction(engine) as session:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFound("error.not_found", entity="assignment")
        evaluation_in_scope(session, actor, assignment.evaluation_id)
        if assignment.status not in ("not_started", "recused"):
            raise DomainError("eval.error.assignment_started")
        session.delete(assignment)
        session.flush()
        refresh_status(session, assignment.evaluation_id)
        audit.record(session, actor=actor, action="assignment_remove", entity="assignment", entity_id=assignment_id,
                     before={"evaluation_id": assignment.evaluation_id, "evaluator_id": assignment.evaluator_id})


def reopen(engine: Engine, *, actor: Actor, assignment_id: int, reason: str) -> None:
    """Only an admin reopens a submitted scorecard, and says why; the evaluator can then change it."""
    require(actor, "scorecards.manage")
    payload = validate(ReasonInput, {"reason": reason})
    with transaction(engine) as session:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFound("error.not_found", entity="assignment")
        subject_in_scope(session, actor, assignment.evaluation_id)
        if assignment.status != "submitted":
            raise DomainError("eval.error.not_submitted")
        before = {"status": assignment.status, "total": assignment.total}
        assignment.status, assignment.total, assignment.submitted_at = "draft", None, None
        assignment.reopened_reason, assignment.reopened_at = payload.reason, clock.utcnow()
        assignment.reopened_by, assignment.updated_at = actor.username, clock.utcnow()
        session.flush()
        refresh_status(session, assignment.evaluation_id)
        audit.record(session, actor=actor, action="scorecard_reopen", entity="assignment", entity_id=assignment.id,
                     before=before, after={"status": "draft", "reason": payload.reason})


def update_report(engine: Engine, *, actor: Actor, evaluation_id: int, data: dict) -> EvaluationPublic:
    """The report's text sections (基本情况 beyond the project facts, 评价结论, 主要问题, 整改建议)."""
    require(actor, "scorecards.manage")
    payload = validate(ReportInput, data)
    with transaction(engine) as session:
        evaluation, project = evaluation_in_scope(session, actor, evaluation_id)
        before = {key: getattr(evaluation, key) for key in payload.model_fields}
        for key, value in payload.model_dump().items():
            setattr(evaluation, key, value)
        result = _public(evaluation, project)
        audit.record(session, actor=actor, action="evaluation_report", entity="evaluation", entity_id=evaluation.id,
                     before=before, after=payload.model_dump())
    return result


def _status_count(status: str):
    return func.coalesce(func.sum(case((Assignment.status == status, 1), else_=0)), 0)


PROGRESS_COLUMNS = ["id", "project_id", "project_code", "project_title", "round", "agency", "due_on", "status",
                    "assigned", "not_started", "draft", "submitted", "recused", "overdue"]


def progress(engine: Engine, *, actor: Actor, round: str | None = None, status: str | None = None,
             overdue_only: bool = False, today: date | None = None, year: int | None = None) -> pd.DataFrame:
    """Each evaluation in scope with its panel's counts by status; overdue: open past its due date;
    year: the project's year."""
    require(actor, "scorecards.results")
    today = today or clock.today()
    overdue = and_(Evaluation.status == "open", Evaluation.due_on < today)
    query = (
        select(Evaluation.id, Project.id.label("project_id"), Project.code.label("project_code"),
               Project.title.label("project_title"), Evaluation.round, Evaluation.agency, Evaluation.due_on,
               Evaluation.status, func.count(Assignment.id).label("assigned"),
               *[_status_count(s).label(s) for s in rules.ASSIGNMENT_STATUSES], overdue.label("overdue"))
        .join(Project, Project.id == Evaluation.project_id)
        .outerjoin(Assignment, Assignment.evaluation_id == Evaluation.id)
        .where(project_scope(actor))
        .group_by(Evaluation.id, Project.id, Project.code, Project.title, Evaluation.round, Evaluation.agency,
                  Evaluation.due_on, Evaluation.status)
        .order_by(Evaluation.status.desc(), Evaluation.due_on, Evaluation.id)
    )
    if round:
        query = query.where(Evaluation.round == round)
    if status:
        query = query.where(Evaluation.status == status)
    if overdue_only:
        query = query.where(overdue)
    if year is not None:
        query = query.where(Project.year == year)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=PROGRESS_COLUMNS)
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame


PANEL_COLUMNS = ["id", "evaluator_id", "username", "evaluator_name", "status", "conflict", "conflict_note",
                 "coi_declared_at", "total", "submitted_at", "reopened_reason", "reopened_at", "reopened_by",
                 "draw_id", "assigned_reason"]


def panel(engine: Engine, *, actor: Actor, evaluation_id: int) -> pd.DataFrame:
    """The evaluation's assignments with each evaluator's state (admin and leader)."""
    require(actor, "scorecards.results")
    with reading(engine) as session:
        subject_in_scope(session, actor, evaluation_id)
    query = (select(Assignment.id, Assignment.evaluator_id, AppUser.username,
                    AppUser.display_name.label("evaluator_name"),
                    Assignment.status, Assignment.conflict, Assignment.conflict_note, Assignment.coi_declared_at,
                    Assignment.total, Assignment.submitted_at, Assignment.reopened_reason, Assignment.reopened_at,
                    Assignment.reopened_by, Assignment.draw_id, Assignment.assigned_reason)
             .join(AppUser, AppUser.id == Assignment.evaluator_id)
             .where(Assignment.evaluation_id == evaluation_id).order_by(Assignment.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=PANEL_COLUMNS)


def evaluators(engine: Engine, *, actor: Actor, project_id: int | None = None) -> pd.DataFrame:
    """Active evaluator accounts an admin can put on a panel; with project_id, only those whose scope
    covers that project (the rule add_assignments enforces)."""
    require(actor, "scorecards.manage")
    query = (select(AppUser.id, AppUser.username, AppUser.display_name)
             .where(AppUser.role == rules.EVALUATOR, AppUser.active == True)  # noqa: E712
             .order_by(AppUser.display_name))
    if project_id is not None:
        covers = or_(OrgUnit.level == "root",
                     and_(OrgUnit.level == "district", OrgUnit.id == Project.district_id),
                     and_(OrgUnit.level == "street", OrgUnit.id == Project.street_id),
                     and_(OrgUnit.level == "community", OrgUnit.id == Project.community_id))
        query = (query.join(OrgUnit, OrgUnit.id == AppUser.scope_id)
                 .join(Project, and_(Project.id == project_id, covers)))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "username", "display_name"])


def project_options(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """Projects in scope an admin can put up for evaluation (not terminated), newest first."""
    require(actor, "scorecards.manage")
    query = (select(Project.id, Project.code, Project.title, Project.stage, Project.year)
             .where(project_scope(actor), Project.stage != "terminated").order_by(Project.code.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "title", "stage", "year"])
