"""Scorecards, the evaluator's side: their own assignments only — read a scorecard, declare a conflict of
interest (or none), save a draft, submit (then locked). Every score problem names its indicator.
The admin's side (creating evaluations, panels, reopening) is db/scorecards/evaluations.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AppUser
from db.models.funds import GrantApplication
from db.models.pipeline import Project
from db.models.scorecards import Assignment, Evaluation, Score
from db.scorecards import rules
from db.scorecards.evaluations import refresh_status, subject_in_scope
from db.scorecards.rules import check_scores
from db.scorecards.templates import TemplatePublic, get_template, lock


class ScorecardPublic(BaseModel):
    """One evaluator's scorecard with its template; scores map indicator id -> (points, comment)."""

    assignment_id: int
    evaluation_id: int
    evaluator_id: int
    evaluator_name: str
    project_code: str
    project_title: str
    round: str
    agency: str
    due_on: date
    status: str
    conflict: Optional[bool]
    coi_declared_at: Optional[datetime]
    submitted_at: Optional[datetime]
    reopened_reason: Optional[str]
    total: Optional[float]
    template: TemplatePublic
    scores: dict[int, tuple[float, Optional[str]]]


MINE_COLUMNS = ["id", "evaluation_id", "project_code", "project_title", "round", "agency", "due_on", "status",
                "submitted_at", "total", "reopened_reason", "overdue"]


def my_assignments(engine: Engine, *, actor: Actor, today: date | None = None) -> pd.DataFrame:
    """The evaluator's own assignments, open ones first by due date."""
    require(actor, "scorecards.score")
    today = today or clock.today()
    late = and_(Assignment.status.in_(("not_started", "draft")), Evaluation.due_on < today)
    query = (
        # a project's evaluation, or the review of a 微创投 application (its code and title in the same columns)
        select(Assignment.id, Evaluation.id.label("evaluation_id"),
               func.coalesce(Project.code, GrantApplication.code).label("project_code"),
               func.coalesce(Project.title, GrantApplication.title).label("project_title"), Evaluation.round, Evaluation.agency, Evaluation.due_on,
               Assignment.status, Assignment.submitted_at, Assignment.total, Assignment.reopened_reason,
               late.label("overdue"))
        .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
        .outerjoin(Project, Project.id == Evaluation.project_id)
        .outerjoin(GrantApplication, GrantApplication.id == Evaluation.application_id)
        .where(Assignment.evaluator_id == actor.user_id)
        .order_by(case((Assignment.status.in_(("not_started", "draft")), 0), else_=1), Evaluation.due_on,
                  Assignment.id)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=MINE_COLUMNS)
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame


