"""Shared fixtures: databases built by the app's own seed loader, on SQLite always and on PostgreSQL
when TEST_POSTGRES_URL is set (CI sets it, so there they are required, not skipped).

The suite runs at a fixed demo "today" (APP_CLOCK, read by db.clock) whatever day it is run on; CI
runs the tests marked `calendar` again, in the same run, at month and year boundaries (CALENDAR_INSTANTS,
.ci/run). The seeded databases are built once per run and instant and copied for each test."""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from factories.scratch import scratch_root

_TMP = Path(tempfile.mkdtemp(prefix="cpme-tests-", dir=scratch_root()))
atexit.register(shutil.rmtree, _TMP, True)  # every copy below is private to this run
DEMO_NOW = "2026-11-18T10:00:00+08:00"  # a Wednesday mid-month: October is due, November is not over
# The instant every test starts at: APP_CLOCK as CI (or a developer) gave it, else the demo's; kept in
# its own variable because APP_CLOCK is rewritten below for child processes (xdist workers inherit both).
os.environ.setdefault("APP_TEST_INSTANT", (os.environ.get("APP_CLOCK") or DEMO_NOW).partition("@")[0])
os.environ["APP_CLOCK"] = os.environ["APP_TEST_INSTANT"]
os.environ.setdefault("APP_SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ["BCRYPT_ROUNDS"] = "4"  # ~1 ms per hash instead of ~0.3 s
os.environ["APP_DATA_DIR"] = str(_TMP / "data")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("APP_LANG", None)

from sqlalchemy import create_engine, text  # noqa: E402

from db import clock  # noqa: E402
from db.engine import make_engine  # noqa: E402
from factories import app as _app_factory  # noqa: E402,F401  (one component scan per process, for every AppTest)
from factories import records  # noqa: E402
from factories.calendar import BOUNDARIES, boundaries  # noqa: E402
from factories.databases import (  # noqa: E402
    BACKENDS,
    PG_URL,
    clones,
    database,
    pg_admin,
    pg_url,
    refuse_writes,
    remove_sqlite,
    sqlite_copy,
)
from seed_data import loader as seed  # noqa: E402

INSTANT = clock.parse_instant(os.environ["APP_TEST_INSTANT"])


# CI's calendar pass (.ci/run sets CALENDAR_INSTANTS): each test marked `calendar` runs at the demo
# instant and again at every one of these, in the same run. At those instants it runs on SQLite alone
# (the PostgreSQL cases are deselected): the date arithmetic is Python's (db.clock), and every db test has
# been through PostgreSQL at the demo instant.
CALENDAR_INSTANTS = os.environ.get("CALENDAR_INSTANTS", "").split()
DEMO_INSTANT = "demo"  # the calendar_instant parameter meaning APP_CLOCK's instant (INSTANT)

# The seeded demo databases are built once per run, by whichever xdist worker needs one first, in a folder
# named after the run: the controller hands its id to the workers (xdist's testrunuid, pytest_configure
# below), and removes the folder and the PostgreSQL templates named after it when the run ends.
_WORKER = "PYTEST_XDIST_TESTRUNUID" in os.environ
RUN = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)[:12]
SHARED = scratch_root() / f"cpme-templates-{RUN}"
SHARED.mkdir(exist_ok=True)


def pytest_configure(config):
    if not _WORKER and hasattr(config.option, "testrunuid"):
        config.option.testrunuid = RUN  # the workers' PYTEST_XDIST_TESTRUNUID


@contextmanager
def _stopped_clock_before(instant: datetime):
    """The demo is loaded as of one second before the instant, on a stopped clock: every seeded row is
    older than anything a test does, however long the loading takes."""
    moment = instant - timedelta(seconds=1)
    real = clock.utcnow
    clock.utcnow = lambda: moment
    try:
        yield
    finally:
        clock.utcnow = real


@contextmanager
def _built_once(name: str):
    """The run-wide lock for building `name`: one worker builds it, the others wait and then find it built."""
    with open(SHARED / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield SHARED / f"{name}.ready"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _key(instant: datetime) -> str:
    return instant.strftime("%Y%m%dt%H%M%S")


def sqlite_template_at(instant: datetime) -> Path:
    path = SHARED / f"demo-{_key(instant)}.db"
    with _built_once(path.name) as ready:
        if not ready.exists():
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):  # of a build that failed
                leftover.unlink(missing_ok=True)
            engine = make_engine(f"sqlite:///{path}")
            with _stopped_clock_before(instant):
                seed.load_demo(engine)
            engine.dispose()
            ready.touch()
    return path


