"""The review of a 微创投 application, on the scorecard area's own machinery: an Evaluation whose subject is the
application (`application_id`, no project) on a scorecard template of the admin's choosing (its newest version), its
panel put together by db.scorecards.evaluations.add_assignments (active evaluator accounts covering the application's
place, a reason when assigned by hand), and then the evaluators' own 我的评估任务: the conflict-of-interest
declaration (a conflict recuses), the score rules, submission and locking, reopening by an admin with a reason, the
panel's result (trimmed mean from five scorecards) — all db/scorecards, unchanged. No second scoring system."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.funds import rules
from db.funds.rounds import Written, check_status, locked_application, not_closed
from db.models.scorecards import Evaluation, ScoreTemplate
from db.scorecards.evaluations import EvaluatorIds, HandReason, add_assignments, hand_reason
from db.validation import DueDay, RowId, Stripped, validate


class ReviewInput(BaseModel):
    template_id: RowId
    agency: Annotated[str, Stripped] = Field(min_length=2, max_length=80)
    due_on: DueDay
    evaluator_ids: EvaluatorIds = Field(min_length=1)
    assign_reason: HandReason = Field(default=None, max_length=200)


def start_review(engine: Engine, *, actor: Actor, application_id: int, data: dict) -> Written:
    """Put a submitted application up for review: its evaluation (returned id) and its panel, in one transaction."""
    require(actor, "microgrants.manage")
    require(actor, "scorecards.manage")
    payload = validate(ReviewInput, data)
    if payload.due_on < clock.today():
        raise DomainError("eval.error.due_in_past", field="due_on")
    reason = hand_reason(payload.assign_reason)
    with transaction(engine) as session:
        round_, application = locked_application(session, actor, application_id)
        not_closed(round_)
        check_status(application, rules.SUBMITTED)
        template = session.get(ScoreTemplate, payload.template_id)
        if template is None:
            raise NotFound("error.not_found", entity="score_template")
        newest = session.execute(select(func.max(ScoreTemplate.version)).where(ScoreTemplate.code == template.code)
                                 ).scalar_one()
        if template.version != newest:
            raise DomainError("eval.error.template_superseded", field="template_id", version=newest)
        evaluation = Evaluation(application_id=application.id, project_id=None, template_id=template.id,
                                round=template.round, agency=payload.agency, due_on=payload.due_on, status="open",
                                created_at=clock.utcnow(), created_by=actor.username)
        session.add(evaluation)
        session.flush()
        add_assignments(session, evaluation.id, application, payload.evaluator_ids, reason=reason)
        application.status = rules.REVIEW
        audit.record(session, actor=actor, action="mg_review", entity="grant_application", entity_id=application.id,
                     after={**payload.model_dump(mode="json"), "evaluation_id": evaluation.id})
        return Written(id=evaluation.id)
