"""Objections during 公示 (异议): while a published campaign's notice runs, anyone may object to a winning case,
verified by phone exactly as for the vote (the same number rules, HMAC voter key, send throttles, delivery, and
the vote's own code table and checks: db/voting/codes.py), at most one objection per number and case and
VOTE_OBJECTIONS_PER_PERSON per number and campaign, with grounds kept as typed. An admin of the campaign's
scope answers each once (upheld or dismissed, with reasons); the answers are published with the results. An
upheld objection may void the case's result with a reason: the case leaves the ranking, which is recomputed
and republished with a new notice period. Every write is audited; no number is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require, scope_condition
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.voting import Campaign, Objection, VoteCase, VoteChallenge, VoteThrottle
from db.validation import BlankIsNone, OneLine, RowId, Stripped, validate
from db.voting import codes as vote_codes
from db.voting import rules
from db.voting.campaigns import campaign_in_scope, readable_campaign
from db.voting.delivery import DeliveryFailed, deliver, delivery_mode
from db.voting.results import store_publication

PUBLIC_USERNAME = "public"  # who the audit log names for an objector (no account, no number)


class ObjectionCreate(BaseModel):
    """What an objector sends: the case and the grounds, kept as typed (line breaks included)."""

    case_id: RowId
    grounds: Annotated[str, Stripped] = Field(min_length=rules.GROUNDS_LENGTH[0], max_length=rules.GROUNDS_LENGTH[1])


class ObjectionAnswer(BaseModel):
    decision: Literal[rules.DECISIONS]  # type: ignore[valid-type]
    answer: Annotated[str, Stripped] = Field(min_length=rules.ANSWER_LENGTH[0], max_length=rules.ANSWER_LENGTH[1])
    void_case: bool = False
    void_reason: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, min_length=4, max_length=200)


@dataclass(frozen=True)
class Receipt:
    objection_id: int  # the number the objector finds their answer by
    left: int  # objections this number may still file in the campaign


# --- verifying the objector: the vote's codes, checked against the notice instead of the voting window ---

def request_code(engine: Engine, *, campaign_id: int, phone: str,
                 client_address: str | None) -> vote_codes.CodeSent:
    """After the CAPTCHA: check the number and that the campaign's 公示 runs, count the send against the vote's
    throttles, store the code in the vote's challenge table and deliver it as a vote code is delivered."""
    e164 = vote_codes.normalise_number(phone)
    mode = delivery_mode()
    now = clock.utcnow()
    voter, ip_key = vote_codes.voter_key(e164), vote_codes.address_key(client_address)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status == "draft":
            raise NotFound("vote.error.no_campaign")
        rules.require_notice_running(campaign.status, campaign.notice_until, clock.today())
        # the clean-up a vote code's send does: codes and counts a day past their use
        session.execute(delete(VoteThrottle).where(VoteThrottle.until < now - vote_codes.KEEP_AFTER_END))
        session.execute(delete(VoteChallenge).where(
            VoteChallenge.expires_at < now - vote_codes.TICKET_TTL - vote_codes.KEEP_AFTER_END))
        vote_codes.count_send(session, voter=voter, ip_key=ip_key, now=now)
        token = secrets.token_urlsafe(32)
        challenge = VoteChallenge(campaign_id=campaign_id, voter_key=voter, ip_key=ip_key,
                                  code_hash=vote_codes.code_digest(voter, code), created_at=now,
                                  expires_at=now + vote_codes.CODE_TTL, ticket_hash=vote_codes.ticket_hash(token))
        session.add(challenge)
        session.flush()
        challenge_id = challenge.id
    try:
        shown = deliver(mode, e164, code)
    except DeliveryFailed:
        with transaction(engine) as session:
            session.execute(update(VoteChallenge).where(VoteChallenge.id == challenge_id).values(expires_at=now))
        raise DomainError("vote.error.delivery_failed") from None
    return vote_codes.CodeSent(vote_codes.masked(e164), now + vote_codes.CODE_TTL, mode, shown, token)


def verify_code(engine: Engine, *, campaign_id: int, token: str, code: str) -> vote_codes.Ballot:
    """The vote's own check of the code (five tries, five minutes); the ticket it returns files objections."""
    return vote_codes.verify_code(engine, campaign_id=campaign_id, token=token, code=code)


# --- filing -------------------------------------------------------------------------------------------

