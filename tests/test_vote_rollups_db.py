"""An open campaign's stored figures up to a watermark (db/voting/rollups.py): every read equals the live one
across folds, closing and voiding; a read takes at most BOUND vote ids live; concurrent folds never count a vote
twice; and on PostgreSQL a vote whose transaction commits late, below ids already committed, is not lost."""

import json
import threading
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, text

from db import clock
from db.models.voting import Vote, VoteRollup
from db.voting import ballot as vote_ballot
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import results as vote_results
from db.voting import review as vote_review
from db.voting import rollups
from factories.records import admin_actor, open_campaign_with_voters

BOUND, ADDRESS_MIN = 12, 4  # small, so a few hundred votes cross them many times
BUSY = "203.0.113.9"


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(rollups, "BOUND", BOUND)
    monkeypatch.setattr(rollups, "ADDRESS_MIN", ADDRESS_MIN)


def _shift(monkeypatch, delta):
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + delta)


def _campaign(engine, voters=10, cases=5, network=7, prefix="1570000"):
    return open_campaign_with_voters(engine, name=f"水位测试{network}", cases=cases, voters=voters, per_voter_per_day=30,
                                     phone_prefix=prefix, theme="culture", network=network)


def _cast(engine, tickets, cases, *, start=0, step=1):
    """Each voter picks cases in turn; every third voter comes from one shared address and picks the first case
    too (a busy address once four of them have)."""
    for index, ticket in enumerate(tickets):
        picks = [cases[(index + start + k * step) % len(cases)] for k in range(1 + index % 3)]
        address = BUSY if index % 3 == 0 else f"198.51.100.{index + 1}"
        picks = list(dict.fromkeys([cases[0], *picks])) if address == BUSY else picks
        vote_ballot.cast_votes(engine, ticket=ticket, case_ids=picks, client_address=address)


def _watermark(engine, campaign_id):
    with engine.connect() as conn:
        return conn.execute(select(VoteRollup.watermark).where(VoteRollup.campaign_id == campaign_id)).scalar()


def _top(engine):
    with engine.connect() as conn:
        return conn.execute(select(func.max(Vote.id))).scalar()


def _same_as_live(engine, actor, campaign_id, cases):
    """Every read of the review, the ranking and the per-case tally against its live computation."""
    summary = vote_review.summary(engine, actor=actor, campaign_id=campaign_id)
    assert summary == vote_review.summary(engine, actor=actor, campaign_id=campaign_id, live=True)
    for case_id in (None, *cases):
        pd.testing.assert_frame_equal(
            vote_review.hourly(engine, actor=actor, campaign_id=campaign_id, case_id=case_id),
            vote_review.hourly(engine, actor=actor, campaign_id=campaign_id, case_id=case_id, live=True))
    pd.testing.assert_frame_equal(vote_review.anomalies(engine, actor=actor, campaign_id=campaign_id),
                                  vote_review.anomalies(engine, actor=actor, campaign_id=campaign_id, live=True))
    campaign = voting.readable_campaign(engine, actor, campaign_id)
    with rollups.reading(engine) as conn:
        src = rollups.source(conn, campaign)
        kept = sorted(map(tuple, conn.execute(rollups.per_case_valid(src)).all()))
        live = sorted(map(tuple, conn.execute(rollups.valid_per_case(campaign_id, live=True)).all()))
        busy = sorted(map(tuple, conn.execute(rollups.addresses(src)).all()))
        busy_live = sorted(map(tuple, conn.execute(rollups.live_addresses(campaign_id)).all()))
    assert kept == live and busy == busy_live
    ranking = vote_results.ranking(engine, actor=actor, campaign_id=campaign_id)
    assert dict(zip(ranking["case_id"], ranking["votes"])) == {c: dict(live).get(c, 0) for c in cases}
    return summary, src


