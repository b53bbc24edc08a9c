"""Reading the org-unit hierarchy within an actor's scope: units, breadcrumbs, counts, rosters. Admins keep
the units in db/unit_registry.py and the grid rosters in db/grid_roster.py."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from db.access import SCOPE_COLUMN, Actor, require, require_unit_in_scope, scope_condition, unit_in_scope
from db.engine import reading
from db.errors import NotFound
from db.models import GridStaff, OrgUnit, UnitMove
from db.models.org_units import LEVELS

SUMMARY_COLUMNS = ["id", "code", "name", "level", "kind", "pilot", "streets", "communities", "grids", "households",
                   "population", "leaders", "members"]
# the ancestor column that groups descendants by the child they sit under
CHILD_COLUMN = {"root": "district_id", "district": "street_id", "street": "community_id", "community": "id"}


class UnitPublic(BaseModel):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    district_id: int | None
    street_id: int | None
    community_id: int | None
    kind: str | None
    pilot: bool
    households: int | None
    population: int | None
    active: bool = True


def _below(unit: UnitPublic, table=OrgUnit.__table__.c):
    """SQL condition: a row of `table` (org_unit columns) is `unit` or lies below it."""
    if unit.level == "root":
        return table.id.is_not(None)
    return getattr(table, SCOPE_COLUMN[unit.level]) == unit.id


def public_unit(unit: OrgUnit) -> UnitPublic:
    return UnitPublic.model_validate(unit, from_attributes=True)


def get_unit(engine: Engine, *, actor: Actor, unit_id: int | None = None, code: str | None = None) -> UnitPublic:
    """A unit in the actor's scope, by id or code; anything else reads as not found."""
    with reading(engine) as session:
        if unit_id is not None:
            unit = session.get(OrgUnit, unit_id)
        else:
            unit = session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one_or_none()
        if unit is None or not unit_in_scope(actor, unit):
            raise NotFound("error.not_found", entity="org_unit")
        return public_unit(unit)


def scope_unit(engine: Engine, *, actor: Actor) -> UnitPublic:
    return get_unit(engine, actor=actor, unit_id=actor.scope_id)


def breadcrumb(engine: Engine, *, actor: Actor, unit: UnitPublic) -> list[UnitPublic]:
    """Ancestors from the actor's scope unit down to `unit`, inclusive."""
    ids = [unit.district_id, unit.street_id, unit.community_id, unit.id]
    with reading(engine) as session:
        rows = session.execute(select(OrgUnit).where(OrgUnit.id.in_([i for i in ids if i]))).scalars().all()
        root = session.execute(select(OrgUnit).where(OrgUnit.level == "root")).scalar_one_or_none()
        chain = ([root] if root else []) + sorted(rows, key=lambda u: LEVELS.index(u.level))
        seen, result = set(), []
        for item in chain:
            if item.id not in seen and unit_in_scope(actor, item):
                seen.add(item.id)
                result.append(public_unit(item))
        return result


