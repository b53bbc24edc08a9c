"""The demo data loader the app runs on first start and the tests build their databases with.

`python -m seed_data.loader` loads it into DATABASE_URL (default: the SQLite file under data/). Each part is
loaded once, in its own transaction, and marked; running it again changes nothing.
"""

from __future__ import annotations

import json
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import wraps
from typing import Callable

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db import clock, migrate, passwords
from db.engine import make_engine, reading, transaction
from db.models import AppUser, GridStaff, OrgUnit, SeedMark
from seed_data import SEED_DIR
from seed_data.load_grids import load_grid_indicators
from seed_data.load_pipeline import load_pipeline
from seed_data.load_scorecards import load_scorecards
from seed_data.load_voting import load_voting
from seed_data.names import person_name

Progress = Callable[[float, str], None]
MEMBER_DUTIES = ("专职网格员", "综治协管员", "综合执法协管员", "公益性岗位网格员", "楼栋长", "平安志愿者")


def _load_org_units(session) -> None:
    doc = json.loads((SEED_DIR / "org_structure.json").read_text(encoding="utf-8"))
    rng = random.Random(312)
    root = OrgUnit(code=doc["root"]["code"], name=doc["root"]["name"], level="root")
    session.add(root)
    session.flush()
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
]


def loaded_parts(engine: Engine) -> set[str]:
    with reading(engine) as session:
        return set(session.execute(select(SeedMark.part)).scalars())


# pg_advisory_lock key: any constant unlikely to be used by something else on the same server
_FIRST_START_LOCK = 0x63706D65  # "cpme"


def _one_start_at_a_time(load: Callable) -> Callable:
    """Instances started together on one PostgreSQL would all CREATE TABLE at once, and all but one
    fail on the catalogue's unique index: the first takes a session advisory lock, the others wait
    for it and then find every table and part in place. (SQLite: BEGIN IMMEDIATE serialises.)"""
    @wraps(load)
    def locked(engine: Engine, *args, **kwargs):
        if engine.dialect.name != "postgresql":
            return load(engine, *args, **kwargs)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _FIRST_START_LOCK})
            try:
                return load(engine, *args, **kwargs)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _FIRST_START_LOCK})
    return locked


@_one_start_at_a_time
def load_demo(engine: Engine, progress: Progress | None = None) -> list[str]:
    """Create the schema and load every demo part not yet loaded; returns the parts loaded now."""
    migrate.upgrade(engine)
    done = loaded_parts(engine)
    loaded = []
    for index, (part, loader) in enumerate(PARTS):
        if progress:
            progress(index / len(PARTS), part)
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
    if progress:
        progress(1.0, "done")
    return loaded


def main(argv: list[str] | None = None) -> int:
    engine = make_engine()

    def report(fraction: float, part: str) -> None:
        print(f"[{fraction:4.0%}] {part}", file=sys.stderr)

    loaded = load_demo(engine, report)
    print("loaded: " + (", ".join(loaded) if loaded else "nothing (already loaded)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
