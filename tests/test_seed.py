"""The demo data reproduces the seeds' figures and loads idempotently."""

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from db.engine import reading
from db.models import AppUser, GridStaff, OrgUnit
from factories import records
from seed_data import loader as seed

pytestmark = pytest.mark.calendar  # date-sensitive: CI runs these again at awkward instants


def _count(session, *where):
    return session.execute(select(func.count()).select_from(OrgUnit).where(*where)).scalar_one()


@pytest.mark.reads_only
def test_luyuan_hierarchy_matches_seed_004(engine):
    with reading(engine) as s:
        district = s.execute(select(OrgUnit).where(OrgUnit.name == "绿园区")).scalar_one()
        under = OrgUnit.district_id == district.id
        assert _count(s, under, OrgUnit.level == "street", OrgUnit.kind == "town") == 3
        assert _count(s, under, OrgUnit.level == "street", OrgUnit.kind == "street") == 7
        assert _count(s, under, OrgUnit.level == "community") == 58
        assert _count(s, under, OrgUnit.level == "grid") == 312
        leaders = s.execute(
            select(GridStaff.grid_id, func.count()).join(OrgUnit, OrgUnit.id == GridStaff.grid_id)
            .where(under, GridStaff.role == "leader").group_by(GridStaff.grid_id)).all()
        assert len(leaders) == 312 and all(n == 1 for _, n in leaders)
        members = s.execute(select(func.count()).select_from(GridStaff).join(OrgUnit, OrgUnit.id == GridStaff.grid_id)
                            .where(under, GridStaff.role == "member")).scalar_one()
        assert members >= 312 * 2


@pytest.mark.reads_only
def test_jinjiang_pilot_streets_follow_seed_001(engine):
    with reading(engine) as s:
        streets = dict(s.execute(select(OrgUnit.name, OrgUnit.pilot).where(OrgUnit.level == "street",
                                                                           OrgUnit.code.like("510104%"))).all())
    assert sum(streets.values()) == 7
    assert streets["莲新街道"] and streets["春熙路街道"] and streets["合江亭街道"]
    assert streets["水井坊街道"] is False


@pytest.mark.reads_only
def test_ancestor_columns_are_consistent(engine):
    with reading(engine) as s:
        units = {u.id: u for u in s.execute(select(OrgUnit)).scalars()}
    for unit in units.values():
        if unit.level == "root":
            continue
        parent = units[unit.parent_id]
        for column in ("district_id", "street_id", "community_id"):
            own = getattr(unit, column)
            if column.startswith(unit.level):
                assert own == unit.id
            elif getattr(parent, column) is not None:
                assert own == getattr(parent, column), (unit.code, column)


@pytest.mark.reads_only
def test_loading_twice_changes_nothing(engine):
    def snapshot():
        with reading(engine) as s:
            return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in SQLModel.metadata.sorted_tables}

    before = snapshot()
    assert seed.load_demo(engine) == []
    assert snapshot() == before
    assert before["app_user"] >= 4 and before["org_unit"] > 600


@pytest.mark.reads_only
def test_demo_accounts_one_per_role_with_bcrypt_hashes(engine):
    demo = ("admin", "leader", "evaluator", "street", "community")
    with reading(engine) as s:
        rows = s.execute(select(AppUser.username, AppUser.role, AppUser.password_hash)
                         .where(AppUser.username.in_(demo))).all()
    assert sorted((r.username, r.role) for r in rows) == sorted(zip(demo, demo))
    assert all(r.password_hash.startswith("$2") and "2026" not in r.password_hash for r in rows)


@pytest.mark.timeless
@pytest.mark.unit
def test_a_second_first_start_on_sqlite_waits_for_the_first(tmp_path):
    """Two processes preparing one new SQLite file (the warm-up and a first visitor): the second waits on the
    lock file for the first instead of failing on the busy timeout, then finds everything loaded."""
    import threading

    from db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    loaded: list[list[str]] = []
    with seed.sqlite_first_start_lock(engine):  # another process's first start, holding it
        second = threading.Thread(target=lambda: loaded.append(seed.load_empty(engine)))
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive() and not loaded, "prepared while another first start held the lock"
    second.join(timeout=60)
    assert loaded and loaded[0], "the waiting start loaded the reference data once the lock was free"
    assert seed.load_empty(engine) == []  # and a third finds nothing left to load
    engine.dispose()


@pytest.mark.timeless
@pytest.mark.reads_only
def test_a_reads_only_engine_reads_and_refuses_every_write(engine):
    """The shared copy behind `reads_only` (tests/conftest.py): reads work, a write through the app's own
    functions fails the test with an AssertionError, never with a refusal a test could take for its own."""
    from factories.databases import WriteOnReadOnly

    assert records.count_rows(engine, OrgUnit) > 0
    with pytest.raises(WriteOnReadOnly):
        records.make_campaign(engine, cases=2)
    with engine.connect() as conn:  # below the check, on the driver's own cursor: the database itself refuses
        with pytest.raises(Exception, match="(?i)read.?only"):
            conn.connection.driver_connection.cursor().execute(f"DELETE FROM {OrgUnit.__tablename__}")
    assert records.count_rows(engine, OrgUnit) > 0
