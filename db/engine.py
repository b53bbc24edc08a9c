"""Engine creation: SQLite tuned for concurrent writers, PostgreSQL through psycopg 3."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

import db.models  # noqa: F401  (registers every table)
from db import settings
from db.errors import DomainError

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str | None = None) -> Engine:
    """One engine per URL; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    url = url or settings.database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # (a "file:" URI, e.g. sqlite:///file:/srv/app.db?mode=ro&uri=true, names an existing file)
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite defers BEGIN until the first write, so a SELECT-then-write is not atomic; we
        # issue BEGIN ourselves, IMMEDIATE for write transactions so they queue on the busy
        # timeout instead of failing when a read snapshot would have to be upgraded.
        event.listen(engine, "begin", _sqlite_begin)
    else:
        if parsed.drivername == "postgresql":
            url = str(parsed.set(drivername="postgresql+psycopg"))
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "handle_error", _storage_fault)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # autocommit at the driver; SQLAlchemy's begin hook opens transactions
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")


# A database that cannot take writes: the primary SQLite result codes and PostgreSQL's SQLSTATEs
_SQLITE_FAULTS = {8: "error.storage_readonly", 13: "error.storage_full"}  # SQLITE_READONLY, SQLITE_FULL
_PG_FAULTS = {"25006": "error.storage_readonly",  # read_only_sql_transaction (a standby, or default_transaction_read_only)
              "53100": "error.storage_full"}  # disk_full


def _storage_fault(context) -> None:
    """A write refused because the storage is read-only or full becomes a DomainError every form
    already shows as a sentence, instead of a driver traceback. Other errors pass unchanged."""
    original = context.original_exception
    code = getattr(original, "sqlite_errorcode", None)
    fault = _SQLITE_FAULTS.get(code & 0xFF) if isinstance(code, int) else _PG_FAULTS.get(getattr(original, "sqlstate", None))
    if fault:
        raise DomainError(fault) from context.sqlalchemy_exception


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits as one transaction on success and rolls back on any error."""
    with Session(engine.execution_options(writes=True), expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def at_once(reads: dict[str, Callable[[], Any]], *, workers: int) -> dict[str, Any]:
    """Independent reads run side by side, `workers` at a time, each result under its name: SQLite and psycopg
    release the GIL while the database works, so a page waits for its slowest read, not for their sum."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(read) for name, read in reads.items()}
        return {name: future.result() for name, future in futures.items()}
