"""Figures for sign-in at the real bcrypt cost: the median answer time for an unknown user, a wrong
password, a locked account, a deactivated account (right password) and the right password, whether
the refusals are within 20% of each other (a guesser must not tell them apart by time); then 32
parallel wrong passwords from two processes of 16 threads: how many were checked, the counter after.
Prints figures; not a test. Under a minute.

    python -m bench.signin                      (a temporary SQLite file)
    python -m bench.signin --url postgresql+psycopg://postgres@127.0.0.1:5432/empty_db
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta

REFUSALS = ("unknown user", "wrong password", "locked account", "deactivated account")
CASES = {  # name: (username, password)
    "unknown user": ("nobody.here", "Leader@2026"),
    "wrong password": ("leader", "Wrong-pass-1"),
    "locked account": ("street", "Street@2026"),
    "deactivated account": ("evaluator", "Evaluator@2026"),
    "right password": ("admin", "Admin@2026"),
}
TOLERANCE = 0.20


def _prepare(url: str) -> None:
    """Schema, the org units and the demo accounts (hashed at the configured cost); street locked,
    evaluator deactivated."""
    from sqlalchemy import update

    from db import clock, migrate
    from db.engine import make_engine, transaction
    from db.models import AppUser
    from seed_data import loader as seed

    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(engine) as session:
        for _part, load in seed.PARTS[:2]:  # org units, then users
            load(session)
        session.execute(update(AppUser).where(AppUser.username == "street")
                        .values(locked_until=clock.utcnow() + timedelta(days=365)))
        session.execute(update(AppUser).where(AppUser.username == "evaluator").values(active=False))
    engine.dispose()


def _reset(engine, usernames) -> None:
    """Give back the slots the timed attempts used, so every run takes the same path (untimed)."""
    from sqlalchemy import update

    from db.engine import transaction
    from db.models import AppUser

    with transaction(engine) as session:
        session.execute(update(AppUser).where(AppUser.username.in_(usernames))
                        .values(failed_logins=0, failed_window_start=None, locked_until=None))


def timings(engine, runs: int) -> dict[str, float]:
    from db import users

    times = {name: [] for name in CASES}
    for index in range(runs + 1):  # the first round warms up: the dummy hash, connections
        for name, (username, password) in CASES.items():  # interleaved, so load drift hits every case
            _reset(engine, ["leader", "evaluator", "admin"])
            started = time.perf_counter()
            result = users.authenticate(engine, username, password)
            elapsed = (time.perf_counter() - started) * 1000
            assert result.ok == (name == "right password"), (name, result)
            if index:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def lockout(engine, url: str) -> dict:
    from sqlalchemy import func, select

    from db.engine import reading
    from db.models import AppUser, AuditLog
    from factories.login_race import race

    def failures() -> int:
        with reading(engine) as session:
            return session.execute(select(func.count()).select_from(AuditLog).where(
                AuditLog.username == "leader", AuditLog.action == "login_failed")).scalar_one()

    _reset(engine, ["leader"])
    before = failures()
    wrong = [f"guess-{i:02d}-x" for i in range(32)]
    outcome = race(url, "leader", [wrong[:16], wrong[16:]])
    failed = failures() - before
    with reading(engine) as session:
        row = session.execute(select(AppUser).where(AppUser.username == "leader")).scalar_one()
    return {"attempts": len(outcome["results"]), "checked": outcome["wrong_checked"], "audited": failed,
            "counter": row.failed_logins, "locked": row.locked_until is not None, "errors": outcome["errors"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty database to use (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=12, help="bcrypt cost (12, as in production)")
    parser.add_argument("--runs", type=int, default=9, help="timed attempts per case")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="cpme-bench-signin-")
    # set before the db modules read them; the race's processes inherit them
    os.environ["BCRYPT_ROUNDS"] = str(args.rounds)
    os.environ.setdefault("APP_SECRET_KEY", "bench-secret-key-" + "x" * 32)
    os.environ["APP_DATA_DIR"] = workdir
    url = args.url or f"sqlite:///{workdir}/signin.db"
    from db.engine import make_engine

    _prepare(url)
    engine = make_engine(url)
    medians = timings(engine, args.runs)
    print(f"sign-in on {engine.dialect.name}, bcrypt cost {args.rounds}, median of {args.runs}")
    for name, value in medians.items():
        print(f"  {name:22} {value:8.1f} ms")
    refused = [medians[name] for name in REFUSALS]
    spread = max(refused) / min(refused) - 1
    alike = spread <= TOLERANCE
    print(f"  refusals within {TOLERANCE:.0%} of each other: {'yes' if alike else 'NO'} (spread {spread:.1%})")
    figures = lockout(engine, url)
    print(f"lockout: {figures['attempts']} parallel wrong passwords from 2 processes -> {figures['checked']} checked, "
          f"{figures['audited']} login_failed rows, account {'locked' if figures['locked'] else 'NOT locked'} "
          f"(counter {figures['counter']}: the lock resets it)"
          + (f", errors {figures['errors'][:3]}" if figures["errors"] else ""))
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if alike and figures["checked"] <= 5 and figures["locked"] and not figures["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
