"""Figures for the vote: votes per second through db.voting.ballot.cast_votes with 1, 8 and 32 threads on
SQLite (WAL) and PostgreSQL, beside the raw single-row-commit insert rate of the same database in
the same run; every run checked for lost and duplicate votes. Then warm AppTest runs of the vote pages.
Prints figures; not a test. The campaigns it creates are removed again, with their votes and audit rows.

    python -m bench.voting          (PostgreSQL: TEST_POSTGRES_URL, else the local server)
    python -m bench.voting --threads 1 8 --votes 800 --no-postgres --no-pages
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
import uuid
from datetime import timedelta

os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
os.environ.setdefault("BCRYPT_ROUNDS", "4")
if "APP_DATA_DIR" not in os.environ:
    os.environ["APP_DATA_DIR"] = tempfile.mkdtemp(prefix="vote-bench-")

from sqlalchemy import (  # noqa: E402
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    func,
    insert,
    select,
    text,
)

from bench.timing import warm_page_ms  # noqa: E402
from db import (  # noqa: E402
    clock,
    migrate,  # noqa: E402
    users,
)
from db.engine import make_engine, transaction  # noqa: E402
from db.models import OrgUnit, SeedMark  # noqa: E402
from db.models.voting import Vote  # noqa: E402
from db.voting import ballot as vote_ballot
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import public as vote_public
from seed_data import loader as seed

THREADS = (1, 8, 32)
VOTES_PER_RUN = 3200
CASES = 30
REPEATS = 0.10  # share of attempts that repeat a (voter, case) already tried: must be refused
RAW_ROWS = 3200
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

_raw = Table("bench_raw_insert", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer),
             Column("key", LargeBinary(32)), Column("at", DateTime(timezone=True)))


def _seed_minimal(engine) -> None:
    """Org units, users and the vote demo (realistic index sizes), without the other areas' parts."""
    migrate.upgrade(engine)
    for part, loader in seed.PARTS:
        if part in ("org_units", "users", "voting"):
            with transaction(engine) as session:
                loader(session)
                session.add(SeedMark(part=part, loaded_at=clock.utcnow()))


def drop_campaigns(engine, campaign_ids: list[int]) -> None:
    """Remove benchmark campaigns and everything that points at them (votes, quotas, challenges, cases, any
    later table with a foreign key to a campaign or a case) and their audit rows: the measured database is
    left as it was found, so a later run's pages do not show them."""
    from sqlmodel import SQLModel

    from db.models import AuditLog
    from db.models.voting import Campaign, VoteCase

    if not campaign_ids:
        return
    with engine.connect() as conn:
        case_ids = list(conn.execute(select(VoteCase.id).where(VoteCase.campaign_id.in_(campaign_ids))).scalars())
    targets = {"campaign.id": campaign_ids, "vote_case.id": case_ids}
    with engine.execution_options(writes=True).begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name in ("campaign", "vote_case"):
                continue
            for fk in table.foreign_keys:
                ids = targets.get(fk.target_fullname)
                if ids:
                    conn.execute(table.delete().where(fk.parent.in_(ids)))
        conn.execute(VoteCase.__table__.delete().where(VoteCase.id.in_(case_ids or [-1])))
        conn.execute(Campaign.__table__.delete().where(Campaign.id.in_(campaign_ids)))
        for entity, ids in (("campaign", campaign_ids), ("vote_case", case_ids)):
            if ids:
                conn.execute(AuditLog.__table__.delete().where(AuditLog.entity == entity,
                                                               AuditLog.entity_id.in_([str(i) for i in ids])))