def file_objection(engine: Engine, *, ticket: str | None, data: dict) -> Receipt:
    """A verified number's objection to a winning case of the campaign its ticket was issued for, during 公示."""
    payload = validate(ObjectionCreate, data)
    now, today, limit = clock.utcnow(), clock.today(), rules.objections_per_person()
    with transaction(engine) as session:
        row = vote_codes.ticket_voter(session, ticket or "", now)
        case = session.get(VoteCase, payload.case_id)
        if case is None or case.campaign_id != row.campaign_id:
            raise DomainError("obj.error.not_winner", field="case_id")
        campaign = session.get(Campaign, case.campaign_id)
        rules.require_notice_running(campaign.status, campaign.notice_until, today)
        if not case.winner or case.voided_at is not None:
            raise DomainError("obj.error.not_winner", field="case_id")
        # The limits are the two unique keys: slot k of this number's objections in the campaign, and one per
        # case. A taken slot moves on to the next; nothing inserted means the case was objected to already or
        # every slot is taken (two tabs at once cannot both take the last one).
        objection_id = slot = None
        for slot in range(1, limit + 1):
            objection_id = session.execute(
                vote_codes.dialect_insert(session, Objection).values(
                    campaign_id=campaign.id, case_id=case.id, objector_key=row.voter_key, slot=slot,
                    grounds=payload.grounds, filed_at=now, voided_case=False)
                .on_conflict_do_nothing().returning(Objection.id)).scalar_one_or_none()
            if objection_id is not None:
                break
            if session.execute(select(Objection.id).where(Objection.case_id == case.id,
                                                          Objection.objector_key == row.voter_key)).first():
                raise DomainError("obj.error.already_objected", field="case_id")
        if objection_id is None:
            raise DomainError("obj.error.limit", limit=limit)
        audit.record(session, actor=None, username=PUBLIC_USERNAME, action="vote_objection_file",
                     entity="vote_objection", entity_id=objection_id,
                     after={"campaign_id": campaign.id, "case_id": case.id, "title": case.title})
    return Receipt(objection_id, limit - slot)


def objections_left(engine: Engine, *, ticket: str | None) -> tuple[int, frozenset[int]]:
    """For display only: how many objections the ticket's number may still file, and the cases it objected to."""
    now, limit = clock.utcnow(), rules.objections_per_person()
    with reading(engine) as session:
        row = vote_codes.ticket_voter(session, ticket or "", now)
        cases = frozenset(session.execute(select(Objection.case_id).where(
            Objection.campaign_id == row.campaign_id, Objection.objector_key == row.voter_key)).scalars())
    return max(limit - len(cases), 0), cases


# --- answering ----------------------------------------------------------------------------------------

def answer_objection(engine: Engine, *, actor: Actor, objection_id: int, data: dict) -> dict:
    """The admin's one answer; upheld, it may void the case's result with a reason, and then the ranking is
    recomputed and republished (a new 公示 from today) in the same transaction."""
    require(actor, "voting.manage")
    payload = validate(ObjectionAnswer, data)
    if payload.void_case and payload.decision != "upheld":
        raise DomainError("obj.error.void_needs_upheld", field="void_case")
    if payload.void_case and not payload.void_reason:
        raise DomainError("obj.error.void_reason", field="void_reason")
    now = clock.utcnow()
    with transaction(engine) as session:
        objection = session.get(Objection, objection_id)
        if objection is None:
            raise NotFound("error.not_found", entity="vote_objection")
        campaign = campaign_in_scope(session, actor, objection.campaign_id)
        if campaign.status != "published":
            raise DomainError("vote.error.not_published")
        done = session.execute(update(Objection).where(Objection.id == objection_id, Objection.answered_at.is_(None))
                               .values(decision=payload.decision, answer=payload.answer, answered_at=now,
                                       answered_by=actor.user_id, voided_case=payload.void_case))
        if done.rowcount != 1:
            raise DomainError("obj.error.answered")
        audit.record(session, actor=actor, action="vote_objection_answer", entity="vote_objection",
                     entity_id=objection_id, after=payload.model_dump(include={"decision", "answer", "void_case"}))
        result = {"decision": payload.decision, "voided": False}
        if payload.void_case:
            result.update(voided=True, winners=_void_and_republish(session, actor, campaign, objection.case_id,
                                                                    payload.void_reason, now))
    return result


