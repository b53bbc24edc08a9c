"""Backups of the live database, and restores that check a file before replacing anything.

    python -m db.backup backup [--out FILE]   # default: data/backups/app-<timestamp>.db (or .dump)
    python -m db.backup check FILE            # the restore's checks only
    python -m db.backup restore FILE          # check, keep a copy of the live database, replace it

SQLite goes through sqlite3's online backup API: one consistent snapshot while the app keeps
writing (WAL readers do not block writers), never a file copy that could catch half a transaction.
PostgreSQL goes through pg_dump's custom format (one snapshot too) and comes back through
pg_restore and psql in a single transaction. Both act on DATABASE_URL.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url

from db import clock, migrate, settings
from db.access import Actor, require
from db.audit import record
from db.engine import make_engine, transaction
from db.errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+)", re.MULTILINE)  # a table in pg_restore --list


class BackupError(RuntimeError):
    """A backup could not be written, or a file failed the checks a restore makes first."""


def backup_dir() -> Path:
    path = settings.data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_name(engine: Engine, prefix: str = "app") -> str:
    stamp = clock.utcnow().astimezone().strftime("%Y%m%d-%H%M%S")
    return f"{prefix}-{stamp}.{'db' if engine.dialect.name == 'sqlite' else 'dump'}"


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database or ""
    if database.startswith("file:"):  # a URI such as file:/srv/app.db?mode=ro
        database = unquote(database[len("file:"):].split("?", 1)[0])
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has no file to back up")
    return Path(database)


def backup(engine: Engine, out: Path | None = None) -> Path:
    """Write a consistent backup of the live database; returns the file written."""
    out = Path(out) if out else backup_dir() / default_name(engine)
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_snapshot(sqlite_path(engine), out)
    elif engine.dialect.name == "postgresql":
        _pg_dump(engine, out)
    else:
        raise BackupError(f"no backup method for {engine.dialect.name}")
    return out


def _sqlite_snapshot(live: Path, out: Path) -> None:
    if not live.exists():
        raise BackupError(f"{live} does not exist")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(live, timeout=10)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # pages=-1: one step under one read snapshot, so one consistent state
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        target.commit()
    finally:
        target.close()
        source.close()
    os.replace(partial, out)  # a backup file is either complete or absent


def sqlite_backup_bytes(engine: Engine, actor: Actor, name: str | None = None) -> tuple[str, bytes]:
    """The admin page's download: a fresh backup as (file name, bytes), audited."""
    require(actor, "system.backup")
    if engine.dialect.name != "sqlite":
        raise DomainError("error.backup_not_sqlite")
    name = name or default_name(engine)
    with tempfile.TemporaryDirectory() as folder:
        path = backup(engine, Path(folder) / name)
        data = path.read_bytes()
    with transaction(engine) as session:
        record(session, actor=actor, action="backup_download", entity="database", entity_id=name,
               after={"bytes": len(data)})
    return name, data


# --- checks before a restore ---

def check(file: Path, dialect: str) -> str:
    """Every check a restore makes before touching the live database; returns the file's revision."""
    file = Path(file)
    if not file.is_file() or file.stat().st_size == 0:
        raise BackupError(f"{file} is missing or empty")
    return _check_sqlite(file) if dialect == "sqlite" else _check_pg_dump(file)


def _check_sqlite(file: Path) -> str:
    with file.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{file} is not a SQLite database")
    with tempfile.TemporaryDirectory() as folder:
        # checked on a private copy: opening the file itself could replay or create a journal beside it
        probe = Path(folder) / "probe.db"
        shutil.copyfile(file, probe)
        conn = sqlite3.connect(probe)
        try:
            try:
                result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
                dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                revision = (conn.execute(f"SELECT version_num FROM {migrate.VERSION_TABLE}").fetchone()
                            if migrate.VERSION_TABLE in tables else None)
            except sqlite3.DatabaseError as err:
                raise BackupError(f"{file} is damaged: {err}") from err
        finally:
            conn.close()
    if result != ["ok"]:
        raise BackupError(f"{file} fails the integrity check: {'; '.join(result[:5])}")
    if dangling:
        raise BackupError(f"{file} has {len(dangling)} rows whose foreign keys point nowhere")
    return _check_revision_and_tables(file, revision[0] if revision else None, tables)


