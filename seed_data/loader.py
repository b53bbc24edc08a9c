"""What the app loads on first start, and the tests build their databases with: the demo (APP_DEMO, on by
default), or an empty install with only the reference data every district shares (the root unit, the
service catalogue, the standard scorecards, the grid indicators) and no account (the first administrator
is created on the command line or by the first-start form).

`python -m seed_data.loader` loads the demo into DATABASE_URL (default: the SQLite file under data/);
`python -m seed_data.loader --empty` prepares it as an empty install. Each part is loaded once, in its
own transaction, and marked; running it again changes nothing. The two never mix: a database holding
the demo is refused as an empty install, and one prepared empty never gets the demo.
"""

from __future__ import annotations

import json
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import wraps
from typing import Callable

try:
    import fcntl
except ImportError:  # not on Linux: first starts are not serialised across processes
    fcntl = None

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db import clock, migrate, passwords, settings
from db.engine import make_engine, reading, transaction
from db.errors import DomainError
from db.models import AppUser, GridStaff, OrgUnit, SeedMark
from seed_data import SEED_DIR
from seed_data.load_community import load_community
from seed_data.load_funds import load_funds
from seed_data.load_grids import load_grid_indicators, load_indicator_definitions
from seed_data.load_panyu import load_panyu
from seed_data.load_pipeline import load_catalogue, load_pipeline
from seed_data.load_reminders import load_reminders
from seed_data.load_scorecards import load_scorecards, load_templates
from seed_data.load_supervisors import load_supervisors
from seed_data.load_voting import load_voting
from seed_data.names import person_name

Progress = Callable[[float, str], None]
MEMBER_DUTIES = ("专职网格员", "综治协管员", "综合执法协管员", "公益性岗位网格员", "楼栋长", "平安志愿者")


def _root_unit(session) -> OrgUnit:
    doc = json.loads((SEED_DIR / "org_structure.json").read_text(encoding="utf-8"))
    root = OrgUnit(code=doc["root"]["code"], name=doc["root"]["name"], level="root")
    session.add(root)
    session.flush()
    return root


def _load_org_units(session) -> None:
    doc = json.loads((SEED_DIR / "org_structure.json").read_text(encoding="utf-8"))
    rng = random.Random(312)
    root = _root_unit(session)
    for d_index, district in enumerate(doc["districts"], start=1):
        d = OrgUnit(code=district["code"], name=district["name"], level="district", parent_id=root.id,
                    sort_order=d_index)
        session.add(d)
        session.flush()
        d.district_id = d.id
        for s_index, street in enumerate(district["units"], start=1):
            s = OrgUnit(code=f"{d.code}{s_index:03d}", name=street["name"], level="street", parent_id=d.id,
                        district_id=d.id, kind=street["kind"], pilot=street["pilot"], sort_order=s_index)
            session.add(s)
            session.flush()
            s.street_id = s.id
            for c_index, community in enumerate(street["communities"], start=1):
                c = OrgUnit(code=f"{s.code}{c_index:03d}", name=community["name"], level="community",
                            parent_id=s.id, district_id=d.id, street_id=s.id, kind=community["type"],
                            sort_order=c_index)
                session.add(c)
                session.flush()
                c.community_id = c.id
                grids = []
                for g_index in range(1, community["grids"] + 1):
                    households = rng.randint(260, 620)
                    grids.append(OrgUnit(
                        code=f"{c.code}{g_index:03d}", name=f"{c.name}第{g_index}网格", level="grid",
                        parent_id=c.id, district_id=d.id, street_id=s.id, community_id=c.id,
                        households=households, population=int(households * rng.uniform(2.3, 2.9)),
                        sort_order=g_index))
                session.add_all(grids)
                c.households = sum(g.households for g in grids)
                c.population = sum(g.population for g in grids)
    session.flush()
    staff = []
    grid_ids = session.execute(select(OrgUnit.id).where(OrgUnit.level == "grid").order_by(OrgUnit.code)).scalars()
    for grid_id in grid_ids:
        staff.append(GridStaff(grid_id=grid_id, role="leader", name=person_name(rng), duty="网格长"))
        for duty in rng.sample(MEMBER_DUTIES, rng.randint(2, 5)):
            staff.append(GridStaff(grid_id=grid_id, role="member", name=person_name(rng), duty=duty))
    session.add_all(staff)


def _load_users(session) -> None:
    doc = json.loads((SEED_DIR / "users.json").read_text(encoding="utf-8"))
    now = clock.utcnow()
    # bcrypt releases the GIL: hashing the demo passwords side by side shortens the first start
    with ThreadPoolExecutor(max_workers=4) as pool:
        hashes = list(pool.map(passwords.hash_password, [entry["password"] for entry in doc["users"]]))
    for entry, password_hash in zip(doc["users"], hashes):
        scope_id = session.execute(select(OrgUnit.id).where(OrgUnit.code == entry["scope_code"])).scalar_one()
        session.add(AppUser(
            username=entry["username"], display_name=entry["display_name"],
            password_hash=password_hash, role=entry["role"], scope_id=scope_id,
            active=True, tokens_valid_after=now, created_at=now,
        ))


# Later areas append their parts here; order matters (a part may read what earlier ones wrote).
PARTS: list[tuple[str, Callable]] = [
    ("org_units", _load_org_units),
    ("users", _load_users),
    # --- pipeline area parts ---
    ("pipeline", load_pipeline),
    # --- scorecards area parts ---
    ("scorecards", load_scorecards),
    # --- voting area parts ---
    ("voting", load_voting),
    # --- grid indicators area parts ---
    ("grid_indicators", load_grid_indicators),
    # --- community building (社区营造) parts: reads the pipeline's projects ---
    ("community", load_community),
    # --- community funds (社区基金): grant to the communities' own projects ---
    ("funds", load_funds),
    # --- 番禺区 (seed 003): its funds and the 微创投 round reviewed on the scorecards ---
    ("panyu", load_panyu),
    # --- supervisor pool (its draws name the register's organizations) ---
    ("supervisors", load_supervisors),
    # --- reminders: last, made from everything above ---
    ("reminders", load_reminders),
]


