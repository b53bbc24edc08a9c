"""A verified voter's ballot: cast_votes, the one write of the public vote.

Every limit is enforced by the database, never by a SELECT beforehand: the per-case limit by the
vote table's unique constraint (an insert that ignores conflicts), the per-day quota by a counter row
raised with a conditional upsert. Both work on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from numbers import Integral
from types import SimpleNamespace
from typing import Literal

from sqlalchemy import Date, Integer, and_, bindparam, exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from db import clock
from db.errors import DomainError
from db.models.voting import (
    Campaign,
    Vote,
    VoteCase,
    VoteChallenge,
    VoteQuota,
)
from db.validation import MAX_ROW_ID
from db.voting.codes import TICKET_TTL, address_key, local_day_hour, ticket_hash
from db.voting.rules import require_open

MAX_CASES_PER_SUBMISSION = 50


@dataclass(frozen=True)
class VoteOutcome:
    case_id: int
    result: Literal["counted", "already_voted", "quota_used", "unknown_case"]


_RULES = (Campaign.status, Campaign.opens_at, Campaign.closes_at, Campaign.rules_frozen_at,
          Campaign.per_voter_per_day, Campaign.per_case_per_day)


_MAX_TICKETS = 100_000


@dataclass(frozen=True)
class _Ticket:
    voter: bytes
    campaign_id: int
    verified_at: datetime


@dataclass(frozen=True)
class _Rules:
    opens_at: datetime
    closes_at: datetime
    per_day: int
    per_case: int


def _statements(dialect: str) -> SimpleNamespace:
    """Built once per dialect with bind parameters, so SQLAlchemy's compiled cache serves every vote."""
    if dialect in _STATEMENTS:
        return _STATEMENTS[dialect]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    quota_t, vote_t, campaign_t = VoteQuota.__table__, Vote.__table__, Campaign.__table__
    is_open = and_(campaign_t.c.id == bindparam("c"), campaign_t.c.status == "open")
    mine = and_(quota_t.c.campaign_id == bindparam("c"), quota_t.c.voter_key == bindparam("v"),
                quota_t.c.day == bindparam("d"))
    source = select(bindparam("c", type_=Integer), bindparam("v", type_=quota_t.c.voter_key.type),
                    bindparam("d", type_=Date), literal(1, Integer)).where(is_open)
    built = SimpleNamespace(
        read=select(VoteChallenge.voter_key, VoteChallenge.verified_at, VoteChallenge.campaign_id, *_RULES)
        .join(Campaign, Campaign.id == VoteChallenge.campaign_id)
        .where(VoteChallenge.ticket_hash == bindparam("ticket")),
        rules=select(*_RULES).where(Campaign.id == bindparam("c")),
        cases=select(VoteCase.id).where(VoteCase.campaign_id == bindparam("c")),
        freeze=update(campaign_t).where(campaign_t.c.id == bindparam("c"), campaign_t.c.rules_frozen_at.is_(None))
        .values(rules_frozen_at=bindparam("at")),
        # one unit of the day's quota, only while the campaign is open
        take=insert(quota_t).from_select(["campaign_id", "voter_key", "day", "used"], source)
        .on_conflict_do_update(index_elements=["campaign_id", "voter_key", "day"], set_={"used": quota_t.c.used + 1},
                               where=and_(quota_t.c.used < bindparam("limit"), exists().where(is_open)))
        .returning(quota_t.c.used),
        give_back=update(quota_t).where(mine).values(used=quota_t.c.used - 1),
        vote=insert(vote_t).values(
            campaign_id=bindparam("c"), case_id=bindparam("case"), voter_key=bindparam("v"), day=bindparam("d"),
            case_slot=bindparam("slot"), cast_at=bindparam("at"), hour=bindparam("hour"), ip_key=bindparam("ip"),
            status="valid",
        ).on_conflict_do_nothing(index_elements=["campaign_id", "case_id", "voter_key", "day", "case_slot"])
        .returning(vote_t.c.id),
    )
    return _STATEMENTS.setdefault(dialect, built)


def _load(conn, sql: SimpleNamespace, key: str, now: datetime,
          ids: list[int]) -> tuple[_Ticket, _Rules, frozenset[int]]:
    """Read the ticket and its campaign, freezing the rules at the first vote."""
    row = conn.execute(sql.read, {"ticket": key}).first()
    if row is None or row.verified_at is None or row.verified_at + TICKET_TTL <= now:
        # Closing a campaign deletes its tickets: when the picked case's campaign has stopped, say
        # that rather than "verify again".
        # a picked id beyond the id column's range is no case: PostgreSQL would refuse the query, not just miss
        probe = next((case_id for case_id in ids if 0 < case_id <= MAX_ROW_ID), None)
        campaign = None if probe is None else conn.execute(
            select(Campaign.status, Campaign.opens_at, Campaign.closes_at)
            .join(VoteCase, VoteCase.campaign_id == Campaign.id).where(VoteCase.id == probe)).first()
        if campaign is not None:
            require_open(campaign.status, campaign.opens_at, campaign.closes_at, now)
        raise DomainError("vote.error.session_expired")
    ticket = _Ticket(row.voter_key, row.campaign_id, row.verified_at)
    require_open(row.status, row.opens_at, row.closes_at, now)
    if row.rules_frozen_at is None:
        # The first vote freezes the rules; re-read them, an edit may have committed a moment ago.
        conn.execute(sql.freeze, {"c": ticket.campaign_id, "at": now})
        row = conn.execute(sql.rules, {"c": ticket.campaign_id}).one()
        require_open(row.status, row.opens_at, row.closes_at, now)
    rules = _Rules(row.opens_at, row.closes_at, row.per_voter_per_day, row.per_case_per_day)
    return ticket, rules, frozenset(conn.execute(sql.cases, {"c": ticket.campaign_id}).scalars())


