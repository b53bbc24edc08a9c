"""A database that cannot take writes (read-only, or its storage full): users read on, and a form
says so in their language instead of showing a traceback; nothing is half-written."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from components import store
from components.texts import translate
from db import users
from db.engine import make_engine, reading
from db.errors import DomainError
from db.grids.rules import current_month
from db.models import AuditLog
from db.models.grids import GridReport, IndicatorValue
from factories import records
from factories.app import DEMO_PASSWORDS, new_app, shows_data, signed_in, submit_login
from factories.databases import PG_URL, database, pg_admin


def _read_only(url: str) -> str:
    return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"


def _entry_form(at, engine):
    """Pick a grid of the street user's street and this month, and fill values no rule objects to."""
    at.switch_page("pages/grid_entry.py").run()
    assert not at.exception, at.exception
    grid_id, grid_code = records.street_grids(engine)[1]
    at.selectbox(key="grid_entry_grid").select(grid_code).run()
    at.selectbox(key="grid_entry_period").select(current_month()).run()
    for code, value in records.typical_values(engine, grid_id).items():
        at.number_input(key=f"grid_in_{code}").set_value(value)
    return grid_id


def _submit(at):
    next(b for b in at.button if b.proto.is_form_submitter).click()
    return at.run()


def _written(engine, grid_id) -> tuple[int, int, int]:
    with reading(engine) as s:
        return (s.execute(select(func.count()).select_from(GridReport).where(
                    GridReport.grid_id == grid_id, GridReport.period == current_month())).scalar_one(),
                s.execute(select(func.count()).select_from(IndicatorValue).where(
                    IndicatorValue.grid_id == grid_id, IndicatorValue.period == current_month())).scalar_one(),
                s.execute(select(func.count()).select_from(AuditLog)).scalar_one())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_read_only_database_still_reads_and_a_form_says_why_it_did_not_save(app_db, monkeypatch, lang):
    at = signed_in("street", query={"lang": lang} if lang == "en" else None)  # signing in writes: before
    before = _written(app_db, records.street_grids(app_db)[1][0])
    monkeypatch.setenv("DATABASE_URL", _read_only(os.environ["DATABASE_URL"]))
    at.switch_page("pages/grid_dashboard.py").run()  # a page that only reads renders as usual
    assert not at.exception, at.exception
    assert shows_data(at) and not at.error
    grid_id = _entry_form(at, app_db)
    _submit(at)
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [translate("error.storage_readonly", lang)]
    assert not at.success
    assert _written(app_db, grid_id) == before


def test_sign_in_on_a_read_only_database_explains_instead_of_failing(app_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", _read_only(os.environ["DATABASE_URL"]))
    at = new_app().run()
    submit_login(at, "street", DEMO_PASSWORDS["street"])
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [translate("error.storage_readonly", "zh")]


def _fill_to_the_brim(path: str, pages: int, user_id: int) -> None:
    """With the file capped at its current size, fill the free room at the end of the audit log's
    table and indexes with rows shaped like the form's own audit row, largest first, until not even
    a small one fits: the form's transaction then needs a new page, and the storage has none."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA max_page_count={pages}")
    at = conn.execute("SELECT MAX(at) FROM audit_log").fetchone()[0]
    for size in (3000, 1000, 300, 100, 40):
        while True:
            try:
                conn.execute("INSERT INTO audit_log (at, user_id, username, action, entity, after) "
                             "VALUES (?, ?, 'street', 'grid_report_submit', 'grid_report', ?)",
                             (at, user_id, "x" * size))
            except sqlite3.OperationalError as err:
                assert "full" in str(err)
                break
    conn.close()


def test_full_storage_refuses_the_form_in_words_and_writes_nothing(app_db):
    at = signed_in("street")
    url = os.environ["DATABASE_URL"]
    grid_id = _entry_form(at, app_db)
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    _fill_to_the_brim(path, pages, users.actor_for(app_db, "street").user_id)
    # the app's own engine (Streamlit's resource cache is shared in this process): every new
    # connection sees the cap, as it would see a disk with no room left
    app_engine = store.engine_for(url)
    event.listen(app_engine, "connect", lambda conn, _: conn.execute(f"PRAGMA max_page_count={pages}"))
    app_engine.dispose()
    before = _written(app_db, grid_id)
    _submit(at)
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [translate("error.storage_full", "zh")]
    assert _written(app_db, grid_id) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_db_layer_turns_the_driver_error_into_a_domain_error(request, backend):
    """Below the UI: SQLITE_READONLY and PostgreSQL's read_only_sql_transaction both become
    error.storage_readonly, raised by the write and leaving the database as it was."""
    if backend == "postgres" and not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    with database(request, backend) as url:
        if backend == "sqlite":
            engine = make_engine(_read_only(url))
        else:
            admin = pg_admin()  # how an operator makes a PostgreSQL database read-only
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{make_url(url).database}" SET default_transaction_read_only = on'))
            admin.dispose()
            engine = make_engine(url)
        try:
            with pytest.raises(DomainError) as refused:
                users.authenticate(engine, "admin", DEMO_PASSWORDS["admin"])
            assert refused.value.code == "error.storage_readonly"
            with engine.connect() as conn:  # reads still work, and the failed sign-in left no trace
                assert conn.execute(text("SELECT COUNT(*) FROM app_user")).scalar_one() >= 4
                assert conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'login'")).scalar_one() == 0
        finally:
            engine.dispose()
