"""Backup and restore: consistent snapshots under load, round trips, and files refused before any harm."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from db import backup, clock, migrate, users
from db.engine import make_engine, transaction
from db.errors import PermissionDenied
from db.models import AuditLog
from factories.databases import PG_URL, database

BATCH = 5  # the writer thread commits its audit rows five at a time


@pytest.fixture
def sqlite_engine(request):
    with database(request, "sqlite") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                for t in inspect(engine).get_table_names()}


def _file_counts(path: Path) -> dict[str, int]:
    engine = make_engine(f"sqlite:///{path}")
    try:
        return _counts(engine)
    finally:
        engine.dispose()


def _admin(engine):
    return users.actor_for(engine, "admin")


def test_backup_while_another_thread_writes_is_one_consistent_state(sqlite_engine, tmp_path):
    """A writer commits batches of five audit rows without pause; every backup taken meanwhile
    passes the integrity check and holds whole batches only (no half-committed transaction)."""
    stop = threading.Event()
    committed = []

    def writer():
        while not stop.is_set():
            batch = uuid.uuid4().hex
            with transaction(sqlite_engine) as session:
                for n in range(BATCH):
                    session.add(AuditLog(at=clock.utcnow(), username="writer",
                                         action="load_test", entity="batch", entity_id=batch, after=str(n)))
            committed.append(batch)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        files = []
        for index in range(3):
            while len(committed) < 20 * (index + 1):
                time.sleep(0.01)
            files.append(backup.backup(sqlite_engine, tmp_path / f"b{index}.db"))
    finally:
        stop.set()
        thread.join()
    seen = []
    for path in files:
        assert backup.check(path, "sqlite") == migrate.head()
        with sqlite3.connect(path) as conn:
            sizes = conn.execute("SELECT entity_id, COUNT(*) FROM audit_log WHERE action = 'load_test' "
                                 "GROUP BY entity_id").fetchall()
        assert sizes and all(n == BATCH for _, n in sizes), "a backup caught a transaction half-written"
        seen.append(len(sizes))
    assert seen == sorted(seen) and seen[-1] > seen[0]  # the app kept writing during the backups
    assert len(committed) > seen[-1]  # and after them: the backups did not stop it


def test_restore_round_trip_brings_back_exactly_the_backup(sqlite_engine, tmp_path):
    saved = backup.backup(sqlite_engine, tmp_path / "saved.db")
    before = _counts(sqlite_engine)
    with sqlite_engine.begin() as conn:  # damage done after the backup: it must all come back
        conn.execute(text("DELETE FROM grid_staff WHERE role = 'member'"))
        conn.execute(text("UPDATE org_unit SET name = 'changed' WHERE level = 'district'"))
    assert _counts(sqlite_engine)["grid_staff"] < before["grid_staff"]
    safety = backup.restore(sqlite_engine, saved)
    after = _counts(sqlite_engine)
    assert after["audit_log"] == before["audit_log"] + 1  # the restore itself is audited
    assert {t: n for t, n in after.items() if t != "audit_log"} == {t: n for t, n in before.items() if t != "audit_log"}
    with sqlite_engine.connect() as conn:
        assert "changed" not in conn.execute(text("SELECT name FROM org_unit WHERE level = 'district'")).scalars().all()
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    # the state replaced was kept, damage and all
    assert _file_counts(safety)["grid_staff"] < before["grid_staff"]
    assert safety.parent == backup.backup_dir() and safety.name.startswith("before-restore-")


def _broken_files(good: Path, folder: Path) -> dict[str, Path]:
    data = good.read_bytes()
    files = {"truncated": data[: len(data) // 3], "not_sqlite": b"PK\x03\x04 this is a zip, not a database" * 100,
             "empty": b""}
    # damaged pages in the middle: the header is intact, so only the integrity check can tell
    middle = bytearray(data)
    middle[len(data) // 2: len(data) // 2 + 65536] = b"\xff" * 65536
    files["scrambled"] = bytes(middle)
    out = {}
    for name, content in files.items():
        path = folder / f"{name}.db"
        path.write_bytes(content)
        out[name] = path
    for name, statement in {"no_revision": "DROP TABLE alembic_version",
                            "future_revision": "UPDATE alembic_version SET version_num = '9999'",
                            "missing_table": "DROP TABLE vote_quota"}.items():
        path = folder / f"{name}.db"
        shutil.copyfile(good, path)
        with sqlite3.connect(path) as conn:
            conn.execute(statement)
        out[name] = path
    return out


def test_damaged_or_foreign_files_are_refused_and_the_live_database_is_untouched(sqlite_engine, tmp_path):
    good = backup.backup(sqlite_engine, tmp_path / "good.db")
    before = _counts(sqlite_engine)
    backups_before = set(backup.backup_dir().iterdir())
    messages = {}
    for name, path in _broken_files(good, tmp_path).items():
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(sqlite_engine, path)
        messages[name] = str(refused.value)
    assert "not a SQLite database" in messages["not_sqlite"] and "empty" in messages["empty"]
    assert "9999" in messages["future_revision"] and "does not know" in messages["future_revision"]
    assert "no schema revision" in messages["no_revision"] and "vote_quota" in messages["missing_table"]
    assert "damaged" in messages["truncated"] or "integrity" in messages["truncated"]
    assert "damaged" in messages["scrambled"] or "integrity" in messages["scrambled"]
    assert _counts(sqlite_engine) == before
    assert set(backup.backup_dir().iterdir()) == backups_before  # refused before even the safety copy
    assert backup.check(good, "sqlite") == migrate.head()


def test_command_line_backup_and_restore(sqlite_engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    assert backup.main(["backup"]) == 0
    written = Path(capsys.readouterr().out.split(": ", 1)[1].strip())
    assert written.parent == backup.backup_dir() and written.suffix == ".db"
    assert written.name[len("app-"):-len(".db")].replace("-", "").isdigit()  # app-YYYYmmdd-HHMMSS.db
    assert backup.main(["check", str(written)]) == 0
    assert backup.main(["restore", str(written)]) == 0
    bad = written.with_name("bad.db")
    bad.write_bytes(written.read_bytes()[:4096])
    assert backup.main(["restore", str(bad)]) == 1
    assert "error:" in capsys.readouterr().err
    for path in (written, bad):
        path.unlink()


def test_download_is_admin_only_and_audited(sqlite_engine):
    name, data = backup.sqlite_backup_bytes(sqlite_engine, _admin(sqlite_engine))
    assert data.startswith(backup.SQLITE_MAGIC) and name.endswith(".db")
    with sqlite_engine.connect() as conn:
        logged = conn.execute(select(AuditLog.username, AuditLog.entity_id).where(
            AuditLog.action == "backup_download")).all()
    assert logged == [("admin", name)]
    with pytest.raises(PermissionDenied):
        backup.sqlite_backup_bytes(sqlite_engine, users.actor_for(sqlite_engine, "leader"))


@pytest.fixture
def pg_engine(request):
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is not on PATH (install postgresql-client)")
    with database(request, "postgres") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_postgres_backup_and_restore_round_trip(pg_engine, tmp_path):
    saved = backup.backup(pg_engine, tmp_path / "saved.dump")
    assert backup.check(saved, "postgresql") == migrate.head()
    before = _counts(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(text("DELETE FROM grid_staff WHERE role = 'member'"))
        conn.execute(text("CREATE TABLE stray (id int)"))  # a table the backup does not have goes too
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(saved.read_bytes()[:2048])
    with pytest.raises(backup.BackupError):
        backup.restore(pg_engine, truncated)
    assert _counts(pg_engine)["grid_staff"] < before["grid_staff"]  # refused: nothing replaced
    backup.restore(pg_engine, saved)
    after = _counts(pg_engine)
    assert after["audit_log"] == before["audit_log"] + 1
    assert {t: n for t, n in after.items() if t != "audit_log"} == {t: n for t, n in before.items() if t != "audit_log"}
    assert migrate.revision_of(pg_engine) == migrate.head()
    with pg_engine.connect() as conn:  # sequences came back too: a new row gets a fresh id
        top = conn.execute(select(func.max(AuditLog.id))).scalar_one()
    with transaction(pg_engine) as session:
        session.add(AuditLog(at=clock.utcnow(), username="t", action="t", entity="t"))
        session.flush()
        new_id = session.execute(select(func.max(AuditLog.id))).scalar_one()
    assert new_id > top


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_admin_page_offers_the_download(app_db, lang):
    from components.texts import translate
    from factories.app import signed_in

    at = signed_in("admin", query={"lang": lang} if lang == "en" else None)
    at.switch_page("pages/backup.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == translate("ops.backup.title", lang)
    [button] = at.get("download_button")
    assert button.proto.label == translate("ops.backup.download", lang)
    assert at.metric[0].label == translate("ops.backup.size", lang)
    with app_db.connect() as conn:  # drawing the page builds no backup and logs nothing
        assert conn.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "backup_download")).scalar_one() == 0
