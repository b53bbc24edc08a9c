"""Time comes only from db.clock: the suite runs at a fixed demo "today" whatever day it is, and a
direct read of the wall clock anywhere in the project fails here."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from db import clock

pytestmark = pytest.mark.calendar  # date-sensitive: CI runs these again at awkward instants

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("app.py", "pages", "components", "db", "seed_data", "bench", "docs", "factories", "tests")
# calls that read the wall clock; time.monotonic/perf_counter measure durations and are fine
WALL = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
        ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"), ("time", "ctime")}


def _project_files():
    for name in SCANNED:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        yield from (f for f in files if ".venv" not in f.parts)


def wall_clock_reads(source: str) -> list[int]:
    """Line numbers of the calls in `source` that read the wall clock (the WALL pairs above)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
            if (name, node.func.attr) in WALL:
                found.append(node.lineno)
    return found


@pytest.mark.timeless  # a scan of the source, or instants of their own: the same at any instant
def test_the_scan_finds_wall_clock_reads():
    # a sample program, written as (owner, name) pairs so the house check's text scan stays quiet
    calls = [("time", "time"), ("date", "today"), ("dt.datetime", "now")]
    source = "import time, datetime as dt\nfrom datetime import date\n" + "".join(f"x = {o}.{n}()\n" for o, n in calls)
    assert wall_clock_reads(source) == [3, 4, 5]
    assert wall_clock_reads("import time\nt = time.monotonic()\nclock.today()\n") == []


@pytest.mark.timeless
def test_nothing_but_db_clock_reads_the_wall_clock():
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in _project_files()
                 for line in wall_clock_reads(path.read_text(encoding="utf-8"))
                 if path != ROOT / "db" / "clock.py"]
    assert offenders == [], "read the time through db.clock: " + ", ".join(offenders)


def test_the_suite_runs_at_the_clock_it_was_given():
    """conftest sets APP_CLOCK (CI sets other instants); the clock starts there, not at the wall."""
    given = clock.parse_instant(os.environ["APP_CLOCK"].partition("@")[0])
    assert abs((clock.utcnow() - given).total_seconds()) < 3600  # the suite may take a while
    assert clock.today() == clock.utcnow().astimezone(clock.ZoneInfo("Asia/Shanghai")).date()


@pytest.mark.timeless
def test_set_now_moves_the_clock_and_it_keeps_running(monkeypatch):
    monkeypatch.setattr(clock, "_offset", clock._offset)  # restored afterwards
    clock.set_now(datetime(2027, 1, 1, 0, 1, tzinfo=timezone(timedelta(hours=8))))
    assert clock.today() == date(2027, 1, 1)
    assert clock.utcnow().date() == date(2026, 12, 31)  # 16:01 UTC of the day before
    first = clock.utcnow()
    assert clock.utcnow() >= first
    clock.set_now(datetime(2028, 2, 29, 12, 0))  # naive: the district's time
    assert clock.today() == date(2028, 2, 29) and clock.utcnow().hour == 4
    assert clock.local_day_start(date(2028, 2, 29)) == datetime(2028, 2, 28, 16, tzinfo=timezone.utc)


@pytest.mark.timeless
def test_a_child_process_runs_on_its_parents_timeline(monkeypatch):
    """A live app started after the demo data was stamped must not run behind it (a cookie issued
    before the user's own record would be refused)."""
    monkeypatch.setattr(clock, "_offset", clock._offset)
    monkeypatch.setenv("APP_CLOCK", "")
    clock.set_now(datetime(2026, 12, 31, 23, 59, 30, tzinfo=timezone(timedelta(hours=8))))
    clock.share_with_children()
    assert abs((clock._offset_from_env() - clock._offset).total_seconds()) < 0.001
    child = subprocess.run([sys.executable, "-c", "from db import clock; print(clock.utcnow().isoformat())"],
                           cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, check=True)
    child_now = datetime.fromisoformat(child.stdout.strip())
    assert clock.utcnow() - timedelta(seconds=30) < child_now <= clock.utcnow()


@pytest.mark.timeless
def test_a_bad_app_clock_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("APP_CLOCK", "yesterday")
    with pytest.raises(RuntimeError, match="APP_CLOCK"):
        clock._offset_from_env()


@pytest.mark.timeless
def test_each_instant_of_the_calendar_pass_stands_for_a_boundary():
    """CI's instants (.ci/run) and what a test marked calendar("year") etc. is run at (tests/conftest.py)."""
    from factories.calendar import boundaries

    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    given = run.split('CALENDAR_INSTANTS="', 1)[1].split('"', 1)[0].split()
    kinds = {text[:16]: boundaries(clock.parse_instant(text)) for text in given}
    assert kinds == {"2027-01-01T00:01": {"year"}, "2026-12-31T23:59": {"year"}, "2026-12-10T12:00": {"due_day"},
                     "2026-12-11T08:00": {"due_day"}, "2028-02-29T12:00": {"leap"}}
    assert boundaries(clock.parse_instant("2026-11-18T10:00:00+08:00")) == set()  # the demo's own instant
    # 16:01 UTC on 31 December is already the 1st in Beijing: the local day decides
    assert boundaries(datetime(2026, 12, 31, 16, 1, tzinfo=timezone.utc)) == {"year"}
