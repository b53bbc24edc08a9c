"""Triage by community staff (and street staff and admins within their scope): send a proposal to the council,
decline it with an official answer (required, and published with it), or merge a duplicate into another
proposal of the same community. Each write checks role and scope, moves the state by rules.next_state (an
illegal move is refused with the message of the state the proposal is in), and is audited, in one transaction."""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.community import rules, scope
from db.community.proposals import ProposalDetail, get_proposal, locked
from db.engine import transaction
from db.errors import DomainError
from db.models.community import Proposal
from db.validation import BlankIsNone, RowId, validate


class AnswerInput(BaseModel):
    """An official answer: optional when sending to the council or merging, required when declining."""

    answer: Annotated[Optional[str], BlankIsNone] = Field(default=None, min_length=rules.TEXT_LENGTH[0],
                                                           max_length=rules.TEXT_LENGTH[1])


class MergeInput(AnswerInput):
    into_id: RowId


def _move(session: Session, actor: Actor, proposal: Proposal, action: str, answer: str | None,
          **extra) -> None:
    before = {"state": proposal.state}
    proposal.state = rules.next_state(proposal.state, action)
    now = clock.utcnow()
    proposal.state_changed_at = now
    if answer:
        proposal.answer, proposal.answered_at = answer, now
    audit.record(session, actor=actor, action=f"proposal_{action}", entity="proposal", entity_id=proposal.id,
                 before=before, after={"state": proposal.state, "answer": answer, **extra})


def send_to_council(engine: Engine, *, actor: Actor, proposal_id: int, answer: str | None = None) -> ProposalDetail:
    """Put a submitted proposal before the community council (it then waits for a meeting's agenda)."""
    require(actor, "community.triage")
    payload = validate(AnswerInput, {"answer": answer})
    with transaction(engine) as session:
        _move(session, actor, locked(session, actor, proposal_id), "send", payload.answer)
    return get_proposal(engine, actor=actor, proposal_id=proposal_id)


def decline(engine: Engine, *, actor: Actor, proposal_id: int, answer: str | None) -> ProposalDetail:
    """Decline a submitted proposal with an official answer, published with it."""
    require(actor, "community.triage")
    payload = validate(AnswerInput, {"answer": answer})
    if payload.answer is None:
        raise DomainError("cm.error.answer_required", field="answer")
    with transaction(engine) as session:
        _move(session, actor, locked(session, actor, proposal_id), "decline", payload.answer)
    return get_proposal(engine, actor=actor, proposal_id=proposal_id)


def merge(engine: Engine, *, actor: Actor, proposal_id: int, into_id: int, answer: str | None = None) -> ProposalDetail:
    """Merge a submitted duplicate into another proposal of the same community that is still open or adopted."""
    require(actor, "community.triage")
    payload = validate(MergeInput, {"into_id": into_id, "answer": answer})
    if payload.into_id == proposal_id:
        raise DomainError("cm.error.merge_itself", field="into_id")
    with transaction(engine) as session:
        # lock both in id order, so two merges of the same pair cannot wait on each other
        first, second = sorted((scope.row_id(proposal_id, "proposal"), payload.into_id))
        rows = {row_id: locked(session, actor, row_id) for row_id in (first, second)}
        proposal, target = rows[proposal_id], rows[payload.into_id]
        rules.next_state(proposal.state, "merge")  # the proposal's own state first: it says what can be done
        if target.community_id != proposal.community_id:
            raise DomainError("cm.error.merge_other_community", field="into_id")
        if target.state not in rules.MERGE_TARGETS:
            raise DomainError("cm.error.merge_target_state", field="into_id")
        proposal.merged_into_id = target.id
        _move(session, actor, proposal, "merge", payload.answer, merged_into_id=target.id)
    return get_proposal(engine, actor=actor, proposal_id=proposal_id)
