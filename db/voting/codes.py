"""Who may vote: mobile numbers, one-time codes, send throttles and ballot tickets (delivery of a code
is db/voting/delivery.py, the voting window db/voting/rules.py).

No number is stored: the voter key is HMAC-SHA256(APP_SECRET_KEY, "vote-v1|" + E.164 number) and the
client address is kept only as an HMAC too. A code is 6 digits, stored as an HMAC, valid 5 minutes,
5 tries. Sends are counted per number and per address in the database, so every app instance
behind a load balancer shares the same limits.

A send hands back a flow token (random; only its hash is stored, in the challenge's ticket_hash): the
voter's browser keeps it, so the code can be entered, and the flow picked up again after a lost
connection, without the number being kept anywhere in clear. Verification swaps it for a fresh ballot
ticket. Each send deletes challenges and throttle counts a day past use (KEEP_AFTER_END); closing a
campaign deletes the rest (db/voting/campaigns.py).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from db import clock, settings
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models.voting import Campaign, Vote, VoteChallenge, VoteQuota, VoteThrottle
from db.voting.delivery import DeliveryFailed, deliver, delivery_mode
from db.voting.rules import require_open

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
TICKET_TTL = timedelta(minutes=30)  # how long a verified number may vote before it needs a new code
# Challenges (voter key, address key, code hash) and throttle counts are deleted this long after they
# end: they serve the code, the ticket and the send limits, nothing afterwards (the public notice says so).
KEEP_AFTER_END = timedelta(days=1)
MAX_NUMBER_CHARS = 32
# (window seconds, sends allowed in it): per number, and per client address (a community centre's
# shared connection serves many residents, hence the looser address limits)
THROTTLES = {
    "number": ((60, 1), (3600, 5), (86400, 10)),
    "address": ((60, 10), (3600, 60)),
}


def dialect_insert(session_or_engine, table):
    """The dialect's INSERT, which has on_conflict_do_nothing / on_conflict_do_update."""
    bind = session_or_engine.get_bind() if hasattr(session_or_engine, "get_bind") else session_or_engine
    return (postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert)(table)


# --- keys ---------------------------------------------------------------------------------------

def _mac(message: str) -> bytes:
    return hmac.new(settings.secret_key().encode(), message.encode(), hashlib.sha256).digest()


def voter_key(e164: str) -> bytes:
    """HMAC-SHA256(APP_SECRET_KEY, "vote-v1|" + E.164): the only trace of a number we keep."""
    return _mac("vote-v1|" + e164)


def address_key(address: str | None) -> bytes:
    """The client address as an HMAC (128 bits are plenty to group votes by address)."""
    return _mac("vote-ip-v1|" + (address or "unknown"))[:16]


def ticket_hash(ticket: str) -> str:
    return hashlib.sha256(("vote-ticket-v1|" + (ticket or "")).encode()).hexdigest()


def _code_hash(voter: bytes, code: str) -> str:
    return _mac(f"vote-code-v1|{voter.hex()}|{code}").hex()


def code_digest(voter: bytes, code: str) -> str:
    """How a code is stored, for other areas that verify a number as the vote does (db/community)."""
    return _code_hash(voter, code)