def _assignment_for(session: Session, actor: Actor, assignment_id: int, *, write: bool) -> Assignment:
    """An evaluator may touch only their own assignment; admin and leader read any in their scope."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("error.not_found", entity="assignment")
    if actor.role == rules.EVALUATOR:
        if assignment.evaluator_id != actor.user_id:
            raise PermissionDenied("eval.error.not_your_assignment")
        return assignment
    if write:
        raise PermissionDenied("error.forbidden_role", role=actor.role)
    require(actor, "scorecards.results")
    subject_in_scope(session, actor, assignment.evaluation_id)
    return assignment


def get_scorecard(engine: Engine, *, actor: Actor, assignment_id: int) -> ScorecardPublic:
    with reading(engine) as session:
        assignment = _assignment_for(session, actor, assignment_id, write=False)
        evaluation = session.get(Evaluation, assignment.evaluation_id)
        project = (session.get(Project, evaluation.project_id) if evaluation.project_id is not None
                   else session.get(GrantApplication, evaluation.application_id))
        evaluator = session.get(AppUser, assignment.evaluator_id)
        scores = {row.indicator_id: (row.points, row.comment) for row in session.execute(
            select(Score.indicator_id, Score.points, Score.comment).where(Score.assignment_id == assignment.id))}
    template = get_template(engine, actor=actor, template_id=evaluation.template_id)
    return ScorecardPublic(
        assignment_id=assignment.id, evaluation_id=evaluation.id, evaluator_id=assignment.evaluator_id,
        evaluator_name=evaluator.display_name, project_code=project.code, project_title=project.title,
        round=evaluation.round, agency=evaluation.agency, due_on=evaluation.due_on, status=assignment.status,
        conflict=assignment.conflict, coi_declared_at=assignment.coi_declared_at,
        submitted_at=assignment.submitted_at, reopened_reason=assignment.reopened_reason, total=assignment.total,
        template=template, scores=scores)


def declare(engine: Engine, *, actor: Actor, assignment_id: int, conflict: bool, note: str | None = None) -> str:
    """The conflict-of-interest declaration, once; a conflict recuses the evaluator. Returns the new status."""
    require(actor, "scorecards.score")
    note = (note or "").strip()
    if conflict and len(note) < rules.MIN_REASON_LENGTH:
        raise DomainError("rule.min_length", field="conflict_note", min_length=rules.MIN_REASON_LENGTH)
    if len(note) > 500:
        raise DomainError("rule.max_length", field="conflict_note", max_length=500)
    with transaction(engine) as session:
        assignment = _assignment_for(session, actor, assignment_id, write=True)
        if assignment.coi_declared_at is not None:
            raise DomainError("eval.error.already_declared")
        assignment.coi_declared_at, assignment.updated_at = clock.utcnow(), clock.utcnow()
        assignment.conflict, assignment.conflict_note = bool(conflict), note or None
        if conflict:
            assignment.status = "recused"
        session.flush()
        refresh_status(session, assignment.evaluation_id)
        audit.record(session, actor=actor, action="coi_conflict" if conflict else "coi_none", entity="assignment",
                     entity_id=assignment.id, after={"conflict": bool(conflict), "note": note or None})
        return assignment.status


def _check_writable(assignment: Assignment) -> None:
    if assignment.coi_declared_at is None:
        raise DomainError("eval.error.declare_first")
    if assignment.status == "recused":
        raise DomainError("eval.error.recused")
    if assignment.status == "submitted":
        raise DomainError("eval.error.submitted_locked")


def save_scores(engine: Engine, *, actor: Actor, assignment_id: int, scores: dict, submit: bool = False) -> str:
    """Save the evaluator's scorecard as a draft, or submit it (complete, checked, then locked)."""
    require(actor, "scorecards.score")
    with reading(engine) as session:
        _check_writable(_assignment_for(session, actor, assignment_id, write=True))
        template_id = session.get(Evaluation, session.get(Assignment, assignment_id).evaluation_id).template_id
    template = get_template(engine, actor=actor, template_id=template_id)
    try:  # the form keys scores by indicator id; anything else is refused, not an exception
        keyed = {int(k): v for k, v in scores.items()}
    except (TypeError, ValueError, OverflowError):
        raise DomainError("rule.invalid", field="points") from None
    clean = check_scores(template, keyed, submit=submit)
    now = clock.utcnow()
    with transaction(engine) as session:
        assignment = _assignment_for(session, actor, assignment_id, write=True)
        _check_writable(assignment)  # again inside the transaction: an admin may have acted meanwhile
        session.execute(delete(Score).where(Score.assignment_id == assignment.id))
        if clean:
            session.execute(insert(Score), [{"assignment_id": assignment.id, "indicator_id": key, "points": points,
                                             "comment": comment} for key, (points, comment) in clean.items()])
            lock(session, template_id)
        total = round(sum(points for points, _ in clean.values()), rules.POINT_DECIMALS)
        assignment.status, assignment.updated_at = ("submitted" if submit else "draft"), now
        if submit:
            assignment.total, assignment.submitted_at = total, now
        session.flush()
        refresh_status(session, assignment.evaluation_id)
        audit.record(session, actor=actor, action="scorecard_submit" if submit else "scorecard_draft",
                     entity="assignment", entity_id=assignment.id, after={"total": total, "scored": len(clean)})
        return assignment.status
