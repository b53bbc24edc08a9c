"""Stored review figures of a campaign (db.models.voting: VoteRollup, VoteHourRollup, VoteAddressRollup,
VoteRollupKey): its summary, its votes per case and hour, and its busy addresses per case, so the review
(db/voting/review.py), the ranking, the public tally and the overview read a few hundred rows instead of all its
votes (160,000 per district at city scale).

A closed campaign takes no more votes, so only a status change of its votes moves the figures:
- closing (db.voting.campaigns.close_campaign) stores them, in the closing transaction;
- voiding (db.voting.review.void_votes) recomputes the voided case's rows, in the voiding transaction;
- the first publication (db.voting.results.store_publication) stores them again before it ranks: on PostgreSQL a
  vote whose transaction had passed the open check when the campaign closed can still commit just after.
Every step recomputes from the votes rather than adding deltas, so a roll-up can never drift. Migration
0019 filled the tables with the same SQL written out; the demo and city loaders publish through the app's
own step, so they store them as the app does.

An open campaign (issue 20) is read as its stored figures up to a watermark (VoteRollup.watermark, a vote id)
plus the votes above it read live: a range of the vote table's primary key, `id > watermark`, with the campaign
filter kept off its indexes (`campaign_id + 0`) so neither planner walks the campaign's whole index instead.
The vote path writes nothing of this (cast_votes is as it was); a read that would take more than BOUND vote ids
live first folds them in (`fold`), in its own short transaction:
- it adds the votes in (watermark, top] to the hour rows (an upsert per case, day and hour), the valid and void
  counts, and the voter and address keys not seen before (VoteRollupKey, counted as they are inserted), and
  moves the watermark to top, all computed from the votes themselves; no counter is kept anywhere else;
- the distinct voters and addresses stay exact because a key above the watermark counts only when VoteRollupKey
  (every key at or below it, by primary key) does not hold it;
- busy addresses (>= ADDRESS_MIN votes of a case, void included) are decided exactly: a stored one takes the
  live votes on top; a (case, address) of the live votes that is not stored had fewer than ADDRESS_MIN votes at
  or below the watermark, so its earlier votes are counted through ix_vote_case_address, fewer than ADDRESS_MIN
  index entries per pair. A read therefore touches at most BOUND ids of the vote table, plus ADDRESS_MIN - 1
  index entries per (case, address) among them, whatever the campaign's size. (Keeping a count for every
  (case, address) would take a row per pair, about one per vote, for the same bound.)
- concurrent folds: the summary row is locked (SELECT .. FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE is
  the one writer) and its watermark read again under the lock, so a second fold adds only what the first did
  not. Every read of an open campaign runs in one snapshot (`reading`: SQLite's read transaction, REPEATABLE
  READ on PostgreSQL) and takes the watermark and the rows from it, so no read sees half a fold or counts a
  vote twice.
- late commits: a PostgreSQL sequence hands out ids before commit, so a vote with an id below the highest
  committed one may still be in flight; folding past it would lose it for good. The fold therefore takes top as
  max(id) under LOCK TABLE vote IN SHARE MODE, which waits for every transaction that inserted a vote to end
  (and holds new votes for that moment, once per BOUND votes; lock_timeout FOLD_LOCK_MS, after which the read
  simply reads a longer range live and the next read tries again). On SQLite the id is handed out inside the
  single writer, so max(id) seen by the fold's write transaction is final.
Votes change status only in a closed campaign (void_votes refuses an open one), and closing recomputes
everything from the votes, so the figures an open campaign folded never need correcting.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import BigInteger, and_, case, cast, delete, exists, func, insert, literal, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from db.engine import SQLITE_BUSY_TIMEOUT_MS
from db.errors import DomainError
from db.models.voting import Campaign, Vote, VoteAddressRollup, VoteHourRollup, VoteRollup, VoteRollupKey
from db.voting.rules import ADDRESS_MIN

STORED_STATUSES = ("closed", "published")
# vote ids an open campaign's read takes live before it folds them into the stored figures
BOUND = 2_000
FOLD_LOCK_MS = 200  # PostgreSQL: how long a fold waits for the votes in flight before leaving it to a later read
VOTER, ADDRESS = 1, 2  # VoteRollupKey.kind

_H, _A, _S, _K = VoteHourRollup.__table__, VoteAddressRollup.__table__, VoteRollup.__table__, VoteRollupKey.__table__
_valid = func.sum(case((Vote.status == "valid", 1), else_=0))


# --- the live computations (an open campaign's reads, and what `store` keeps) ----------------------

def live_hours(campaign_id: int, case_id: int | None = None, *, lead: tuple = ()):
    """case_id, day, hour, votes, valid per case and local hour (`lead`: columns put first, for `store`)."""
    keys = (*lead, Vote.case_id, Vote.day, Vote.hour)
    query = (select(*keys, func.count().label("votes"), _valid.label("valid"))
             .where(Vote.campaign_id == campaign_id).group_by(*keys))
    return query if case_id is None else query.where(Vote.case_id == case_id)


def live_addresses(campaign_id: int, case_id: int | None = None, *, lead: tuple = ()):
    """case_id, ip_key, votes, valid for each case's addresses with at least ADDRESS_MIN votes (void included)."""
    keys = (*lead, Vote.case_id, Vote.ip_key)
    query = (select(*keys, func.count().label("votes"), _valid.label("valid"))
             .where(Vote.campaign_id == campaign_id).group_by(*keys).having(func.count() >= ADDRESS_MIN))
    return query if case_id is None else query.where(Vote.case_id == case_id)