def _check_revision_and_tables(file: Path, revision: str | None, tables: set[str]) -> str:
    if revision is None:
        raise BackupError(f"{file} has no schema revision ({migrate.VERSION_TABLE}); it is not a backup of this app")
    known = migrate.revisions()
    if revision not in known:
        raise BackupError(f"{file} is at revision {revision}, which this version of the app does not know "
                          f"(newest known: {migrate.head()}); restore it with the release that made it")
    missing = set(migrate.shape_at(revision)) - tables
    if missing:
        raise BackupError(f"{file} lacks tables of revision {revision}: {', '.join(sorted(missing))}")
    return revision


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client) matching the server's major version")
    return path


def _check_pg_dump(file: Path) -> str:
    listing = subprocess.run([_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{file} is not a readable pg_dump archive: {listing.stderr.strip()[:300]}")
    tables = {match.group(1) for match in _TOC_TABLE.finditer(listing.stdout)}
    data = subprocess.run([_tool("pg_restore"), "--data-only", "--table", migrate.VERSION_TABLE, "--file", "-",
                           str(file)], capture_output=True, text=True)
    revision = _copy_value(data.stdout) if data.returncode == 0 else None
    return _check_revision_and_tables(file, revision, tables)


def _copy_value(sql: str) -> str | None:
    """The one value of alembic_version in pg_restore's COPY output."""
    lines = sql.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and index + 1 < len(lines) and lines[index + 1] != "\\.":
            return lines[index + 1].strip()
    return None


# --- restore ---

def restore(engine: Engine, file: Path) -> Path | None:
    """Check `file`, keep a backup of the live database, then replace it and upgrade it to the newest
    revision. A file that fails a check raises BackupError before anything is touched. Returns the
    safety copy of the previous database."""
    file = Path(file)
    check(file, engine.dialect.name)
    try:
        safety = backup(engine, backup_dir() / default_name(engine, prefix="before-restore"))
    except (BackupError, sqlite3.DatabaseError):
        safety = None  # the live database is missing or too damaged to copy: often why one restores
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(file)
        target = sqlite3.connect(sqlite_path(engine), timeout=30)
        try:
            source.backup(target)  # one write transaction on the live file: readers see old or new, whole
        finally:
            target.close()
            source.close()
    else:
        _pg_replace(engine, file)
    engine.dispose()  # pooled connections may hold the old schema's statement caches
    migrate.upgrade(engine)
    with transaction(engine) as session:
        record(session, actor=None, username="cli", action="db_restore", entity="database",
               entity_id=file.name, after={"previous_saved_as": safety.name if safety else None})
    return safety


def _libpq(engine: Engine) -> tuple[str, dict]:
    """A libpq URL without the password (it goes in the environment, not the process list)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _pg_dump(engine: Engine, out: Path) -> None:
    target, env = _libpq(engine)
    partial = out.with_name(out.name + ".partial")
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                           "--file", str(partial), "--dbname", target], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    os.replace(partial, out)


def _pg_replace(engine: Engine, file: Path) -> None:
    """Drop the live tables and load the archive in one psql transaction: all of it or none."""
    target, env = _libpq(engine)
    live = inspect(engine).get_table_names()  # tables the archive lacks (newer or stray) go as well
    drop = ("DROP TABLE IF EXISTS " + ", ".join(f'"{name}"' for name in live) + " CASCADE;\n") if live else ""
    script = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(file)],
                            capture_output=True, env=env)
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed: {script.stderr.decode(errors='replace').strip()[:500]}")
    engine.dispose()
    loaded = subprocess.run([_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
                             "--set", "ON_ERROR_STOP=1", "--dbname", target],
                            input=drop.encode() + script.stdout, capture_output=True, env=env)
    if loaded.returncode != 0:
        raise BackupError(f"the restore was rolled back: {loaded.stderr.decode(errors='replace').strip()[:500]}")


# --- command line ---

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.backup", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a consistent backup of DATABASE_URL")
    make.add_argument("--out", type=Path, help="file to write (default: data/backups/app-<timestamp>.db|.dump)")
    for name in ("check", "restore"):
        sub = commands.add_parser(name, help=f"{name} a backup file")
        sub.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    engine = make_engine()
    try:
        if args.command == "backup":
            print(f"backup written: {backup(engine, args.out)}")
        elif args.command == "check":
            print(f"{args.file}: passes every check (revision {check(args.file, engine.dialect.name)})")
        else:
            safety = restore(engine, args.file)
            print(f"restored {args.file}; " + (f"the previous database was saved as {safety}" if safety
                                               else "the previous database could not be copied"))
    except BackupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
