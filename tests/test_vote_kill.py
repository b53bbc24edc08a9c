"""SIGKILL while votes are being cast: every vote acknowledged to a voter is in the database after a
restart, nothing is half-written (each voter's quota counter equals their votes), no vote counts
twice after the restart, and SQLite's file passes its integrity check. On SQLite (WAL) and PostgreSQL.

Why a worker process calling db.voting.campaigns.cast_votes, not `streamlit run` driven by a browser: the vote
page acknowledges a vote ("投票成功") only after that same function has returned, so the function's
return is the acknowledgement the property is about, and Streamlit adds no write of its own. A browser
keeps one or two submissions in flight, so a kill would almost always land between transactions and
test little; eight threads casting back to back keep several transactions open at every instant, so
the kill lands inside BEGIN IMMEDIATE, an INSERT or a COMMIT. A thread prints an acknowledgement
only after the call returned, as the page would show it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading

from sqlalchemy import func, select

from db.engine import make_engine, reading
from db.models.voting import Vote, VoteChallenge, VoteQuota
from db.voting import ballot as vote_ballot
from db.voting import codes as vote_codes
from factories.app import ROOT
from factories.records import open_campaign_with_voters

VOTERS = 60
CASES = 20
THREADS = 8
MAX_BUNDLE = 3
KILL_AFTER_ACKS = 60  # acknowledgement lines read before the kill: well inside the ~400 calls planned


def _setup(engine):
    return open_campaign_with_voters(engine, name="断电测试", cases=CASES, voters=VOTERS,
                                     per_voter_per_day=CASES, phone_prefix="1370000", theme="education",
                                     network=2)


def _plan(cases: list[int]) -> list[tuple[int, list[int]]]:
    """Every voter votes every case, in bundles of one to three, all voters interleaved."""
    rng = random.Random(7)
    plan = []
    for voter in range(VOTERS):
        order = cases[:]
        rng.shuffle(order)
        while order:
            size = rng.randint(1, MAX_BUNDLE)
            plan.append((voter, order[:size]))
            order = order[size:]
    rng.shuffle(plan)
    return plan


def _worker() -> None:
    """The app process stand-in: THREADS threads cast the plan; one JSON line per returned call."""
    args = json.load(sys.stdin)
    engine = make_engine(args["url"])
    tasks, lock = list(reversed(_plan(args["cases"]))), threading.Lock()
    out = sys.stdout

    def run():
        while True:
            with lock:
                if not tasks:
                    return
                voter, bundle = tasks.pop()
            try:
                outcomes = vote_ballot.cast_votes(engine, ticket=args["tickets"][voter], case_ids=bundle,
                                             client_address="10.3.3.3")
                line = {"voter": voter, "counted": [o.case_id for o in outcomes if o.result == "counted"]}
            except Exception as exc:  # a voter would have seen an error: the test fails on it
                line = {"voter": voter, "error": repr(exc)}
            with lock:  # whole lines, written and flushed only after the transaction returned
                out.write(json.dumps(line) + "\n")
                out.flush()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.write("DONE\n")
    out.flush()


def _start(url, cases, tickets) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", "from tests.test_vote_kill import _worker; _worker()"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    proc.stdin.write(json.dumps({"url": url, "cases": cases, "tickets": tickets}))
    proc.stdin.close()
    return proc


def _acks(lines: list[str]) -> tuple[set[tuple[int, int]], list[str]]:
    counted, errors = set(), []
    for line in lines:
        if not line.endswith("\n") or not line.startswith("{"):
            continue  # DONE, or a line cut by the kill (never acknowledged)
        ack = json.loads(line)
        errors += [ack["error"]] if "error" in ack else []
        counted |= {(ack["voter"], case) for case in ack.get("counted", [])}
    return counted, errors


def test_kill_while_voting_loses_no_acknowledged_vote(engine):
    campaign_id, cases, tickets = _setup(engine)
    url = engine.url.render_as_string(hide_password=False)

    first = _start(url, cases, tickets)
    lines = []
    while len(lines) < KILL_AFTER_ACKS:
        line = first.stdout.readline()
        assert line, "the worker ended before the kill"
        lines.append(line)
    os.kill(first.pid, signal.SIGKILL)
    lines += first.stdout.readlines()  # acknowledgements already in the pipe were shown to voters too
    first.wait(30)
    assert first.returncode == -signal.SIGKILL
    assert "DONE\n" not in lines, "the kill came after the last vote: nothing was in flight"
    before_kill, errors = _acks(lines)
    assert errors == [] and before_kill

    # The restart: a new process casts the whole plan again, meeting whatever the kill left behind.
    engine.dispose()
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(engine.url.database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    second = _start(url, cases, tickets)
    rest = second.stdout.read()  # stdin was written and closed at the start
    second.wait(240)
    assert second.returncode == 0 and rest.endswith("DONE\n")
    after_restart, errors = _acks(rest.splitlines(keepends=True))
    assert errors == []

    keys = {vote_codes.ticket_hash(ticket): i for i, ticket in enumerate(tickets)}
    with reading(engine) as s:
        voter_of = dict(s.execute(select(VoteChallenge.voter_key, VoteChallenge.ticket_hash)
                                  .where(VoteChallenge.campaign_id == campaign_id)).all())
        rows = s.execute(select(Vote.voter_key, Vote.case_id).where(Vote.campaign_id == campaign_id)).all()
        quotas = dict(s.execute(select(VoteQuota.voter_key, func.sum(VoteQuota.used))
                                .where(VoteQuota.campaign_id == campaign_id).group_by(VoteQuota.voter_key)).all())
    stored = [(keys[voter_of[voter]], case) for voter, case in rows]
    assert len(set(stored)) == len(stored)  # no duplicate
    assert before_kill <= set(stored), sorted(before_kill - set(stored))[:5]  # every acknowledged vote is there
    assert not before_kill & after_restart  # nothing counted twice across the restart
    in_flight = set(stored) - before_kill - after_restart  # committed, but the kill came before the ack
    assert len(in_flight) <= THREADS * MAX_BUNDLE
    assert len(stored) == VOTERS * CASES  # the restart finished every voter's plan
    per_voter: dict = {}
    for voter, _ in rows:
        per_voter[voter] = per_voter.get(voter, 0) + 1
    assert quotas == per_voter  # each quota unit has its vote and each vote its unit: no half-write
    if engine.dialect.name == "sqlite":
        engine.dispose()
        with sqlite3.connect(engine.url.database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