def live_summary(campaign_id: int):
    """valid, void, voters, addresses over all the campaign's votes."""
    return select(func.coalesce(_valid, 0).label("valid"),
                  func.coalesce(func.sum(case((Vote.status == "void", 1), else_=0)), 0).label("void"),
                  func.count(func.distinct(Vote.voter_key)).label("voters"),
                  func.count(func.distinct(Vote.ip_key)).label("addresses")).where(Vote.campaign_id == campaign_id)


# --- the stored ones ------------------------------------------------------------------------------

def stored(conn, campaign_id: int) -> bool:
    """Whether the campaign has its figures stored (every closed or published one has, from 0019 on)."""
    return conn.execute(select(_S.c.campaign_id).where(_S.c.campaign_id == campaign_id)).first() is not None


def stored_hours(campaign_id: int, case_id: int | None = None):
    query = select(_H.c.case_id, _H.c.day, _H.c.hour, _H.c.votes, _H.c.valid).where(_H.c.campaign_id == campaign_id)
    return query if case_id is None else query.where(_H.c.case_id == case_id)


def stored_addresses(campaign_id: int):
    return select(_A.c.case_id, _A.c.ip_key, _A.c.votes, _A.c.valid).where(_A.c.campaign_id == campaign_id)


def stored_summary(campaign_id: int):
    return select(_S.c.valid, _S.c.void, _S.c.voters, _S.c.addresses).where(_S.c.campaign_id == campaign_id)


def valid_per_case(campaign_id: int, *, live: bool):
    """case_id, votes (valid) per case that has any vote: the ranking's public side."""
    if live:
        return (select(Vote.case_id, func.count().label("votes"))
                .where(Vote.campaign_id == campaign_id, Vote.status == "valid").group_by(Vote.case_id))
    return (select(_H.c.case_id, func.sum(_H.c.valid).label("votes"))
            .where(_H.c.campaign_id == campaign_id).group_by(_H.c.case_id).having(func.sum(_H.c.valid) > 0))


# --- an open campaign: stored figures up to the watermark + the votes above it ------------------------

@dataclass(frozen=True)
class Source:
    """Where a read takes a campaign's figures from: "stored" (closed or published), "open" (stored up to the
    watermark, live above it) or "live" (every vote: asked for, or an open campaign not folded yet)."""

    campaign_id: int
    kind: str
    watermark: int = 0


def source(conn, campaign: Campaign, live: bool = False) -> Source:
    if live:
        return Source(campaign.id, "live")
    if campaign.status in STORED_STATUSES:
        return Source(campaign.id, "stored" if stored(conn, campaign.id) else "live")
    mark = conn.execute(select(_S.c.watermark).where(_S.c.campaign_id == campaign.id)).scalar()
    return Source(campaign.id, "live") if mark is None else Source(campaign.id, "open", int(mark))


@contextmanager
def reading(engine: Engine) -> Iterator:
    """A read connection whose statements share one snapshot: SQLite's read transaction does, PostgreSQL's
    READ COMMITTED would not (a fold committing between two statements would show half of each)."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    with conn:
        yield conn


@contextmanager
def opened(engine: Engine, campaign: Campaign, live: bool = False) -> Iterator[tuple]:
    """(conn, source) for a read of the campaign: an open one's votes folded first when due (prepare), unless
    `live` asks for every vote; then one snapshot (reading)."""
    if not live:
        prepare(engine, campaign)
    with reading(engine) as conn:
        yield conn, source(conn, campaign, live)


def _above(campaign_id: int, low: int, high: int | None = None):
    """The campaign's votes with low < id (<= high): a primary-key range, the campaign filter off its indexes."""
    where = [Vote.campaign_id + 0 == campaign_id, Vote.id > low]
    return where if high is None else [*where, Vote.id <= high]