# An empty install: the reference data alone, then its mark (PRODUCTION), which no demo part may join.
PRODUCTION = "production"
EMPTY_PARTS: list[tuple[str, Callable]] = [
    ("root_unit", _root_unit),
    ("catalogue", load_catalogue),
    ("score_templates", load_templates),
    ("grid_indicator_definitions", load_indicator_definitions),
    (PRODUCTION, lambda session: None),
]


class MixedInstall(DomainError):
    """The database was prepared the other way (demo / empty): refused, so demo rows never mix with real ones."""


def loaded_parts(engine: Engine) -> set[str]:
    with reading(engine) as session:
        return set(session.execute(select(SeedMark.part)).scalars())


# pg_advisory_lock key: any constant unlikely to be used by something else on the same server
_FIRST_START_LOCK = 0x63706D65  # "cpme"


@contextmanager
def sqlite_first_start_lock(engine: Engine):
    """On a SQLite file, a lock file beside it held while the database is prepared: a second process starting
    meanwhile (the warm-up and a first visitor's, an instance and the reminders timer) waits for the first to
    finish instead of failing on SQLite's busy timeout, which one demo part can outlast. Without a writable
    folder (a read-only install) there is nothing to prepare and no lock is taken."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:" or fcntl is None:
        yield
        return
    try:
        handle = open(f"{path}.prepare-lock", "a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _one_start_at_a_time(load: Callable) -> Callable:
    """Instances started together on one PostgreSQL would all CREATE TABLE at once, and all but one
    fail on the catalogue's unique index: the first takes a session advisory lock, the others wait
    for it and then find every table and part in place. On SQLite a lock file does the same."""
    @wraps(load)
    def locked(engine: Engine, *args, **kwargs):
        if engine.dialect.name != "postgresql":
            with sqlite_first_start_lock(engine):
                return load(engine, *args, **kwargs)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _FIRST_START_LOCK})
            try:
                return load(engine, *args, **kwargs)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _FIRST_START_LOCK})
    return locked


def _load_parts(engine: Engine, parts: list[tuple[str, Callable]], progress: Progress | None) -> list[str]:
    done = loaded_parts(engine)
    loaded = []
    for index, (part, loader) in enumerate(parts):
        if progress:
            progress(index / len(parts), part)
        if part in done:
            continue
        try:
            with transaction(engine) as session:
                if session.get(SeedMark, part):  # another process got here first
                    continue
                loader(session)
                session.add(SeedMark(part=part, loaded_at=clock.utcnow()))
            loaded.append(part)
        except IntegrityError:
            # A concurrent first start loaded this part; ours rolled back whole.
            if part not in loaded_parts(engine):
                raise
    if loaded:
        _gather_statistics(engine)
    if progress:
        progress(1.0, "done")
    return loaded


def _gather_statistics(engine: Engine) -> None:
    """The query planner's statistics after a load, which changed every table: without them SQLite plans each
    join by rules of thumb and PostgreSQL waits for autovacuum, so the first users' pages ran on guessed plans."""
    with engine.begin() as conn:  # ANALYZE runs in a transaction on both (VACUUM would not)
        conn.execute(text("ANALYZE"))


@_one_start_at_a_time
def prepare(engine: Engine, *, demo: bool, progress: Progress | None = None) -> list[str]:
    """Create or upgrade the schema, then load what is not loaded yet: the demo, or an empty install's
    reference data. Raises MixedInstall when the database was prepared the other way."""
    migrate.upgrade(engine)
    done = loaded_parts(engine)
    if demo and PRODUCTION in done:
        raise MixedInstall("install.error.demo_on_production")
    if not demo and done & {part for part, _ in PARTS}:
        raise MixedInstall("install.error.production_on_demo")
    return _load_parts(engine, PARTS if demo else EMPTY_PARTS, progress)


def load_demo(engine: Engine, progress: Progress | None = None) -> list[str]:
    """Create the schema and load every demo part not yet loaded; returns the parts loaded now."""
    return prepare(engine, demo=True, progress=progress)


def load_empty(engine: Engine, progress: Progress | None = None) -> list[str]:
    """Create the schema and load an empty install's reference data; returns the parts loaded now."""
    return prepare(engine, demo=False, progress=progress)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    demo = "--empty" not in args and settings.demo()
    engine = make_engine()

    def report(fraction: float, part: str) -> None:
        print(f"[{fraction:4.0%}] {part}", file=sys.stderr)

    try:
        loaded = prepare(engine, demo=demo, progress=report)
    except MixedInstall as err:
        print(f"refused: {MIXED_MESSAGES[err.code]}", file=sys.stderr)
        return 2
    print("loaded: " + (", ".join(loaded) if loaded else "nothing (already loaded)") + ("" if demo else " (empty install)"))
    if not demo:
        print("next: python -m db.users create-admin --username <name> --display-name <name>")
    return 0


# for the command line (the app words these from components/texts)
MIXED_MESSAGES = {
    "install.error.demo_on_production": "this database was prepared as an empty install (APP_DEMO=0); the demo "
                                        "is never loaded into it. Start it with APP_DEMO=0, or use another DATABASE_URL for the demo.",
    "install.error.production_on_demo": "this database holds the demo; a production install starts from an "
                                        "empty database. Set a new DATABASE_URL (or APP_DATA_DIR) and start again.",
}


if __name__ == "__main__":
    raise SystemExit(main())
