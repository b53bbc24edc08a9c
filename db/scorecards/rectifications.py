"""Rectification (整改): an evaluation's findings become items with an owner and a due date; an admin closes
one with the evidence that it was fixed; items past their due date and still open are overdue."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, insert, select
from sqlalchemy.engine import Engine

from db import audit, clock, settings
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models.pipeline import Project
from db.models.scorecards import Evaluation, Rectification
from db.pipeline.projects import project_scope
from db.scorecards import rules
from db.scorecards.evaluations import evaluation_in_scope
from db.validation import Day, DueDay, InvalidInput, Stripped, validate


class RectificationCreate(BaseModel):
    finding: Annotated[str, Stripped] = Field(min_length=rules.MIN_REASON_LENGTH, max_length=500)
    owner: Annotated[str, Stripped] = Field(min_length=2, max_length=80)
    due_on: DueDay


class RectificationClose(BaseModel):
    evidence: Annotated[str, Stripped] = Field(min_length=rules.MIN_REASON_LENGTH, max_length=1000)
    closed_on: Day


class RectificationPublic(BaseModel):
    id: int
    evaluation_id: int
    finding: str
    owner: str
    due_on: date
    status: str
    closed_on: Optional[date]
    evidence: Optional[str]


def _local_day(moment: datetime) -> date:
    """The district's calendar day of a stored instant (SQLite hands timestamps back without their zone: UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(ZoneInfo(settings.timezone())).date()


def findings_of(engine: Engine, *, actor: Actor, evaluation_id: int) -> list[str]:
    """The evaluation's 主要问题, one finding per non-empty line: the starting point for new items."""
    require(actor, "scorecards.manage")
    with reading(engine) as session:
        evaluation, _ = evaluation_in_scope(session, actor, evaluation_id)
        return [line.strip(" -·•\t") for line in evaluation.findings.splitlines() if line.strip(" -·•\t")]


def create_items(engine: Engine, *, actor: Actor, evaluation_id: int, items: list[dict]) -> int:
    """Add rectification items to an evaluation, all or none; returns how many."""
    require(actor, "scorecards.manage")
    if not items:
        raise DomainError("rule.required", field="finding")
    payloads, problems = [], []
    for position, item in enumerate(items, start=1):
        try:
            payloads.append(validate(RectificationCreate, item))
        except InvalidInput as err:
            problems += [(field, code, {**params, "item": position}) for field, code, params in err.problems]
    if problems:
        raise InvalidInput(problems)
    if any(payload.due_on < clock.today() for payload in payloads):
        raise DomainError("eval.error.due_in_past", field="due_on")
    now = clock.utcnow()
    with transaction(engine) as session:
        evaluation, _ = evaluation_in_scope(session, actor, evaluation_id)
        session.execute(insert(Rectification), [
            {**payload.model_dump(), "evaluation_id": evaluation.id, "status": "open", "created_at": now,
             "created_by": actor.username} for payload in payloads])
        audit.record(session, actor=actor, action="rectification_create", entity="evaluation",
                     entity_id=evaluation.id, after=[p.model_dump() for p in payloads])
    return len(payloads)


def close_item(engine: Engine, *, actor: Actor, item_id: int, evidence: str, closed_on: date | None = None
               ) -> RectificationPublic:
    """Close an open item with the evidence that it was fixed (not before it was raised, not in the future)."""
    require(actor, "scorecards.manage")
    payload = validate(RectificationClose, {"evidence": evidence, "closed_on": closed_on or clock.today()})
    if payload.closed_on > clock.today():
        raise DomainError("eval.error.closed_in_future", field="closed_on")
    with transaction(engine) as session:
        item = session.get(Rectification, item_id)
        if item is None:
            raise NotFound("error.not_found", entity="rectification")
        evaluation_in_scope(session, actor, item.evaluation_id)
        if item.status == "closed":
            raise DomainError("eval.error.already_closed")
        raised = _local_day(item.created_at)
        if payload.closed_on < raised:
            raise DomainError("eval.error.closed_before_raised", field="closed_on", raised=raised.isoformat())
        item.status, item.closed_on, item.evidence, item.closed_by = "closed", payload.closed_on, payload.evidence, \
            actor.username
        result = RectificationPublic.model_validate(item, from_attributes=True)
        audit.record(session, actor=actor, action="rectification_close", entity="rectification", entity_id=item.id,
                     before={"status": "open"}, after={"status": "closed", "closed_on": payload.closed_on,
                                                       "evidence": payload.evidence})
    return result


LIST_COLUMNS = ["id", "evaluation_id", "project_code", "project_title", "round", "finding", "owner", "due_on",
                "status", "closed_on", "evidence", "overdue", "days_late"]


def list_items(engine: Engine, *, actor: Actor, status: str | None = None, overdue_only: bool = False,
               evaluation_id: int | None = None, today: date | None = None) -> pd.DataFrame:
    """Items in scope, open ones first by due date; overdue: still open past the due date."""
    require(actor, "scorecards.results")
    today = today or clock.today()
    overdue = and_(Rectification.status == "open", Rectification.due_on < today)
    query = (select(Rectification.id, Rectification.evaluation_id, Project.code.label("project_code"),
                    Project.title.label("project_title"), Evaluation.round, Rectification.finding,
                    Rectification.owner, Rectification.due_on, Rectification.status, Rectification.closed_on,
                    Rectification.evidence, overdue.label("overdue"))
             .join(Evaluation, Evaluation.id == Rectification.evaluation_id)
             .join(Project, Project.id == Evaluation.project_id)
             .where(project_scope(actor))
             .order_by(case((Rectification.status == "open", 0), else_=1), Rectification.due_on, Rectification.id))
    if status:
        query = query.where(Rectification.status == status)
    if overdue_only:
        query = query.where(overdue)
    if evaluation_id is not None:
        query = query.where(Rectification.evaluation_id == evaluation_id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=LIST_COLUMNS[:-1])
    frame["overdue"] = frame["overdue"].astype(bool)
    frame["days_late"] = [(today - due).days if late else 0 for due, late in zip(frame["due_on"], frame["overdue"])]
    return frame


def counts(engine: Engine, *, actor: Actor, today: date | None = None) -> dict[str, int]:
    """open, overdue and closed items in scope, in one grouped query."""
    require(actor, "scorecards.results")
    today = today or clock.today()
    late = and_(Rectification.status == "open", Rectification.due_on < today)
    query = (select(func.count(), func.coalesce(func.sum(case((Rectification.status == "open", 1), else_=0)), 0),
                    func.coalesce(func.sum(case((late, 1), else_=0)), 0))
             .select_from(Rectification)
             .join(Evaluation, Evaluation.id == Rectification.evaluation_id)
             .join(Project, Project.id == Evaluation.project_id)
             .where(project_scope(actor)))
    with engine.connect() as conn:
        total, open_, overdue = conn.execute(query).one()
    return {"open": int(open_), "overdue": int(overdue), "closed": int(total) - int(open_)}