def test_open_campaign_reads_equal_live_across_folds_closing_and_voiding(engine, small, monkeypatch):
    admin = admin_actor(engine)
    campaign_id, cases, tickets = _campaign(engine)
    summary, src = _same_as_live(engine, admin, campaign_id, cases)  # no vote yet: read live, nothing written
    assert summary["valid"] == 0 and src.kind == "live" and _watermark(engine, campaign_id) is None
    marks = []
    for batch in range(4):  # several batches, each more than BOUND votes, some below it
        _cast(engine, tickets[: 4 + batch * 2], cases, start=batch)
        summary, src = _same_as_live(engine, admin, campaign_id, cases)
        if batch:  # (the first batch may be too few votes to fold: read live)
            assert src.kind == "open" and _top(engine) - src.watermark <= BOUND  # at most BOUND ids read live
            marks.append(src.watermark)
    assert marks == sorted(marks) and len(set(marks)) > 1  # it folded along the way
    # the busy address crossed ADDRESS_MIN partly above, partly below a watermark
    assert any(row[1] == vote_codes.address_key(BUSY) for row in rollups_busy(engine, campaign_id))
    _shift(monkeypatch, timedelta(hours=3))  # hours later, eight more voters
    later = [vote_codes.verify_code(engine, campaign_id=campaign_id, phone=f"1571111{i:04d}", code=vote_codes.request_code(
        engine, campaign_id=campaign_id, phone=f"1571111{i:04d}", client_address=f"10.7.9.{i + 1}").demo_code).ticket
             for i in range(8)]
    _cast(engine, later, cases, step=2)
    summary, _ = _same_as_live(engine, admin, campaign_id, cases)
    assert summary["voters"] == 18 and summary["addresses"] > 2
    voting.close_campaign(engine, actor=admin, campaign_id=campaign_id)
    closed, src = _same_as_live(engine, admin, campaign_id, cases)
    assert src.kind == "stored" and closed == summary
    voided = vote_review.void_votes(engine, actor=admin, campaign_id=campaign_id, data={
        "case_id": cases[0], "kind": "address", "ip_key": vote_codes.address_key(BUSY).hex(), "reason": "同一地址集中投票"})
    after, _ = _same_as_live(engine, admin, campaign_id, cases)
    assert voided > 0 and after["void"] == voided and after["valid"] == summary["valid"] - voided


def rollups_busy(engine, campaign_id):
    with engine.connect() as conn:
        return conn.execute(rollups.stored_addresses(campaign_id)).all()


def _vote_rows_read(conn, engine, query) -> list[tuple[str, float]]:
    """(how, rows per execution) of each read of the vote table in the query's plan."""
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    if engine.dialect.name == "sqlite":
        return [(row[-1], 0) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
                if " vote " in f" {row[-1]} " or " vote_1 " in f" {row[-1]} "]
    plan = conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if node.get("Relation Name") == "vote":
            found.append((f"{node['Node Type']} {node.get('Index Name', '')}",
                          node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
                          + node.get("Rows Removed by Index Recheck", 0)))
        for child in node.get("Plans", []):
            walk(child)
    walk(plan[0]["Plan"])
    return found


def test_a_read_takes_at_most_bound_vote_ids_live(engine, small):
    """The open campaign's reads go through a primary-key range above the watermark, never the campaign's
    votes (the demo database holds some 100,000 other votes to tempt a planner), and the address counts below
    the watermark look up fewer than ADDRESS_MIN index entries per pair."""
    admin = admin_actor(engine)
    campaign_id, cases, tickets = _campaign(engine, voters=12)
    _cast(engine, tickets, cases)
    vote_review.summary(engine, actor=admin, campaign_id=campaign_id)  # folds
    _cast(engine, tickets[:5], cases, start=1)  # then a few votes above the watermark
    campaign = voting.readable_campaign(engine, admin, campaign_id)
    with rollups.reading(engine) as conn:
        src = rollups.source(conn, campaign)
        above = conn.execute(select(func.count()).where(Vote.campaign_id == campaign_id, Vote.id > src.watermark)).scalar()
        assert src.kind == "open" and 0 < above <= BOUND and _top(engine) - src.watermark <= BOUND
        for query in (rollups.summary(src), rollups.hours(src), rollups.addresses(src), rollups.per_case_valid(src)):
            reads = _vote_rows_read(conn, engine, query)
            assert reads, query
            for how, rows in reads:
                if engine.dialect.name == "sqlite":
                    assert "PRIMARY KEY (rowid>?)" in how or "ix_vote_case_address (campaign_id=? AND case_id=? AND ip_key=?" in how, how
                else:
                    assert "Seq Scan" not in how and rows <= BOUND, (how, rows)