def _campaign(engine, label: str) -> tuple[int, list[int]]:
    admin, now = users.actor_for(engine, "admin"), clock.utcnow()
    with engine.connect() as conn:
        district = conn.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()
    campaign = voting.create_campaign(engine, actor=admin, data={
        "title": f"基准测试 {label}", "year": 2026, "org_unit_id": district, "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1), "per_voter_per_day": CASES, "per_case_per_day": 1})
    cases = [voting.add_case(engine, actor=admin, campaign_id=campaign.id, data={
        "title": f"案例{i}", "organization": "基准测试中心", "theme": "education"}) for i in range(CASES)]
    voting.open_campaign(engine, actor=admin, campaign_id=campaign.id)
    return campaign.id, cases


def _tickets(engine, campaign_id: int, count: int, prefix: int) -> list[str]:
    tickets = []
    for index in range(count):
        phone = f"1{prefix}{index:08d}"
        sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone=phone, client_address=f"10.{prefix}.{index}")
        tickets.append(vote_codes.verify_code(engine, campaign_id=campaign_id, phone=phone, code=sent.demo_code).ticket)
    return tickets


def vote_rate(engine, threads: int, label: str, prefix: int, votes: int = VOTES_PER_RUN, keep: bool = False) -> dict:
    """Votes per second through cast_votes with `threads` threads, on a campaign made for it and removed
    after (unless `keep`)."""
    campaign_id, cases = _campaign(engine, label)
    try:
        return _vote_rate(engine, threads, campaign_id, cases, prefix, votes)
    finally:
        if not keep:
            drop_campaigns(engine, [campaign_id])


def _vote_rate(engine, threads: int, campaign_id: int, cases: list[int], prefix: int, votes: int) -> dict:
    unique = int(votes * (1 - REPEATS))
    tickets = _tickets(engine, campaign_id, -(-unique // CASES), prefix)
    pairs = [(t, c) for t in tickets for c in cases][:unique]
    rng = random.Random(threads)
    attempts = pairs + rng.sample(pairs, votes - unique)
    rng.shuffle(attempts)
    counted, refused, errors, lock = [0], [0], [], threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker(share):
        barrier.wait()
        ok = no = 0
        for ticket, case_id in share:
            try:
                result = vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[case_id], client_address="10.0.0.1")[0].result
            except Exception as exc:  # counted as lost: a voter would have seen it
                with lock:
                    errors.append(repr(exc))
                continue
            ok, no = ok + (result == "counted"), no + (result != "counted")
        with lock:
            counted[0] += ok
            refused[0] += no

    pool = [threading.Thread(target=worker, args=(attempts[i::threads],)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).where(Vote.campaign_id == campaign_id)).scalar_one()
        duplicates = conn.execute(select(func.count()).select_from(
            select(Vote.case_id, Vote.voter_key, Vote.day).where(Vote.campaign_id == campaign_id)
            .group_by(Vote.case_id, Vote.voter_key, Vote.day).having(func.count() > 1).subquery())).scalar_one()
    return {"rate": votes / elapsed, "lost": unique - rows + len(errors), "duplicates": duplicates,
            "counted_vs_rows": counted[0] - rows, "refused": refused[0], "errors": errors[:3]}


def raw_rate(engine, threads: int, rows: int = RAW_ROWS) -> float:
    """Single-row INSERT, one commit each, through the same engine (write transactions)."""
    writer = engine.execution_options(writes=True)
    barrier = threading.Barrier(threads + 1)
    per_thread = rows // threads

    def worker(offset):
        barrier.wait()
        for n in range(per_thread):
            with writer.begin() as conn:
                conn.execute(insert(_raw), {"n": offset + n, "key": os.urandom(32), "at": clock.utcnow()})

    pool = [threading.Thread(target=worker, args=(i * per_thread,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    return per_thread * threads / (time.perf_counter() - started)


def measure(name: str, engine, threads_list: tuple[int, ...] = THREADS, votes_per_run: int = VOTES_PER_RUN) -> list[tuple]:
    _raw.metadata.create_all(engine)
    print(f"\n{name}")
    print(f"{'threads':>8} {'votes/s':>9} {'raw inserts/s':>14} {'ratio':>6} {'lost':>5} {'dup':>4} {'refused':>8}")
    raw_rate(engine, 1, rows=300), vote_rate(engine, 1, f"{name}-warm-up", 59, votes=300)  # warm caches, pool
    rows = []
    for index, threads in enumerate(threads_list):
        raw = raw_rate(engine, threads, rows=votes_per_run)
        votes = vote_rate(engine, threads, f"{name}-{threads}", 50 + index, votes=votes_per_run)
        ratio = votes["rate"] / raw
        rows.append((name, threads, votes["rate"], raw, ratio, votes["lost"], votes["duplicates"]))
        print(f"{threads:>8} {votes['rate']:>9.0f} {raw:>14.0f} {ratio:>6.0%} {votes['lost']:>5} "
              f"{votes['duplicates']:>4} {votes['refused']:>8}" + (f"  errors: {votes['errors']}" if votes["errors"] else ""))
        assert votes["counted_vs_rows"] == 0 and votes["refused"] == votes_per_run - int(votes_per_run * (1 - REPEATS))
    return rows


def sqlite_figures(**kwargs) -> list[tuple]:
    folder = tempfile.mkdtemp(prefix="vote-bench-sqlite-")
    engine = make_engine(f"sqlite:///{folder}/bench.db")
    _seed_minimal(engine)
    try:
        return measure("SQLite (WAL)", engine, **kwargs)
    finally:
        engine.dispose()


def postgres_figures(base: str | None = None, **kwargs) -> list[tuple]:
    base = base or os.environ.get("TEST_POSTGRES_URL") or PG_DEFAULT
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"cpme_vote_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here: say so and go on
        print(f"\nPostgreSQL: not measured ({type(exc).__name__}: {exc})".splitlines()[0])
        return []
    from sqlalchemy.engine import make_url

    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        _seed_minimal(engine)
        return measure("PostgreSQL", engine, **kwargs)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def warm_pages(runs: int = 20) -> None:
    """Median ms of a warm AppTest rerun of each vote page on the full demo data."""
    import streamlit as st

    from factories.app import new_app, signed_in

    folder = tempfile.mkdtemp(prefix="vote-bench-pages-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
    engine = make_engine(os.environ["DATABASE_URL"])
    seed.load_demo(engine)
    published = next(c.id for c in vote_public.public_campaigns(engine) if c.status == "published")
    engine.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()
    print(f"\nwarm AppTest reruns (median of {runs} after 3 warm-ups)")
    for label, role, path, query in (
            ("public vote page (open campaign, live tally)", None, "pages/vote.py", None),
            ("public vote page (published 2019 result)", None, "pages/vote.py", {"c": str(published)}),
            ("campaign admin (admin)", "admin", "pages/vote_admin.py", None),
            ("review & results (leader, 2019)", "leader", "pages/vote_review.py", {"c": str(published)})):
        at = signed_in(role) if role else new_app().run()
        if query:
            at.query_params.update(query)
        at.switch_page(path).run()
        target = "  (target < 50 ms)" if role is None else ""
        print(f"  {label:<48} {warm_page_ms(at, runs):6.1f} ms{target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.voting", description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=list(THREADS), help="thread counts (default 1 8 32)")
    parser.add_argument("--votes", type=int, default=VOTES_PER_RUN, help=f"attempts per run (default {VOTES_PER_RUN})")
    parser.add_argument("--pg-url", help="PostgreSQL server to create a scratch database on (default: "
                                         "TEST_POSTGRES_URL, else the local server)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-pages", action="store_true", help="skip the warm AppTest runs of the vote pages")
    parser.add_argument("--page-runs", type=int, default=20, help="warm reruns per page (default 20)")
    args = parser.parse_args(argv)
    kwargs = {"threads_list": tuple(args.threads), "votes_per_run": args.votes}
    rows = sqlite_figures(**kwargs) + ([] if args.no_postgres else postgres_figures(args.pg_url, **kwargs))
    top = max(args.threads)
    widest = next(r for r in rows if r[0].startswith("SQLite") and r[1] == top)
    print(f"\nSQLite, {top} threads: {widest[2]:.0f} votes/s (target ≥ 1,000 at 32), {widest[4]:.0%} of the raw "
          f"insert rate (target ≥ 40%); lost {sum(r[5] for r in rows)}, duplicates {sum(r[6] for r in rows)} over all "
          f"runs")
    if not args.no_pages:
        warm_pages(args.page_runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
