"""Shared fixtures: databases built by the app's own seed loader, on SQLite always and on PostgreSQL
when TEST_POSTGRES_URL is set (CI sets it, so there they are required, not skipped).

The suite runs at a fixed demo "today" (APP_CLOCK, read by db.clock) whatever day it is run on; CI
runs the tests marked `calendar` again with APP_CLOCK at month and year boundaries (.ci/run)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="cpme-tests-"))
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

from sqlalchemy import text  # noqa: E402

from db import clock  # noqa: E402
from db.engine import make_engine  # noqa: E402
from factories.databases import BACKENDS, PG_URL, database, pg_admin, pg_url, remove_sqlite, sqlite_copy  # noqa: E402
from seed_data import loader as seed  # noqa: E402

INSTANT = clock.parse_instant(os.environ["APP_TEST_INSTANT"])


@contextmanager
def _stopped_clock_before_the_instant():
    """The demo is loaded as of one second before the instant, on a stopped clock: every seeded row is
    older than anything a test does, however long the loading takes."""
    moment = INSTANT - timedelta(seconds=1)
    real = clock.utcnow
    clock.utcnow = lambda: moment
    try:
        yield
    finally:
        clock.utcnow = real


@pytest.fixture(autouse=True)
def _each_test_starts_at_the_instant():
    """Every test starts at APP_CLOCK and the clock runs on from there, so a test at 31 December 23:59
    never finds itself in the next year because the tests before it took a while. Processes a test
    starts (a live app, a benchmark) run on the same timeline."""
    clock.set_now(INSTANT)
    clock.share_with_children()
    yield


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    path = _TMP / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    with _stopped_clock_before_the_instant():
        seed.load_demo(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template():
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    name = f"cpme_tpl_{os.getpid()}"
    admin = pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(pg_url(name))
    with _stopped_clock_before_the_instant():
        seed.load_demo(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request):
    """A seeded engine on each backend: every db-layer test runs on SQLite and, in CI, PostgreSQL."""
    with database(request, request.param) as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


@pytest.fixture
def app_db(sqlite_template, monkeypatch):
    """Point the app (AppTest runs in this process) at a fresh seeded copy, with Streamlit's caches clear."""
    import streamlit as st

    url = sqlite_copy(sqlite_template)
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
KIND_BY_MODULE = {"test_browser": "browser", "test_vote_browser": "browser", "test_multi_instance": "subprocess",
                  "test_bench": "subprocess", "test_bench_signin": "subprocess", "test_login_race": "subprocess",
                  "test_vote_kill": "subprocess", "test_voting_concurrency": "subprocess"}


def pytest_collection_modifyitems(items):
    for item in items:
        kind = KIND_BY_MODULE.get(item.module.__name__.rpartition(".")[2])
        if kind is None:
            fixtures = set(item.fixturenames)
            kind = "page" if "app_db" in fixtures else "db" if fixtures & {"engine", "db"} else "unit"
        item.add_marker(kind)
