"""Private copies of the seeded demo database: a SQLite file copied from the session's template, or a
PostgreSQL database cloned from the template database (TEST_POSTGRES_URL)."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text

from factories.scratch import scratch_root

_TMP = Path(tempfile.mkdtemp(prefix="cpme-copies-", dir=scratch_root()))
atexit.register(shutil.rmtree, _TMP, True)  # every copy below is private to this process
PG_URL = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


def sqlite_copy(template: Path) -> str:
    target = _TMP / f"{uuid.uuid4().hex}.db"
    if Path(f"{template}-wal").exists():  # someone has it open: a consistent copy including the WAL
        with sqlite3.connect(template) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
    else:  # a closed database is its file: copied in ~15 ms where the backup API takes ~70 ms
        shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def pg_admin():
    return create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                         if PG_URL.startswith("postgresql://") else PG_URL, isolation_level="AUTOCOMMIT")


def pg_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def remove_sqlite(url: str) -> None:
    path = url.removeprefix("sqlite:///")
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


@contextmanager
def database(request, backend: str):
    """A private copy of the seeded demo database: a SQLite file, or a PostgreSQL database cloned
    from the template database. Removed afterwards (a copy is tens of MB). The demo is the one seeded as
    of the test's instant (tests/conftest.py: `demo_templates`, `calendar_instant`); a module's or a
    session's copy is the demo instant's."""
    templates = request.getfixturevalue("demo_templates")
    instant = request.getfixturevalue("calendar_instant") if request.scope == "function" else None
    if backend == "sqlite":
        url = sqlite_copy(templates.sqlite(instant))
        try:
            yield url
        finally:
            remove_sqlite(url)
        return
    name = clones.take(templates.postgres(instant))
    try:
        yield pg_url(name)
    finally:
        clones.give_back(name)


@contextmanager
def empty_pg_database(prefix: str):
    """A new, empty PostgreSQL database (its URL), dropped after: for what starts from nothing (a first start, the
    city generator)."""
    name = _create(prefix)
    try:
        yield pg_url(name)
    finally:
        _drop(name)


def _create(prefix: str, template: str | None = None) -> str:
    """A new database named `prefix`_<random>, empty or a clone of `template`; its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = pg_admin()
    try:
        with admin.connect() as conn:
            clone = ""
            if template:
                # FILE_COPY copies the template's files (and checkpoints) where PostgreSQL 15's default, WAL_LOG,
                # writes every block of it to the WAL: 0.27 s and 0.22 CPU-s against 0.37 s and 0.30 per clone of
                # the demo, and its drop 0.13 s against 0.37 s (8 clones on a quiet machine, server CPU from /proc)
                strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""  # older: only
                clone = f' TEMPLATE "{template}"{strategy}'
            conn.execute(text(f'CREATE DATABASE "{name}"{clone}'))
    finally:
        admin.dispose()
    return name


def _drop(name: str) -> None:
    admin = pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class _Clones:
    """PostgreSQL copies of a template made one ahead, in a thread of this process, while the test before runs, and
    dropped there after: a test's setup was mostly the 0.35-0.65 s of waiting for its clone (pytest --durations)."""

    def __init__(self) -> None:
        self._thread: ThreadPoolExecutor | None = None
        self._ahead: dict[str, Future] = {}

    def _worker(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-clones")
            atexit.register(self.close)
        return self._thread

    def take(self, template: str) -> str:
        ahead = self._ahead.pop(template, None)
        name = ahead.result() if ahead is not None else _create("cpme_t", template)
        self._ahead[template] = self._worker().submit(_create, "cpme_t", template)
        return name

    def give_back(self, name: str) -> None:
        self._worker().submit(_drop, name)

    def close(self) -> None:
        """Drop the clones made ahead and wait for the drops (the run's end removes the templates after)."""
        if self._thread is None:
            return
        for ahead in self._ahead.values():
            self._thread.submit(_drop, ahead.result())
        self._ahead.clear()
        self._thread.shutdown(wait=True)
        self._thread = None


clones = _Clones()


class WriteOnReadOnly(AssertionError):
    """A test marked `reads_only` wrote: it needs a private copy (`engine` without the mark)."""


# the statements that change a database; SELECT ... FOR UPDATE is refused by PostgreSQL's read-only mode
_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE|MERGE|GRANT|VACUUM|REINDEX)\b",
                     re.IGNORECASE)


def refuse_writes(engine) -> None:
    """Make an engine refuse every write, with an AssertionError (never the app's DomainError, which a test of a
    refusal would take for the refusal it expects): the statement is checked before it is sent, and the
    database itself is read-only underneath (SQLite's query_only, PostgreSQL's read-only transactions)."""

    def check(conn, cursor, statement, parameters, context, executemany):
        if _WRITES.match(statement):
            raise WriteOnReadOnly(f"a reads_only test wrote: {statement[:80]}")

    def read_only(dbapi_conn, _record):
        cursor = dbapi_conn.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
            dbapi_conn.commit()
        cursor.close()

    def fault(context):
        raise WriteOnReadOnly(f"a reads_only test wrote: {context.original_exception}")

    event.listen(engine, "before_cursor_execute", check)
    event.listen(engine, "connect", read_only)
    # before the app's own handler, which would turn a read-only database into a DomainError (a dialect event:
    # `insert=True` does not order it, so the app's handlers are taken off and put back after it)
    theirs = list(engine.dialect.dispatch.handle_error)
    for handler in theirs:
        event.remove(engine, "handle_error", handler)
    event.listen(engine, "handle_error", lambda context: fault(context) if _read_only_fault(context) else None)
    for handler in theirs:
        event.listen(engine, "handle_error", handler)


def _read_only_fault(context) -> bool:
    error = context.original_exception
    return "readonly" in str(error).lower().replace("-", "").replace(" ", "") or getattr(error, "sqlstate", None) == "25006"
