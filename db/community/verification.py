"""A resident's phone, verified exactly as the public vote verifies a voter (db/voting/codes.py): the same
number rules (VOTE_PHONE_REGIONS), the same HMAC key and voter key, the same send throttles (the vote's
counters: one number has one set of limits whatever the code is for), the same delivery, a 6-digit code valid
5 minutes and 5 tries. A verified number gets a ticket (only its hash is stored) with which it may submit
proposals for TICKET_TTL. No number is kept anywhere.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from db import clock
from db.engine import transaction
from db.errors import DomainError
from db.models.community import ResidentChallenge
from db.voting import codes as vote_codes
from db.voting.delivery import DeliveryFailed, deliver, delivery_mode

KEEP_AFTER_END = timedelta(days=1)  # a challenge serves its code and ticket, nothing afterwards


@dataclass(frozen=True)
class Ticket:
    ticket: str  # held by the resident's session; only its hash is stored
    expires_at: datetime


def request_code(engine: Engine, *, phone: str, client_address: str | None) -> vote_codes.CodeSent:
    """After the CAPTCHA: check the number, count the send against the vote's throttles, store and deliver a code."""
    e164 = vote_codes.normalise_number(phone)
    mode = delivery_mode()
    now = clock.utcnow()
    voter, ip_key = vote_codes.voter_key(e164), vote_codes.address_key(client_address)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction(engine) as session:
        session.execute(delete(ResidentChallenge).where(
            ResidentChallenge.expires_at < now - vote_codes.TICKET_TTL - KEEP_AFTER_END))
        vote_codes.count_send(session, voter=voter, ip_key=ip_key, now=now)
        challenge = ResidentChallenge(voter_key=voter, ip_key=ip_key, code_hash=vote_codes.code_digest(voter, code),
                                      created_at=now, expires_at=now + vote_codes.CODE_TTL)
        session.add(challenge)
        session.flush()
        challenge_id = challenge.id
    try:
        shown = deliver(mode, e164, code)
    except DeliveryFailed:
        with transaction(engine) as session:
            session.execute(update(ResidentChallenge).where(ResidentChallenge.id == challenge_id)
                            .values(expires_at=now))
        raise DomainError("vote.error.delivery_failed") from None
    return vote_codes.CodeSent(vote_codes.masked(e164), now + vote_codes.CODE_TTL, mode, shown)


def verify_code(engine: Engine, *, phone: str, code: str) -> Ticket:
    """The newest code sent to this number; every try counts, five at most (the vote's rules and messages)."""
    voter = vote_codes.voter_key(vote_codes.normalise_number(phone))
    code = unicodedata.normalize("NFKC", code or "").strip()  # full-width digits are the same digits
    if not re.fullmatch(r"\d{6}", code, re.ASCII):
        raise DomainError("vote.error.code_format", field="code")
    now = clock.utcnow()
    ticket = secrets.token_urlsafe(32)
    failure: DomainError | None = None
    # the count of tries must commit even when the code is wrong, so failures are raised after the block
    with transaction(engine) as session:
        challenge = session.execute(select(ResidentChallenge).where(ResidentChallenge.voter_key == voter)
                                    .order_by(ResidentChallenge.id.desc()).limit(1)).scalar_one_or_none()
        if challenge is None or challenge.verified_at is not None:
            failure = DomainError("vote.error.code_missing")
        elif challenge.expires_at <= now:
            failure = DomainError("vote.error.code_expired")
        else:
            tries = session.execute(
                update(ResidentChallenge).where(ResidentChallenge.id == challenge.id,
                                                ResidentChallenge.attempts < vote_codes.MAX_ATTEMPTS,
                                                ResidentChallenge.verified_at.is_(None))
                .values(attempts=ResidentChallenge.attempts + 1).returning(ResidentChallenge.attempts)
            ).scalar_one_or_none()
            if tries is None:
                failure = DomainError("vote.error.code_locked")
            elif not hmac.compare_digest(vote_codes.code_digest(voter, code), challenge.code_hash):
                remaining = vote_codes.MAX_ATTEMPTS - tries
                failure = (DomainError("vote.error.code_wrong", field="code", remaining=remaining) if remaining
                           else DomainError("vote.error.code_locked"))
            else:
                session.execute(update(ResidentChallenge).where(ResidentChallenge.id == challenge.id)
                                .values(verified_at=now, ticket_hash=vote_codes.ticket_hash(ticket)))
    if failure:
        raise failure
    return Ticket(ticket, now + vote_codes.TICKET_TTL)


def resident_key(session, ticket: str | None, now: datetime) -> bytes:
    """The voter key behind a live ticket, else the "verify again" message."""
    row = session.execute(select(ResidentChallenge.voter_key, ResidentChallenge.verified_at)
                          .where(ResidentChallenge.ticket_hash == vote_codes.ticket_hash(ticket or ""))).first()
    if row is None or row.verified_at is None or row.verified_at + vote_codes.TICKET_TTL <= now:
        raise DomainError("vote.error.session_expired")
    return row.voter_key