def _typed(raw: str | None) -> str:
    """What a phone keyboard or a Chinese IME types, as ASCII: NFKC turns full-width digits, plus
    signs and spaces (１３８　００１３…, ＋８６) into their ASCII forms."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def allowed_regions() -> tuple[str, ...]:
    """VOTE_PHONE_REGIONS, checked: an unknown region code refuses every send rather than guess."""
    regions = settings.vote_phone_regions()
    if any(region not in phonenumbers.SUPPORTED_REGIONS for region in regions):
        raise DomainError("vote.error.regions_config")
    return regions


def normalise_number(raw: str | None) -> str:
    """E.164 for a valid mobile number of an allowed region (the first region when no +country is
    given); anything else is refused with a message naming the rule."""
    text = _typed(raw)
    if not text or len(text) > MAX_NUMBER_CHARS or not re.fullmatch(r"[0-9+()\-\s]+", text, re.ASCII):
        raise DomainError("vote.error.number_invalid", field="phone")
    regions = allowed_regions()
    try:
        parsed = phonenumbers.parse(text, regions[0])
    except phonenumbers.NumberParseException:
        raise DomainError("vote.error.number_invalid", field="phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise DomainError("vote.error.number_invalid", field="phone")
    region = phonenumbers.region_code_for_number(parsed)
    if region not in regions:
        if regions == ("CN",):
            raise DomainError("vote.error.number_not_cn", field="phone")
        listed = ", ".join(f"{name} (+{phonenumbers.country_code_for_region(name)})" for name in regions)
        raise DomainError("vote.error.number_region", field="phone", regions=listed)
    kind = phonenumbers.number_type(parsed)
    # mainland numbers say plainly whether they are mobile; elsewhere (e.g. +1) some cannot tell
    mobile = ((phonenumbers.PhoneNumberType.MOBILE,) if region == "CN" else
              (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE))
    if kind not in mobile:
        raise DomainError("vote.error.number_not_mobile", field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """+8613812345678 → +86 138****5678, for telling a voter where the code went."""
    return f"{e164[:3]} {e164[3:6]}****{e164[-4:]}" if len(e164) >= 11 else "****"


def local_day_hour(moment: datetime) -> tuple[date, int]:
    local = moment.astimezone(ZoneInfo(settings.timezone()))
    return local.date(), local.hour


# --- the window, checked on the server ----------------------------------------------------------


# --- sending a code -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeSent:
    number: str  # masked
    expires_at: datetime
    delivery: str
    demo_code: str | None  # only with the demo delivery, to show under its banner
    token: str = ""  # the flow token: enter the code with it (verify_code(token=...)) instead of the number


DAY = 86400


def _window(period: int, now: datetime) -> tuple[int, datetime]:
    """(window number, end of window). "A day" is the district's calendar day, so "10 a day" resets
    at local midnight (not at 08:00 Beijing time, as a UTC-aligned day would); minutes and hours are
    aligned to the epoch."""
    if period == DAY:
        day, _ = local_day_hour(now)
        return day.toordinal(), clock.local_day_start(day + timedelta(days=1))
    window = int(now.timestamp()) // period
    return window, datetime.fromtimestamp((window + 1) * period, tz=now.tzinfo)


def _take_send(session, kind: str, key: bytes, now: datetime) -> None:
    """Count one send in every window of `kind`; refuse (and roll all counts back) if one is full."""
    for period, limit in THROTTLES[kind]:
        window, until = _window(period, now)
        statement = dialect_insert(session, VoteThrottle)
        statement = statement.values(
            kind=kind, key=key.hex(), period=period, window=window, count=1, until=until,
        ).on_conflict_do_update(
            index_elements=["kind", "key", "period", "window"], set_={"count": VoteThrottle.count + 1},
            where=VoteThrottle.count < limit,
        ).returning(VoteThrottle.count)
        if session.execute(statement).first() is None:
            raise DomainError("vote.error.too_often", seconds=max(math.ceil((until - now).total_seconds()), 1))


def count_send(session, *, voter: bytes, ip_key: bytes, now: datetime) -> None:
    """One code send counted against the number's and the address's limits (THROTTLES), refused when one is
    full: other areas that send codes (db/community) share these counters, so a number has one set of limits."""
    _take_send(session, "number", voter, now)
    _take_send(session, "address", ip_key, now)


def request_code(engine: Engine, *, campaign_id: int, phone: str, client_address: str | None) -> CodeSent:
    """After the CAPTCHA: check the number and the window, count the send, store the code, deliver it."""
    e164 = normalise_number(phone)
    mode = delivery_mode()
    now = clock.utcnow()
    voter, ip_key = voter_key(e164), address_key(client_address)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("vote.error.no_campaign")
        require_open(campaign.status, campaign.opens_at, campaign.closes_at, now)
        session.execute(delete(VoteThrottle).where(VoteThrottle.until < now - KEEP_AFTER_END))
        # a verified challenge's ticket lives TICKET_TTL past verification, which is before expires_at
        session.execute(delete(VoteChallenge).where(VoteChallenge.expires_at < now - TICKET_TTL - KEEP_AFTER_END))
        _take_send(session, "number", voter, now)
        _take_send(session, "address", ip_key, now)
        token = secrets.token_urlsafe(32)
        challenge = VoteChallenge(campaign_id=campaign_id, voter_key=voter, ip_key=ip_key,
                                  code_hash=_code_hash(voter, code), created_at=now, expires_at=now + CODE_TTL,
                                  ticket_hash=ticket_hash(token))
        session.add(challenge)
        session.flush()
        challenge_id = challenge.id
    try:
        shown = deliver(mode, e164, code)
    except DeliveryFailed:
        with transaction(engine) as session:
            session.execute(update(VoteChallenge).where(VoteChallenge.id == challenge_id).values(expires_at=now))
        raise DomainError("vote.error.delivery_failed") from None
    return CodeSent(masked(e164), now + CODE_TTL, mode, shown, token)


# --- checking a code ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Ballot:
    ticket: str  # held by the voter's session and browser; only its hash is stored
    expires_at: datetime


def verify_code(engine: Engine, *, campaign_id: int, code: str, phone: str | None = None,
                token: str | None = None) -> Ballot:
    """The newest code sent to this number for this campaign; every try counts, five at most. The
    number is given either as typed, or by the flow token its send returned (the page keeps only that)."""
    e164 = normalise_number(phone) if token is None else None
    # as the number: full-width digits are the same digits, not a wrong try; other scripts' digits
    # are refused before a try is counted (ASCII-only \d)
    code = _typed(code)
    if not re.fullmatch(r"\d{6}", code, re.ASCII):
        raise DomainError("vote.error.code_format", field="code")
    if token is not None:
        with reading(engine) as session:
            voter = session.execute(select(VoteChallenge.voter_key).where(
                VoteChallenge.ticket_hash == ticket_hash(token), VoteChallenge.campaign_id == campaign_id,
                VoteChallenge.verified_at.is_(None))).scalar_one_or_none()
        if voter is None:
            raise DomainError("vote.error.code_missing")
        return _check_code(engine, campaign_id, voter, code, token)
    return _check_code(engine, campaign_id, voter_key(e164), code, None)


def _check_code(engine: Engine, campaign_id: int, voter: bytes, code: str, token: str | None) -> Ballot:
    now = clock.utcnow()
    failure: DomainError | None = None
    ticket = secrets.token_urlsafe(32)
    # The attempt count must commit even when the code is wrong, so failures are raised after the block.
    with transaction(engine) as session:
        # only the newest code counts: a new send retires the older ones, a verified one is spent
        challenge = session.execute(
            select(VoteChallenge).where(VoteChallenge.campaign_id == campaign_id, VoteChallenge.voter_key == voter)
            .order_by(VoteChallenge.id.desc()).limit(1)).scalar_one_or_none()
        if (challenge is None or challenge.verified_at is not None
                or (token is not None and challenge.ticket_hash != ticket_hash(token))):  # a newer send retired it
            failure = DomainError("vote.error.code_missing")
        elif challenge.expires_at <= now:
            failure = DomainError("vote.error.code_expired")
        else:
            tries = session.execute(
                update(VoteChallenge).where(VoteChallenge.id == challenge.id, VoteChallenge.attempts < MAX_ATTEMPTS,
                                            VoteChallenge.verified_at.is_(None))
                .values(attempts=VoteChallenge.attempts + 1).returning(VoteChallenge.attempts)).scalar_one_or_none()
            if tries is None:
                failure = DomainError("vote.error.code_locked")
            elif not hmac.compare_digest(_code_hash(voter, code), challenge.code_hash):
                remaining = MAX_ATTEMPTS - tries
                failure = (DomainError("vote.error.code_wrong", field="code", remaining=remaining) if remaining
                           else DomainError("vote.error.code_locked"))
            else:  # a fresh ticket: the flow token that entered the code is spent
                session.execute(update(VoteChallenge).where(VoteChallenge.id == challenge.id)
                                .values(verified_at=now, ticket_hash=ticket_hash(ticket)))
    if failure:
        raise failure
    return Ballot(ticket, now + TICKET_TTL)


# --- the verified voter -------------------------------------------------------------------------

def ticket_voter(session, ticket: str, now: datetime):
    """(voter_key, verified_at, campaign_id) of a live ticket, else the "verify again" message."""
    row = session.execute(select(VoteChallenge.voter_key, VoteChallenge.verified_at, VoteChallenge.campaign_id)
                          .where(VoteChallenge.ticket_hash == ticket_hash(ticket))).first()
    if row is None or row.verified_at is None or row.verified_at + TICKET_TTL <= now:
        raise DomainError("vote.error.session_expired")
    return row


@dataclass(frozen=True)
class BallotState:
    campaign_id: int
    voted_today: frozenset[int]
    used_today: int
    per_day: int
    expires_at: datetime


def ballot_state(engine: Engine, *, ticket: str) -> BallotState:
    """For display only (which cards to mark, votes left today); the limits are the database's."""
    now = clock.utcnow()
    day, _ = local_day_hour(now)
    with reading(engine) as session:
        row = ticket_voter(session, ticket, now)
        per_day = session.execute(select(Campaign.per_voter_per_day).where(Campaign.id == row.campaign_id)).scalar_one()
        mine = (Vote.campaign_id == row.campaign_id, Vote.voter_key == row.voter_key, Vote.day == day)
        voted = frozenset(session.execute(select(Vote.case_id).where(*mine)).scalars())
        used = session.execute(select(VoteQuota.used).where(
            VoteQuota.campaign_id == row.campaign_id, VoteQuota.voter_key == row.voter_key, VoteQuota.day == day,
        )).scalar_one_or_none()
    return BallotState(row.campaign_id, voted, used or 0, per_day, row.verified_at + TICKET_TTL)


