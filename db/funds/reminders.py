"""微创投's source of reminders (db.reminders.sources.SOURCES): evaluators' open review scorecards of applications,
due within REMIND_DAYS or past due — the scorecard area's own source joins projects, so it leaves these out."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.models import AppUser
from db.models.funds import GrantApplication, GrantRound
from db.models.scorecards import Assignment, Evaluation
from db.reminders import rules
from db.reminders.rules import Due


def review_assignments(engine: Engine, today: date) -> list[Due]:
    horizon = today + timedelta(days=rules.REMIND_DAYS)
    query = (select(Assignment.id, Assignment.evaluator_id, Evaluation.due_on, GrantApplication.code,
                    GrantApplication.title, GrantRound.name)
             .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
             .join(GrantApplication, GrantApplication.id == Evaluation.application_id)
             .join(GrantRound, GrantRound.id == GrantApplication.round_id)
             .join(AppUser, AppUser.id == Assignment.evaluator_id)
             .where(Assignment.status.in_(("not_started", "draft")), Evaluation.status == "open",
                    Evaluation.due_on <= horizon, AppUser.active == True))  # noqa: E712
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Due(r.evaluator_id, "review_overdue" if r.due_on < today else "review_due", "assignment", r.id,
                r.due_on.isoformat(), r.due_on, {"app": r.code, "title": r.title, "round": r.name,
                                                  "due": r.due_on.isoformat()})
            for r in rows]