def empty_template_at(instant: datetime) -> Path:
    """An empty install (reference data only) with a starter district and one account per role."""
    path = SHARED / f"empty-{_key(instant)}.db"
    with _built_once(path.name) as ready:
        if not ready.exists():
            path.unlink(missing_ok=True)
            engine = make_engine(f"sqlite:///{path}")
            with _stopped_clock_before(instant):
                seed.load_empty(engine)
                records.starter_district(engine)
            engine.dispose()
            ready.touch()
    return path


def pg_template_at(instant: datetime) -> str:
    name = f"cpme_tpl_{RUN}_{_key(instant)}"
    with _built_once(name) as ready:
        if not ready.exists():
            admin = pg_admin()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            engine = make_engine(pg_url(name))
            with _stopped_clock_before(instant):
                seed.load_demo(engine)
            engine.dispose()
            # every test clones this: compacted once (the load's updates leave 13 of 99 MB dead) and with its
            # planner statistics, which a clone copies, so no clone plans its queries on guesses
            tidy = create_engine(pg_url(name), isolation_level="AUTOCOMMIT")
            with tidy.connect() as conn:
                conn.execute(text("VACUUM (FULL, ANALYZE)"))
            tidy.dispose()  # a clone needs the template without sessions: none may linger in a pool
            ready.touch()
    return name


def _remove_shared() -> None:
    if PG_URL:
        admin = pg_admin()
        with admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                                 {"prefix": f"cpme_tpl_{RUN}_%"}).scalars().all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(SHARED, ignore_errors=True)


if not _WORKER:
    atexit.register(_remove_shared)


def calendar_instants_for(marker) -> list[str]:
    """`calendar` alone: every instant. `calendar("year", ...)`: the instants standing for one of those
    boundaries. A page test (an app run, ~1 s) names the boundaries its page's dates turn on; the db layer
    under it runs at every instant."""
    if not marker.args:
        return CALENDAR_INSTANTS
    unknown = set(marker.args) - BOUNDARIES
    if unknown:
        raise pytest.UsageError(f"calendar marker: unknown boundaries {sorted(unknown)}")
    return [text for text in CALENDAR_INSTANTS if boundaries(clock.parse_instant(text)) & set(marker.args)]


def pytest_generate_tests(metafunc):
    # `timeless` on a test of a `calendar` module: its rule cannot depend on the day (an amount's bound, a
    # count's), so its many cases run once, not once per instant
    definition = metafunc.definition
    marker = definition.get_closest_marker("calendar")
    if CALENDAR_INSTANTS and marker and not definition.get_closest_marker("timeless"):
        instants = calendar_instants_for(marker)
        metafunc.parametrize("calendar_instant", [DEMO_INSTANT, *instants], indirect=True,
                             ids=[DEMO_INSTANT, *(text[:16] for text in instants)])


def _elsewhere_on_postgres(item) -> bool:
    params = getattr(item, "callspec", None) and item.callspec.params
    return bool(params) and params.get("calendar_instant", DEMO_INSTANT) != DEMO_INSTANT and "postgres" in (
        params.get("engine"), params.get("refusing_engine"))


@pytest.fixture(scope="module", autouse=True)
def _module_clock():
    """A module's own fixtures (e.g. test_citygen's city, built once for its tests) are set up before a test's
    `calendar_instant`: they start at the run's instant too, not wherever the last test of another module left
    the clock (a test that moved it a week on made that city's seed marks a week later, and the same seed
    gave other content)."""
    clock.set_now(INSTANT)
    clock.share_with_children()


@pytest.fixture(autouse=True)
def calendar_instant(request) -> datetime:
    """The instant this test starts at: APP_CLOCK's, or in the calendar pass each of CALENDAR_INSTANTS in
    turn. The clock runs on from there, so a test at 31 December 23:59 never finds itself in the next year
    because the tests before it took a while; processes a test starts (a live app, a benchmark) run on
    the same timeline."""
    given = getattr(request, "param", DEMO_INSTANT)
    instant = INSTANT if given == DEMO_INSTANT else clock.parse_instant(given)
    clock.set_now(instant)
    clock.share_with_children()
    return instant


ROOT = Path(__file__).resolve().parent.parent


class _DemoTemplates:
    """The seeded demo as of an instant (None: the demo instant), built once per run."""

    @staticmethod
    def sqlite(instant: datetime | None = None) -> Path:
        return sqlite_template_at(instant or INSTANT)

    @staticmethod
    def postgres(instant: datetime | None = None) -> str:
        if not PG_URL:
            pytest.skip("TEST_POSTGRES_URL not set")
        return pg_template_at(instant or INSTANT)