def _total(column, label):
    return cast(func.sum(column), BigInteger).label(label)


def hours(src: Source, case_id: int | None = None):
    """case_id, day, hour, votes, valid per case and local hour, wherever src reads them."""
    if src.kind != "open":
        return (stored_hours if src.kind == "stored" else live_hours)(src.campaign_id, case_id)
    delta = (select(Vote.case_id, Vote.day, Vote.hour, func.count().label("votes"), _valid.label("valid"))
             .where(*_above(src.campaign_id, src.watermark)).group_by(Vote.case_id, Vote.day, Vote.hour))
    kept = stored_hours(src.campaign_id)
    if case_id is not None:
        delta, kept = delta.where(Vote.case_id == case_id), kept.where(_H.c.case_id == case_id)
    both = union_all(kept, delta).subquery()
    return (select(both.c.case_id, both.c.day, both.c.hour, _total(both.c.votes, "votes"), _total(both.c.valid, "valid"))
            .group_by(both.c.case_id, both.c.day, both.c.hour))


def _addresses_upto(campaign_id: int, low: int, where: list | None = None):
    """Busy (case, address) groups over the stored ones (votes up to `low`) and the votes above it (`where`)."""
    delta = (select(Vote.case_id, Vote.ip_key, func.count().label("votes"), _valid.label("valid"))
             .where(*(where or _above(campaign_id, low))).group_by(Vote.case_id, Vote.ip_key).subquery())
    kept = _A.alias("kept")
    pair = and_(delta.c.case_id == kept.c.case_id, delta.c.ip_key == kept.c.ip_key)
    stored_part = (select(kept.c.case_id, kept.c.ip_key, (kept.c.votes + func.coalesce(delta.c.votes, 0)).label("votes"),
                          (kept.c.valid + func.coalesce(delta.c.valid, 0)).label("valid"))
                   .select_from(kept.outerjoin(delta, pair)).where(kept.c.campaign_id == campaign_id))
    # a pair not stored had fewer than ADDRESS_MIN votes up to `low`: counted by the address index
    earlier = aliased(Vote)
    mine = [earlier.campaign_id == campaign_id, earlier.case_id == delta.c.case_id, earlier.ip_key == delta.c.ip_key,
            earlier.id <= low]
    before = select(func.count()).where(*mine).scalar_subquery()
    before_valid = select(func.count()).where(*mine, earlier.status == "valid").scalar_subquery()
    new_part = (select(delta.c.case_id, delta.c.ip_key, (delta.c.votes + before).label("votes"),
                       (delta.c.valid + before_valid).label("valid"))
                .where(~exists().where(kept.c.campaign_id == campaign_id, pair)))
    both = union_all(stored_part, new_part).subquery()
    return select(both.c.case_id, both.c.ip_key, cast(both.c.votes, BigInteger).label("votes"),
                  cast(both.c.valid, BigInteger).label("valid")).where(both.c.votes >= ADDRESS_MIN)


def addresses(src: Source):
    """case_id, ip_key, votes, valid of each case's addresses with at least ADDRESS_MIN votes (void included)."""
    if src.kind == "stored":
        return stored_addresses(src.campaign_id)
    if src.kind == "live":
        return live_addresses(src.campaign_id)
    return _addresses_upto(src.campaign_id, src.watermark)


def _new_keys(campaign_id: int, kind: int, column):
    """A vote's key (voter or address) that the stored figures have not counted yet."""
    return ~exists().where(_K.c.campaign_id == campaign_id, _K.c.kind == kind, _K.c.key == column)


def summary(src: Source):
    """valid, void, voters, addresses."""
    if src.kind != "open":
        return (stored_summary if src.kind == "stored" else live_summary)(src.campaign_id)
    c = src.campaign_id
    kept = {name: select(_S.c[name]).where(_S.c.campaign_id == c).scalar_subquery()
            for name in ("valid", "void", "voters", "addresses")}
    return select(
        (kept["valid"] + func.coalesce(_valid, 0)).label("valid"),
        (kept["void"] + func.coalesce(func.sum(case((Vote.status == "void", 1), else_=0)), 0)).label("void"),
        (kept["voters"] + func.count(func.distinct(case((_new_keys(c, VOTER, Vote.voter_key), Vote.voter_key))))
         ).label("voters"),
        (kept["addresses"] + func.count(func.distinct(case((_new_keys(c, ADDRESS, Vote.ip_key), Vote.ip_key))))
         ).label("addresses"),
    ).where(*_above(c, src.watermark))