def children_summary(engine: Engine, *, actor: Actor, unit: UnitPublic) -> pd.DataFrame:
    """The unit's children, each with the number of communities and grids, households, population and staff below it."""
    if unit.level == "grid":
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    unit = _require_in_scope(engine, actor, unit)
    group_col = getattr(OrgUnit, CHILD_COLUMN[unit.level])
    counts = (
        select(
            group_col.label("child_id"),
            func.sum(case((OrgUnit.level == "street", 1), else_=0)).label("streets"),
            func.sum(case((OrgUnit.level == "community", 1), else_=0)).label("communities"),
            func.sum(case((OrgUnit.level == "grid", 1), else_=0)).label("grids"),
            func.sum(case((OrgUnit.level == "grid", OrgUnit.households), else_=0)).label("households"),
            func.sum(case((OrgUnit.level == "grid", OrgUnit.population), else_=0)).label("population"),
        )
        .where(_below(unit), group_col.is_not(None))
        .group_by(group_col)
        .subquery()
    )
    grid = OrgUnit.__table__.alias("g")
    staff = (
        select(
            getattr(grid.c, CHILD_COLUMN[unit.level]).label("child_id"),
            func.sum(case((GridStaff.role == "leader", 1), else_=0)).label("leaders"),
            func.sum(case((GridStaff.role == "member", 1), else_=0)).label("members"),
        )
        .join(grid, grid.c.id == GridStaff.grid_id)
        .where(_below(unit, grid.c), GridStaff.active.is_(True))
        .group_by(getattr(grid.c, CHILD_COLUMN[unit.level]))
        .subquery()
    )
    query = (
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.kind, OrgUnit.pilot,
               counts.c.streets, counts.c.communities, counts.c.grids, counts.c.households, counts.c.population,
               staff.c.leaders, staff.c.members)
        .outerjoin(counts, counts.c.child_id == OrgUnit.id)
        .outerjoin(staff, staff.c.child_id == OrgUnit.id)
        .where(OrgUnit.parent_id == unit.id)
        .order_by(OrgUnit.sort_order, OrgUnit.code)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    for column in ("streets", "communities", "grids", "households", "population", "leaders", "members"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def level_counts(engine: Engine, *, actor: Actor, unit: UnitPublic) -> dict[str, int]:
    """How many units of each level lie below `unit` (and the unit itself counted at its own level)."""
    unit = _require_in_scope(engine, actor, unit)
    under = _below(unit)
    with engine.connect() as conn:
        rows = conn.execute(select(OrgUnit.level, func.count()).where(under).group_by(OrgUnit.level)).all()
        staff = conn.execute(
            select(GridStaff.role, func.count()).join(OrgUnit, OrgUnit.id == GridStaff.grid_id)
            .where(under, GridStaff.active.is_(True)).group_by(GridStaff.role)
        ).all()
        towns = conn.execute(select(func.count()).where(under, OrgUnit.kind == "town")).scalar_one()
    counts = {level: 0 for level in LEVELS}
    counts.update({level: int(n) for level, n in rows})
    counts.update({f"staff_{role}": int(n) for role, n in staff})
    counts.setdefault("staff_leader", 0)
    counts.setdefault("staff_member", 0)
    counts["towns"] = int(towns)
    return counts


def roster(engine: Engine, *, actor: Actor, grid: UnitPublic) -> pd.DataFrame:
    if grid.level != "grid":
        raise NotFound("error.not_found", entity="grid")
    grid = _require_in_scope(engine, actor, grid)
    query = (select(GridStaff.id, GridStaff.role, GridStaff.name, GridStaff.duty, GridStaff.phone)
             .where(GridStaff.grid_id == grid.id, GridStaff.active.is_(True))
             .order_by(case((GridStaff.role == "leader", 0), else_=1), GridStaff.id))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "role", "name", "duty", "phone"])
    if not actor.may("system.org_units_manage"):  # phone numbers in full for admins only
        frame["phone"] = frame["phone"].map(masked_phone)
    return frame


def units_in_scope(engine: Engine, *, actor: Actor, levels: tuple[str, ...], street_id: int | None = None
                   ) -> pd.DataFrame:
    """id, code, name, level and street_id of the actor's active units at the given levels (for pickers), of one
    street when `street_id` is given (a city's 14,872 grids are not read to offer one street's few dozen).
    Group by street_id, never by a code's prefix: a moved unit keeps its code."""
    query = (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.street_id)
             .where(scope_condition(actor), OrgUnit.level.in_(levels), OrgUnit.active.is_(True))
             .order_by(OrgUnit.code))
    if street_id is not None:
        query = query.where(OrgUnit.street_id == street_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "name", "level", "street_id"])


MOVE_COLUMNS = ["moved_at", "from_code", "from_name", "to_code", "to_name", "username", "reason"]


def has_units(engine: Engine, *, actor: Actor, level: str) -> bool:
    """Whether the actor's scope holds an active unit of `level` (one index probe, no rows read)."""
    query = select(OrgUnit.id).where(scope_condition(actor), OrgUnit.level == level, OrgUnit.active.is_(True)).limit(1)
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def moves(engine: Engine, *, actor: Actor, unit: UnitPublic) -> pd.DataFrame:
    """The unit's moves (db.unit_registry.move_unit), newest first: when, from and to which parent, by whom, why."""
    require(actor, "system.org_units")
    unit = _require_in_scope(engine, actor, unit)
    old, new = OrgUnit.__table__.alias("old"), OrgUnit.__table__.alias("new")
    query = (select(UnitMove.moved_at, old.c.code.label("from_code"), old.c.name.label("from_name"),
                    new.c.code.label("to_code"), new.c.name.label("to_name"), UnitMove.username, UnitMove.reason)
             .join(old, old.c.id == UnitMove.from_parent_id).join(new, new.c.id == UnitMove.to_parent_id)
             .where(UnitMove.unit_id == unit.id).order_by(UnitMove.moved_at.desc(), UnitMove.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=MOVE_COLUMNS)


def _require_in_scope(engine: Engine, actor: Actor, unit: UnitPublic) -> UnitPublic:
    """The stored unit behind `unit`, if the actor's scope holds it: the check reads the database, not
    the fields handed in (a UnitPublic can be built by any caller). The error names no unit."""
    with reading(engine) as session:
        return public_unit(require_unit_in_scope(session, actor, unit.id))


def masked_phone(phone: str | None) -> str:
    """138****5678: what everyone but an admin sees of a roster phone number."""
    if not isinstance(phone, str) or not phone:  # None, or NaN from an empty column
        return ""
    digits = phone.replace("-", "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"