@pytest.fixture(scope="session")
def demo_templates() -> _DemoTemplates:
    return _DemoTemplates()


@pytest.fixture
def sqlite_template(demo_templates, calendar_instant) -> Path:
    """The seeded demo as of the test's instant (a SQLite file to copy, never to write)."""
    return demo_templates.sqlite(calendar_instant)


@pytest.fixture(params=BACKENDS)
def engine(request, calendar_instant, _shared_databases):
    """A seeded engine on each backend: every db-layer test runs on SQLite and, in CI, PostgreSQL. A test
    marked `reads_only` shares one copy per worker that takes no write (refuse_writes): cloning the
    demo on PostgreSQL takes ~0.5 s, and most of what a db test checks is read."""
    if request.node.get_closest_marker("reads_only"):
        yield _shared_engine(request, ("reads_only", request.param, calendar_instant), refuse_writes)
        return
    with database(request, request.param) as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


@pytest.fixture(scope="session", autouse=True)
def _pg_clones_dropped():
    """The PostgreSQL clones this process made ahead are dropped before its session ends (factories/databases.py)."""
    yield
    clones.close()


@pytest.fixture(scope="session")
def _shared_databases():
    with ExitStack() as stack:
        yield stack, {}


def _shared_engine(request, key, prepare=None):
    stack, engines = request.getfixturevalue("_shared_databases")
    if key not in engines:
        url = stack.enter_context(database(request, request.param))
        engines[key] = make_engine(url)
        if prepare:
            prepare(engines[key])
        stack.callback(engines[key].dispose)
    return engines[key]


@pytest.fixture(params=BACKENDS)
def refusing_engine(request, calendar_instant, _shared_databases):
    """A seeded engine on each backend, shared by the tests whose every write must be refused (the many
    cases of a validation rule), so that each case need not copy the demo (~0.5 s on PostgreSQL). A write
    let through fails its own test; a test that means to write asks for `engine`."""
    return _shared_engine(request, ("refusing", request.param, calendar_instant))


@pytest.fixture
def app_db(sqlite_template, monkeypatch):
    """Point the app (AppTest runs in this process) at a fresh seeded copy, with Streamlit's caches clear."""
    yield from _app_on(sqlite_template, monkeypatch)


@pytest.fixture
def empty_app_db(calendar_instant, monkeypatch):
    """The app on an empty install (APP_DEMO=0) with a starter district and one account per role."""
    monkeypatch.setenv("APP_DEMO", "0")
    yield from _app_on(empty_template_at(calendar_instant), monkeypatch)


def _app_on(template: Path, monkeypatch):
    import streamlit as st

    url = sqlite_copy(template)
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    eng = make_engine(url)
    yield eng
    eng.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()  # disposes nothing itself; the app's engine for this URL is dropped with it
    remove_sqlite(url)


# The kind of each test, as a marker (pytest -m db, -m "not browser", ...): by module where the whole
# module is one kind, else by what the test asks for (a seeded engine: db; the app in this process: page).
KIND_BY_MODULE = {"test_browser": "browser", "test_vote_browser": "browser", "test_sso_browser": "browser", "test_multi_instance": "subprocess",
                  "test_bench": "subprocess", "test_bench_signin": "subprocess", "test_login_race": "subprocess",
                  "test_vote_kill": "subprocess", "test_voting_concurrency": "subprocess"}


START_FIRST = {"subprocess": 0, "browser": 1}


def pytest_collection_modifyitems(config, items):
    dropped = [item for item in items if _elsewhere_on_postgres(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not _elsewhere_on_postgres(item)]
    kinds = {}
    for item in items:
        # a test may name its own kind (a db module's test that starts processes: @pytest.mark.subprocess)
        given = next((mark.name for mark in item.iter_markers() if mark.name in START_FIRST), None)
        kind = given or KIND_BY_MODULE.get(item.module.__name__.rpartition(".")[2])
        if kind is None:
            fixtures = set(item.fixturenames)
            kind = "page" if fixtures & {"app_db", "empty_app_db"} else "db" if fixtures & {"engine", "db"} else "unit"
        item.add_marker(kind)
        kinds[item.nodeid] = kind
    # The long ones first (app instances, browsers: 20-80 s each, mostly waiting), so that they overlap with
    # the many short ones on the other workers instead of running alone at the end of the run. The same
    # order on every xdist worker (the scheduler requires it): a stable sort of the collected order.
    items.sort(key=lambda item: START_FIRST.get(kinds[item.nodeid], len(START_FIRST)))