def per_case_valid(src: Source):
    """case_id, votes (valid) per case that has any valid vote."""
    if src.kind != "open":
        return valid_per_case(src.campaign_id, live=src.kind == "live")
    kept = select(_H.c.case_id, _H.c.valid).where(_H.c.campaign_id == src.campaign_id)
    delta = (select(Vote.case_id, func.count().label("valid"))
             .where(*_above(src.campaign_id, src.watermark), Vote.status == "valid").group_by(Vote.case_id))
    both = union_all(kept, delta).subquery()
    return (select(both.c.case_id, _total(both.c.valid, "votes")).group_by(both.c.case_id)
            .having(func.sum(both.c.valid) > 0))


def prepare(engine: Engine, campaign: Campaign) -> None:
    """Before an open campaign's read: fold its votes in when more than BOUND ids lie above the watermark, or,
    before its first fold, when it has more than BOUND votes (probed through its index, at most BOUND + 1 rows):
    a campaign with few votes is read live as it is and its reads write nothing."""
    if campaign.status != "open":
        return
    with engine.connect() as conn:
        mark = conn.execute(select(_S.c.watermark).where(_S.c.campaign_id == campaign.id)).scalar()
        if mark is None:
            due = conn.execute(select(Vote.id).where(Vote.campaign_id == campaign.id).limit(1).offset(BOUND)).first()
        else:
            due = (conn.execute(select(func.max(Vote.id))).scalar() or 0) - mark > BOUND
    if due:
        fold(engine, campaign.id)


def _settled_top(engine: Engine) -> int | None:
    """PostgreSQL: the highest vote id below which no vote is still in flight (see the module's note), or
    None when votes in flight outlast FOLD_LOCK_MS."""
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(FOLD_LOCK_MS)}ms'")
            conn.exec_driver_sql("LOCK TABLE vote IN SHARE MODE")
            return conn.execute(select(func.max(Vote.id))).scalar() or 0
    except OperationalError:
        return None


def fold(engine: Engine, campaign_id: int) -> bool:
    """Add an open campaign's votes above its watermark to its stored figures and move the watermark, in one
    short transaction of its own; False when it could not (votes in flight, another writer holding SQLite past
    FOLD_LOCK_MS, or a read-only database): the read then takes the longer range live."""
    postgres = engine.dialect.name == "postgresql"
    top = _settled_top(engine) if postgres else None
    if postgres and top is None:
        return False
    try:
        with engine.connect() as conn:
            with _short_wait(conn, postgres), conn.execution_options(writes=True).begin():
                if top is None:  # SQLite: inside the one writer every id handed out so far is committed
                    top = conn.execute(select(func.max(Vote.id))).scalar() or 0
                _fold_to(conn, postgres, campaign_id, top)
        return True
    except (DomainError, OperationalError):
        return False