def _void_and_republish(session, actor: Actor, campaign: Campaign, case_id: int, reason: str, now) -> list[str]:
    before = session.execute(select(VoteCase.title).where(VoteCase.campaign_id == campaign.id, VoteCase.winner)
                             .order_by(VoteCase.final_rank)).scalars().all()
    done = session.execute(update(VoteCase).where(VoteCase.id == case_id, VoteCase.voided_at.is_(None)).values(
        voided_at=now, void_reason=reason, voided_by=actor.user_id, winner=False, final_rank=None,
        final_votes=None, final_score=None))
    if done.rowcount != 1:
        raise DomainError("obj.error.case_void", field="void_case")
    title = session.execute(select(VoteCase.title).where(VoteCase.id == case_id)).scalar_one()
    audit.record(session, actor=actor, action="vote_case_void", entity="vote_case", entity_id=case_id,
                 after={"title": title, "reason": reason})
    frame = store_publication(session, campaign, now)  # the ranking without the voided case, frozen again
    winners = frame.loc[frame["winner"], "title"].tolist()
    audit.record(session, actor=actor, action="vote_republish", entity="campaign", entity_id=campaign.id,
                 before={"winners": before}, after={"notice_until": campaign.notice_until, "winners": winners})
    return winners


# --- reads --------------------------------------------------------------------------------------------

PUBLIC_COLUMNS = ["id", "case_id", "title", "filed_at", "grounds", "decision", "answer", "answered_at", "voided_case"]
STAFF_COLUMNS = [*PUBLIC_COLUMNS, "state"]
VOIDED_COLUMNS = ["case_id", "title", "organization", "void_reason", "voided_at"]


def _objection_rows(conn, campaign_id: int, answered_only: bool) -> pd.DataFrame:
    query = (select(Objection.id, Objection.case_id, VoteCase.title, Objection.filed_at, Objection.grounds,
                    Objection.decision, Objection.answer, Objection.answered_at, Objection.voided_case)
             .join(VoteCase, VoteCase.id == Objection.case_id).where(Objection.campaign_id == campaign_id)
             .order_by(Objection.id))
    if answered_only:
        query = query.where(Objection.answered_at.is_not(None))
    return pd.DataFrame(conn.execute(query).mappings().all(), columns=PUBLIC_COLUMNS)


def _voided_cases(conn, campaign_id: int) -> pd.DataFrame:
    query = (select(VoteCase.id.label("case_id"), VoteCase.title, VoteCase.organization, VoteCase.void_reason,
                    VoteCase.voided_at)
             .where(VoteCase.campaign_id == campaign_id, VoteCase.voided_at.is_not(None)).order_by(VoteCase.voided_at))
    return pd.DataFrame(conn.execute(query).mappings().all(), columns=VOIDED_COLUMNS)


def public_objections(engine: Engine, campaign_id: int) -> dict[str, pd.DataFrame]:
    """What is published with the results: the answered objections (grounds and answer) and the voided cases."""
    with engine.connect() as conn:
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar_one_or_none()
        if status != "published":
            raise NotFound("vote.error.not_published")
        return {"answered": _objection_rows(conn, campaign_id, True), "voided": _voided_cases(conn, campaign_id)}


def objectable_cases(engine: Engine, campaign_id: int) -> pd.DataFrame:
    """The winning cases of a published campaign, by rank: what an objection may be filed against."""
    query = (select(VoteCase.id.label("case_id"), VoteCase.final_rank.label("rank"), VoteCase.title)
             .join(Campaign, Campaign.id == VoteCase.campaign_id)
             .where(VoteCase.campaign_id == campaign_id, Campaign.status == "published", VoteCase.winner,
                    VoteCase.voided_at.is_(None))
             .order_by(VoteCase.final_rank))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["case_id", "rank", "title"])


def list_objections(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    """Every objection of a campaign of the actor's scope, newest state: pending|upheld|dismissed."""
    readable_campaign(engine, actor, campaign_id)
    with engine.connect() as conn:
        frame = _objection_rows(conn, campaign_id, False)
    frame["state"] = frame["decision"].fillna("pending")
    return frame[STAFF_COLUMNS]


def voided_cases(engine: Engine, *, actor: Actor, campaign_id: int) -> pd.DataFrame:
    readable_campaign(engine, actor, campaign_id)
    with engine.connect() as conn:
        return _voided_cases(conn, campaign_id)


def pending_counts(engine: Engine, *, actor: Actor) -> dict[int, int]:
    """Objections awaiting an answer, per published campaign of the actor's scope."""
    require(actor, "voting.read")
    query = (select(Objection.campaign_id, func.count()).join(Campaign, Campaign.id == Objection.campaign_id)
             .join(OrgUnit, OrgUnit.id == Campaign.org_unit_id)
             .where(Objection.answered_at.is_(None), scope_condition(actor)).group_by(Objection.campaign_id))
    with engine.connect() as conn:
        return {int(c): int(n) for c, n in conn.execute(query).all()}