@dataclass(frozen=True)
class FlowState:
    """Where a voter's flow stands, found again from the token their browser kept."""

    campaign_id: int
    step: str  # code (a code was sent and may still be entered) | ballot (verified, may vote)
    expires_at: datetime


def flow_state(engine: Engine, *, token: str) -> FlowState | None:
    """The flow a token belongs to while it can still go on: an unspent code that is the number's
    newest, unexpired and not locked, or a verified ticket within TICKET_TTL; else None."""
    if not token:
        return None
    now = clock.utcnow()
    with reading(engine) as session:
        challenge = session.execute(select(VoteChallenge).where(
            VoteChallenge.ticket_hash == ticket_hash(token))).scalar_one_or_none()
        if challenge is None:
            return None
        if challenge.verified_at is not None:
            until = challenge.verified_at + TICKET_TTL
            return FlowState(challenge.campaign_id, "ballot", until) if until > now else None
        newest = session.execute(select(func.max(VoteChallenge.id)).where(
            VoteChallenge.campaign_id == challenge.campaign_id,
            VoteChallenge.voter_key == challenge.voter_key)).scalar_one()
    if newest != challenge.id or challenge.expires_at <= now or challenge.attempts >= MAX_ATTEMPTS:
        return None
    return FlowState(challenge.campaign_id, "code", challenge.expires_at)