def _remember(known: dict, key: str, loaded: tuple[_Ticket, _Rules, frozenset[int]]) -> None:
    """Keep what is final, once the transaction that froze the rules has committed."""
    ticket, rules, cases = loaded
    tickets = known.setdefault("tickets", {})
    if len(tickets) >= _MAX_TICKETS:
        tickets.clear()
    tickets[key] = ticket
    known.setdefault("rules", {})[ticket.campaign_id] = (rules, cases)


def _writer_gate(engine: Engine):
    """SQLite has one writer at a time anyway: this process's threads queue for it on a mutex,
    woken at once, instead of polling in SQLite's busy handler (which sleeps in steps of up to
    100 ms and leaves the database idle in between). Other processes still wait on busy_timeout."""
    return threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()


def cast_votes(engine: Engine, *, ticket: str, case_ids: list[int], client_address: str | None) -> list[VoteOutcome]:
    """Cast one vote for each case picked, in one short transaction; each case gets its own outcome.

    The per-case limit is the vote table's unique key: INSERT .. ON CONFLICT DO NOTHING, and no row
    back means "already voted". The daily quota is a counter row per (campaign, voter, day) raised
    by INSERT .. ON CONFLICT DO UPDATE SET used = used + 1 WHERE used < limit: the database
    evaluates the condition against the latest committed row under its row lock (PostgreSQL) or
    inside the single writer (SQLite), so concurrent submissions never exceed the quota, and no
    count is read first. A vote the per-case key refuses gives its quota unit back in the same
    transaction. (A slot number 1..N in the unique key would also work, but needs up to N inserts
    per vote and cannot tell "quota used" from "already voted".)

    No audit row per vote: the vote row itself is the record; reviews and voiding are audited.
    """
    ids = list(dict.fromkeys(int(c) for c in case_ids if isinstance(c, Integral) and not isinstance(c, bool)))
    ids = ids[:MAX_CASES_PER_SUBMISSION]
    if not ids:
        raise DomainError("vote.error.nothing_picked")
    now = clock.utcnow()
    day, hour = local_day_hour(now)
    ip, key = address_key(client_address), ticket_hash(ticket)
    sql, known = _statements(engine.dialect.name), _KNOWN.setdefault(engine, {})
    outcomes: list[VoteOutcome] = []
    # Core rather than an ORM session: this is the hot path, and it writes no ORM objects.
    voter = known.get("tickets", {}).get(key)
    cached = known.get("rules", {}).get(voter.campaign_id) if voter else None
    loaded = None
    gate = known.get("writer") or known.setdefault("writer", _writer_gate(engine))
    with gate, engine.execution_options(writes=True).begin() as conn:
        if cached is None:
            loaded = _load(conn, sql, key, now, ids)
            voter, cached = loaded[0], loaded[1:]
        rules, cases = cached
        if voter.verified_at + TICKET_TTL <= now:
            raise DomainError("vote.error.session_expired")
        require_open("open", rules.opens_at, rules.closes_at, now)  # the window; the status is checked below
        mine = {"c": voter.campaign_id, "v": voter.voter, "d": day}
        for case_id in ids:
            if case_id not in cases:
                outcomes.append(VoteOutcome(case_id, "unknown_case"))
            elif conn.execute(sql.take, {**mine, "limit": rules.per_day}).first() is None:
                status = conn.execute(sql.rules, {"c": voter.campaign_id}).one()
                require_open(status.status, status.opens_at, status.closes_at, now)  # closed just now?
                outcomes.append(VoteOutcome(case_id, "quota_used"))
            elif any(conn.execute(sql.vote, {**mine, "case": case_id, "slot": slot, "at": now, "hour": hour,
                                             "ip": ip}).first() is not None
                     for slot in range(1, rules.per_case + 1)):  # the first free slot; any() stops there
                outcomes.append(VoteOutcome(case_id, "counted"))
            else:
                conn.execute(sql.give_back, mine)
                outcomes.append(VoteOutcome(case_id, "already_voted"))
    if loaded:
        _remember(known, key, loaded)
    return outcomes


_STATEMENTS: dict[str, SimpleNamespace] = {}


_KNOWN: weakref.WeakKeyDictionary[Engine, dict] = weakref.WeakKeyDictionary()