@contextmanager
def _short_wait(conn, postgres: bool) -> Iterator[None]:
    """SQLite: wait FOLD_LOCK_MS for the write lock instead of the app's busy timeout; a fold is never urgent
    (the caller may even hold the write lock itself, as the demo loader's reminders do)."""
    if postgres:
        yield
        return
    raw = conn.connection.dbapi_connection
    raw.execute(f"PRAGMA busy_timeout={int(FOLD_LOCK_MS)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _fold_to(conn, postgres: bool, campaign_id: int, top: int) -> None:
    dialect_insert = postgresql.insert if postgres else sqlite.insert
    conn.execute(dialect_insert(_S).values(campaign_id=campaign_id, valid=0, void=0, voters=0, addresses=0, watermark=0)
                 .on_conflict_do_nothing(index_elements=["campaign_id"]))
    # the row lock serialises two folds; the watermark read under it is the one to fold from
    low = conn.execute(select(_S.c.watermark).where(_S.c.campaign_id == campaign_id).with_for_update()).scalar_one()
    if top > low:  # else another read folded them meanwhile
        _fold_range(conn, dialect_insert, campaign_id, low, top)


def _fold_range(conn, dialect_insert, c: int, low: int, top: int) -> None:
    """Fold the votes with low < id <= top into the stored figures (the caller holds the summary row)."""
    # the first fold takes the campaign's votes by its index; later ones a range of ids
    where = [Vote.campaign_id == c, Vote.id <= top] if low == 0 else _above(c, low, top)
    # busy addresses first: they read the stored rows as of `low`
    busy = conn.execute(_addresses_upto(c, low, where)).all()
    conn.execute(delete(_A).where(_A.c.campaign_id == c))
    if busy:
        conn.execute(insert(_A), [dict(campaign_id=c, case_id=r.case_id, ip_key=r.ip_key, votes=int(r.votes),
                                       valid=int(r.valid)) for r in busy])
    buckets = conn.execute(select(Vote.case_id, Vote.day, Vote.hour, func.count(), _valid).where(*where)
                           .group_by(Vote.case_id, Vote.day, Vote.hour)).all()
    if buckets:
        upsert = dialect_insert(_H)
        conn.execute(upsert.on_conflict_do_update(
            index_elements=["campaign_id", "case_id", "day", "hour"],
            set_={"votes": _H.c.votes + upsert.excluded.votes, "valid": _H.c.valid + upsert.excluded.valid}),
            [dict(campaign_id=c, case_id=r[0], day=r[1], hour=r[2], votes=int(r[3]), valid=int(r[4])) for r in buckets])
    valid, void = conn.execute(select(func.coalesce(_valid, 0),
                                      func.coalesce(func.sum(case((Vote.status == "void", 1), else_=0)), 0))
                               .where(*where)).one()
    added = {}
    for kind, column in ((VOTER, Vote.voter_key), (ADDRESS, Vote.ip_key)):
        fresh = select(literal(c), literal(kind), column).where(*where, _new_keys(c, kind, column)).distinct()
        added[kind] = len(conn.execute(insert(_K).from_select(["campaign_id", "kind", "key"], fresh)
                                       .returning(_K.c.key)).all())
    conn.execute(update(_S).where(_S.c.campaign_id == c, _S.c.watermark == low).values(
        valid=_S.c.valid + int(valid), void=_S.c.void + int(void), voters=_S.c.voters + added[VOTER],
        addresses=_S.c.addresses + added[ADDRESS], watermark=top))


# --- writes (the caller's transaction) ----------------------------------------------------------

_HOUR_COLUMNS = ["campaign_id", "case_id", "day", "hour", "votes", "valid"]
_ADDRESS_COLUMNS = ["campaign_id", "case_id", "ip_key", "votes", "valid"]


def store(session, campaign_id: int) -> None:
    """Compute the campaign's figures from its votes and store them, replacing what was there."""
    for table in (_H, _A, _S, _K):  # an open campaign's counted keys are of no use once it is closed
        session.execute(delete(table).where(table.c.campaign_id == campaign_id))
    session.execute(insert(_H).from_select(_HOUR_COLUMNS, live_hours(campaign_id, lead=(Vote.campaign_id,))))
    session.execute(insert(_A).from_select(_ADDRESS_COLUMNS, live_addresses(campaign_id, lead=(Vote.campaign_id,))))
    row = session.execute(live_summary(campaign_id)).mappings().one()
    session.execute(insert(_S).values(campaign_id=campaign_id, **{k: int(v) for k, v in row.items()}))


def refresh_case(session, campaign_id: int, case_id: int) -> None:
    """After votes of one case changed status: recompute that case's rows and the campaign's valid and void
    counts (the distinct voters and addresses count every vote, whatever its status, so they stay)."""
    if session.execute(select(_S.c.campaign_id).where(_S.c.campaign_id == campaign_id)).first() is None:
        store(session, campaign_id)
        return
    for table in (_H, _A):
        session.execute(delete(table).where(table.c.campaign_id == campaign_id, table.c.case_id == case_id))
    session.execute(insert(_H).from_select(_HOUR_COLUMNS,
                                           live_hours(campaign_id, case_id, lead=(Vote.campaign_id,))))
    session.execute(insert(_A).from_select(_ADDRESS_COLUMNS,
                                           live_addresses(campaign_id, case_id, lead=(Vote.campaign_id,))))
    totals = select(func.coalesce(func.sum(_H.c.valid), 0), func.coalesce(func.sum(_H.c.votes - _H.c.valid), 0)
                    ).where(_H.c.campaign_id == campaign_id)
    valid, void = session.execute(totals).one()
    session.execute(update(_S).where(_S.c.campaign_id == campaign_id).values(valid=int(valid), void=int(void)))
