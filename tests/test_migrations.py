"""Migrations: the models and the newest revision agree, and every upgrade path keeps every row.

Written over all revisions, so each new revision is tested by adding its file: a seeded database is
taken down to each earlier revision and brought back up to head with nothing lost.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from db import migrate
from db.engine import make_engine


def _differences(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def _table_names(engine: Engine) -> list[str]:
    return sorted(set(inspect(engine).get_table_names()) - {migrate.VERSION_TABLE})


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(text(f'"{name}"'))).scalar_one()
                for name in _table_names(engine)}


def _rows(engine: Engine, table: str, columns: list[str]) -> list[tuple]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY {quoted}'))]


def _columns(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    return {t: [c["name"] for c in inspector.get_columns(t)] for t in _table_names(engine)}


def test_models_match_the_newest_migration(engine):
    """The seeded database was built by the migrations (seed_data.loader upgrades to head): autogenerate finds
    nothing to add. A model change without its migration fails here, on SQLite and PostgreSQL."""
    assert migrate.revision_of(engine) == migrate.head()
    assert _differences(engine) == []


def test_revisions_form_one_line_from_the_baseline():
    ids = migrate.revisions()
    assert ids[0] == migrate.BASELINE and ids[-1] == migrate.head()
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # 0001, 0002, ...: one head, no branches


def test_every_revision_down_and_up_again_keeps_every_row(engine):
    """The demo data taken down from head one revision at a time to the baseline, then up one revision at a time
    to head: no upgrade step loses a row of any table it finds, and at head every column the baseline had holds
    the same values. Every upgrade path from an earlier revision to head is a run of these steps (one walk instead
    of a copy of the demo per revision), so each new revision is tested by adding its file."""
    ids = migrate.revisions()
    for previous in reversed(ids[:-1]):
        migrate.downgrade(engine, previous)
        assert migrate.revision_of(engine) == previous
    counts, columns = _counts(engine), _columns(engine)
    assert sum(counts.values()) > 10_000, "the test needs the seeded data in place"
    sample = {t: _rows(engine, t, cols) for t, cols in columns.items()
              if t in ("org_unit", "project", "app_user", "audit_log", "indicator_value", "score")}
    for revision in ids[1:]:
        migrate.upgrade(engine, revision)
        assert migrate.revision_of(engine) == revision
        after = _counts(engine)
        assert {t: after[t] for t in counts} == counts, f"rows lost going up to {revision}"
        counts = after
    assert migrate.revision_of(engine) == migrate.head()
    after_columns = _columns(engine)
    for table, rows in sample.items():
        if all(c in after_columns[table] for c in columns[table]):
            assert _rows(engine, table, columns[table]) == rows, table
    assert _differences(engine) == []


def test_database_made_before_migrations_is_stamped_and_upgraded(engine):
    """Tables and data but no alembic_version (made by metadata.create_all before this release):
    checked against the baseline, stamped, upgraded, every row kept."""
    migrate.downgrade(engine, migrate.BASELINE)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {migrate.VERSION_TABLE}"))
    assert migrate.revision_of(engine) is None
    before = _counts(engine)
    assert before["org_unit"] > 0 and before["vote"] > 0
    migrate.upgrade(engine)
    assert migrate.revision_of(engine) == migrate.head()
    assert {t: n for t, n in _counts(engine).items() if t in before} == before
    assert _differences(engine) == []


def test_unknown_tables_without_a_revision_are_refused(tmp_path):
    """A database holding some other schema under our table names is not stamped, nor touched."""
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE org_unit (id INTEGER PRIMARY KEY, label TEXT)"))
        conn.execute(text("INSERT INTO org_unit (label) VALUES ('keep me')"))
    with pytest.raises(migrate.SchemaMismatch, match="org_unit: missing column code"):
        migrate.upgrade(engine)
    assert migrate.revision_of(engine) is None
    assert _table_names(engine) == ["org_unit"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT label FROM org_unit")).scalar_one() == "keep me"
    engine.dispose()


def test_empty_database_is_built_to_head_and_second_upgrade_writes_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate.upgrade(engine)
    assert migrate.revision_of(engine) == migrate.head()
    assert set(_table_names(engine)) == set(SQLModel.metadata.tables)
    path = tmp_path / "new.db"
    engine.dispose()
    path.chmod(0o444)
    readonly = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    migrate.upgrade(readonly)  # at head already: only reads, so a read-only database still starts
    readonly.dispose()