def test_concurrent_folds_count_each_vote_once(engine, small):
    admin = admin_actor(engine)
    campaign_id, cases, tickets = _campaign(engine, voters=12)
    _cast(engine, tickets, cases)
    start, errors, done = threading.Barrier(4), [], []

    def fold():
        try:
            start.wait()
            done.append(rollups.fold(engine, campaign_id))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))
    threads = [threading.Thread(target=fold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # a fold that found the writer busy past FOLD_LOCK_MS left it to the others (False): never an error
    assert not errors and any(done) and len(done) == 4
    assert _watermark(engine, campaign_id) == _top(engine)
    _same_as_live(engine, admin, campaign_id, cases)


def _late_vote(conn, campaign_id, case_id):
    """A vote inserted in a transaction left open: it has its id from the sequence, not yet committed."""
    day, hour = vote_codes.local_day_hour(clock.utcnow())
    return conn.execute(insert(Vote.__table__).values(
        campaign_id=campaign_id, case_id=case_id, voter_key=b"L" * 32, day=day, case_slot=1, cast_at=clock.utcnow(),
        hour=hour, ip_key=b"l" * 16, status="valid").returning(Vote.__table__.c.id)).scalar_one()


# PostgreSQL alone: SQLite hands out ids inside its one writer, so no vote commits below a committed one there
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_vote_committing_late_below_committed_ids_is_not_lost(engine, small, monkeypatch):
    admin = admin_actor(engine)
    campaign_id, cases, tickets = _campaign(engine, voters=12)
    _cast(engine, tickets, cases)
    vote_review.summary(engine, actor=admin, campaign_id=campaign_id)  # the first fold
    late = engine.connect()
    late.begin()
    late_id = _late_vote(late, campaign_id, cases[0])
    try:
        _cast(engine, tickets, cases, start=2)  # committed, all with ids above the late one
        assert _top(engine) - _watermark(engine, campaign_id) > BOUND
        _same_as_live(engine, admin, campaign_id, cases)  # the fold waits FOLD_LOCK_MS, gives up, reads live
        assert _watermark(engine, campaign_id) < late_id
    finally:
        late.commit()
        late.close()
    summary, src = _same_as_live(engine, admin, campaign_id, cases)  # now it folds, the late vote counted
    assert src.watermark >= late_id and summary["voters"] == 13

    # without the lock a fold would have passed the late vote's id and lost it for good
    other_id, other_cases, other_tickets = _campaign(engine, voters=12, network=8, prefix="1572222")
    _cast(engine, other_tickets, other_cases)
    vote_review.summary(engine, actor=admin, campaign_id=other_id)
    monkeypatch.setattr(rollups, "_settled_top", lambda eng: _top(eng))
    late = engine.connect()
    late.begin()
    _late_vote(late, other_id, other_cases[0])
    _cast(engine, other_tickets, other_cases, start=2)
    assert _top(engine) - _watermark(engine, other_id) > BOUND
    vote_review.summary(engine, actor=admin, campaign_id=other_id)  # the naive fold passes it
    late.commit()
    late.close()
    naive = vote_review.summary(engine, actor=admin, campaign_id=other_id)
    assert naive["valid"] == vote_review.summary(engine, actor=admin, campaign_id=other_id, live=True)["valid"] - 1
