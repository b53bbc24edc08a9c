"""Many voters at once: 16 threads (and, on PostgreSQL, several processes) cast overlapping votes for
the same voters and cases; the end state holds exactly the rows the limits allow, nothing lost, no
duplicate, and no voter ever sees an error."""

import json
import random
import subprocess
import sys
import threading
from collections import Counter

from sqlalchemy import func, select

from db.engine import make_engine, reading
from db.models.voting import Vote, VoteQuota
from db.voting import ballot as vote_ballot
from factories.app import ROOT
from factories.records import open_campaign_with_voters

THREADS = 16
VOTERS = 6
CASES = 8
PER_DAY = 3


def _setup(engine):
    return open_campaign_with_voters(engine, name="并发测试", cases=CASES, voters=VOTERS,
                                     per_voter_per_day=PER_DAY, phone_prefix="1580000", theme="culture",
                                     network=1)


def _attempts(seed: int, tickets: list[str], cases: list[int]) -> list[tuple[str, list[int]]]:
    """Every voter tries every case, alone or in small bundles, in a shuffled order."""
    rng = random.Random(seed)
    plan = []
    for ticket in tickets:
        order = cases[:]
        rng.shuffle(order)
        while order:
            size = rng.choice((1, 1, 2, 3))
            plan.append((ticket, order[:size]))
            order = order[size:]
    rng.shuffle(plan)
    return plan


def _cast_all(url_or_engine, seed, tickets, cases):
    """Returns (counted (ticket, case) pairs, outcome counts, errors); never raises."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    counted, tally, errors = [], Counter(), []
    for ticket, bundle in _attempts(seed, tickets, cases):
        try:
            for outcome in vote_ballot.cast_votes(engine, ticket=ticket, case_ids=bundle, client_address="10.9.9.9"):
                tally[outcome.result] += 1
                if outcome.result == "counted":
                    counted.append((ticket, outcome.case_id))
        except Exception as exc:  # any error here would have been shown to a voter
            errors.append(repr(exc))
    if isinstance(url_or_engine, str):
        engine.dispose()
    return counted, tally, errors


def _check(engine, campaign_id, tickets, counted, errors):
    assert errors == []
    with reading(engine) as s:
        rows = s.execute(select(Vote.voter_key, Vote.case_id).where(Vote.campaign_id == campaign_id)).all()
        quotas = s.execute(select(VoteQuota.used).where(VoteQuota.campaign_id == campaign_id)).scalars().all()
        per_voter = s.execute(select(func.count()).where(Vote.campaign_id == campaign_id)
                              .group_by(Vote.voter_key)).scalars().all()
    assert len(rows) == VOTERS * PER_DAY  # exactly the quota, for every voter
    assert len(set(rows)) == len(rows)  # no voter twice on a case
    assert sorted(per_voter) == [PER_DAY] * VOTERS and sorted(quotas) == [PER_DAY] * VOTERS
    assert len(counted) == len(rows) and len(set(counted)) == len(counted)  # every "counted" is a row, once


def test_sixteen_threads_overlapping_votes(engine):
    campaign_id, cases, tickets = _setup(engine)
    results, barrier = [None] * THREADS, threading.Barrier(THREADS)

    def worker(index):
        barrier.wait()
        results[index] = _cast_all(engine, index, tickets, cases)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    counted = [pair for r in results for pair in r[0]]
    errors = [e for r in results for e in r[2]]
    outcomes = sum((r[1] for r in results), Counter())
    _check(engine, campaign_id, tickets, counted, errors)
    assert outcomes["counted"] == VOTERS * PER_DAY
    assert outcomes["already_voted"] + outcomes["quota_used"] == THREADS * VOTERS * CASES - VOTERS * PER_DAY


def _process_main() -> None:
    """A worker process: four threads, arguments as JSON on stdin, results as JSON on stdout."""
    args = json.load(sys.stdin)
    results, lock = [], threading.Lock()

    def run(offset):
        outcome = _cast_all(args["url"], args["seed"] * 100 + offset, args["tickets"], args["cases"])
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    json.dump({"counted": [pair for r in results for pair in r[0]], "errors": [e for r in results for e in r[2]]},
              sys.stdout)


def test_several_processes(engine):
    """Four processes of four threads each, as several app instances behind a load balancer.

    Plain subprocesses rather than multiprocessing: spawn re-runs whatever __main__ is at the time,
    and AppTest tests earlier in the session leave their generated script there."""
    campaign_id, cases, tickets = _setup(engine)
    url = engine.url.render_as_string(hide_password=False)
    code = "from tests.test_voting_concurrency import _process_main; _process_main()"
    workers = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True) for _ in range(4)]
    parts = []
    for seed, worker in enumerate(workers):
        worker.stdin.write(json.dumps({"url": url, "seed": seed, "tickets": tickets, "cases": cases}))
        worker.stdin.close()
    for worker in workers:
        parts.append(json.loads(worker.stdout.read()))
        assert worker.wait(timeout=180) == 0
    counted = [tuple(pair) for part in parts for pair in part["counted"]]
    errors = [e for part in parts for e in part["errors"]]
    _check(engine, campaign_id, tickets, counted, errors)
