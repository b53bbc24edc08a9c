"""Schema migrations (Alembic): every database is brought to the newest revision by `upgrade`.

The app's first start and `python -m seed_data.loader` call `upgrade`; by hand:

    python -m db.migrate                 # upgrade DATABASE_URL to the newest revision
    python -m db.migrate current         # print the database's revision and the newest one
    python -m db.migrate new "message"   # write the next revision from the models (autogenerate)

A database created before migrations existed (tables, no alembic_version) is checked against the
first revision and stamped with it, then upgraded like any other.
"""

from __future__ import annotations

import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"  # the schema as it stood when migrations were introduced
VERSION_TABLE = "alembic_version"
# pg_advisory_xact_lock key, so instances starting together migrate one after the other. Not the
# seed loader's key: that lock is held around this one by another connection of the same process.
_MIGRATE_LOCK = 0x63706D6D


class SchemaMismatch(RuntimeError):
    """The database holds tables this app's migrations did not make and cannot adopt."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    return _script().get_current_head()


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    return [rev.revision for rev in reversed(list(_script().walk_revisions()))]


def current(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current(conn)


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the database to `target` (default: the newest revision); at it already, only reads."""
    wanted = head() if target == "head" else target
    if revision_of(engine) == wanted:
        return  # the common start: no write, so a read-only database still opens
    _in_one_transaction(engine, lambda conn: _upgrade_in(conn, target))


def downgrade(engine: Engine, target: str) -> None:
    """Take the database back to `target` (tests use it to build databases at older revisions)."""
    _in_one_transaction(engine, lambda conn: command.downgrade(alembic_config(conn), target))


def _in_one_transaction(engine: Engine, work) -> None:
    sqlite = engine.dialect.name == "sqlite"
    with engine.execution_options(writes=True).connect() as conn:
        if sqlite:
            # SQLite's way to alter a table is copy-and-rename, which needs foreign keys off; the
            # pragma is ignored inside a transaction, so it goes to the driver before BEGIN, and
            # the keys are checked by hand before committing.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK})
                work(conn)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise SchemaMismatch("the migration left rows whose foreign keys point nowhere")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _upgrade_in(conn: Connection, target: str) -> None:
    if current(conn) is None and _baseline_tables() & set(inspect(conn).get_table_names()):
        _check_matches_baseline(conn)
        command.stamp(alembic_config(conn), BASELINE)
    command.upgrade(alembic_config(conn), target)


# --- adopting a database made before migrations (by metadata.create_all) ---

@lru_cache(maxsize=None)
def shape_at(revision: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Table -> (columns, index names) at a revision, built in a scratch in-memory database."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
            return _shape(conn, None)
    finally:
        scratch.dispose()


def _baseline_shape() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    return shape_at(BASELINE)


def _baseline_tables() -> set[str]:
    return set(_baseline_shape())


def _shape(conn: Connection, tables: set[str] | None) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    inspector = inspect(conn)
    names = set(inspector.get_table_names()) - {VERSION_TABLE}
    shape = {}
    for table in names if tables is None else names & tables:
        columns = frozenset(c["name"] for c in inspector.get_columns(table))
        indexes = frozenset(i["name"] for i in inspector.get_indexes(table)
                            if i["name"] and not i.get("duplicates_constraint"))
        shape[table] = (columns, indexes)
    return shape


def _check_matches_baseline(conn: Connection) -> None:
    """Refuse to stamp unless every table, column and index of the first revision is there as made."""
    expected = _baseline_shape()
    found = _shape(conn, set(expected))
    problems = []
    for table in sorted(found):
        (want_cols, want_idx), (cols, idx) = expected[table], found[table]
        problems += [f"{table}: missing column {c}" for c in sorted(want_cols - cols)]
        problems += [f"{table}: unexpected column {c}" for c in sorted(cols - want_cols)]
        problems += [f"{table}: missing index {i}" for i in sorted(want_idx - idx)]
    missing = sorted(set(expected) - set(found))
    if missing:
        problems.append(f"{len(missing)} missing tables ({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})")
    if problems:
        raise SchemaMismatch(
            f"the database has tables but no {VERSION_TABLE}, and they differ from revision {BASELINE}: "
            + "; ".join(problems[:10]))


# --- command line ---

def _new_revision(message: str) -> None:
    """Autogenerate the next revision: the models compared with a scratch database at head."""
    from db.engine import make_engine

    next_id = f"{int(head()) + 1:04d}"
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'head.db'}")
        upgrade(engine)
        with engine.connect() as conn:
            command.revision(alembic_config(conn), message=message, autogenerate=True, rev_id=next_id)
        engine.dispose()
    print(f"wrote db/migrations/versions/{next_id}_*.py: review it, then add data steps if the change needs them")


def main(argv: list[str] | None = None) -> int:
    from db.engine import make_engine

    args = list(sys.argv[1:] if argv is None else argv)
    action = args.pop(0) if args else "upgrade"
    if action == "new" and args:
        _new_revision(" ".join(args))
        return 0
    if action not in ("upgrade", "current"):
        print(__doc__, file=sys.stderr)
        return 2
    engine = make_engine()
    if action == "upgrade":
        upgrade(engine)
    print(f"database: {revision_of(engine) or 'none'}   newest: {head()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
