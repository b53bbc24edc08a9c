"""The org-unit hierarchy within an actor's scope: reading units, breadcrumbs, counts and rosters, and the
registry admins keep (add, edit, deactivate, import and export units)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from db import audit
from db.access import SCOPE_COLUMN, Actor, require, require_unit_in_scope, scope_condition, unit_in_scope
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import GridStaff, OrgUnit
from db.models.org_units import COMMUNITY_TYPES, LEVELS
from db.spreadsheets import FIRST_DATA_ROW, ImportRejected, RowProblems, cell, data_rows, match_columns, read_table
from db.validation import BlankIsNone, InvalidInput, OneLine, OptionalCount, Stripped, validate

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


def _public(unit: OrgUnit) -> UnitPublic:
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
        return _public(unit)


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
                result.append(_public(item))
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


def units_in_scope(engine: Engine, *, actor: Actor, levels: tuple[str, ...]) -> pd.DataFrame:
    """id, code, name, level of the actor's units at the given levels (for pickers)."""
    query = (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level)
             .where(scope_condition(actor), OrgUnit.level.in_(levels), OrgUnit.active.is_(True))
             .order_by(OrgUnit.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "name", "level"])


def _require_in_scope(engine: Engine, actor: Actor, unit: UnitPublic) -> UnitPublic:
    """The stored unit behind `unit`, if the actor's scope holds it: the check reads the database, not
    the fields handed in (a UnitPublic can be built by any caller). The error names no unit."""
    with reading(engine) as session:
        return _public(require_unit_in_scope(session, actor, unit.id))


# --- the registry: admins add, edit, deactivate, import and export units ------------------------------

PARENT_LEVEL = {"district": "root", "street": "district", "community": "street", "grid": "community"}
CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items()}
KINDS = {"street": ("street", "town"), "community": COMMUNITY_TYPES}
CODE_PATTERN = r"^[0-9A-Za-z]{1,32}$"


class UnitFields(BaseModel):
    """What an admin may change of a unit (its code, level and parent are fixed once made)."""

    name: Annotated[str, OneLine, Stripped] = Field(min_length=1, max_length=100)
    kind: Annotated[Optional[str], BlankIsNone] = None
    pilot: bool = False
    households: OptionalCount = None
    population: OptionalCount = None


class UnitCreate(UnitFields):
    code: Annotated[str, Stripped] = Field(pattern=CODE_PATTERN)
    level: Literal["district", "street", "community", "grid"]
    parent_code: Annotated[str, Stripped] = Field(min_length=1, max_length=32)


def _check_kind(level: str, kind: str | None) -> None:
    allowed = KINDS.get(level, ())
    if (kind is None and level == "street") or (kind is not None and kind not in allowed):
        raise InvalidInput([("kind", "org.rule.kind", {"allowed": "、".join(allowed) or "—"})])


def _sibling_order(session, parent_id: int) -> int:
    return (session.execute(select(func.max(OrgUnit.sort_order)).where(OrgUnit.parent_id == parent_id))
            .scalar_one() or 0) + 1


def _create(session, actor: Actor, payload: UnitCreate, field_of: dict[str, str] | None = None) -> OrgUnit:
    """Add the unit under its parent (which must be active, in the actor's scope, one level up)."""
    _check_kind(payload.level, payload.kind)
    if session.execute(select(OrgUnit.id).where(OrgUnit.code == payload.code)).first():
        raise DomainError("org.rule.code_taken", field="code", unit_code=payload.code)
    parent = session.execute(select(OrgUnit).where(OrgUnit.code == payload.parent_code)).scalar_one_or_none()
    if parent is None or not unit_in_scope(actor, parent):
        raise DomainError("org.rule.unknown_parent", field="parent_code", unit_code=payload.parent_code)
    if parent.level != PARENT_LEVEL[payload.level]:
        raise DomainError("org.rule.parent_level", field="parent_code", unit_code=payload.parent_code,
                          level=PARENT_LEVEL[payload.level])
    if not parent.active:
        raise DomainError("org.rule.parent_inactive", field="parent_code", unit_code=payload.parent_code)
    unit = OrgUnit(code=payload.code, name=payload.name, level=payload.level, parent_id=parent.id,
                   district_id=parent.district_id, street_id=parent.street_id, community_id=parent.community_id,
                   kind=payload.kind, pilot=payload.pilot and payload.level == "street",
                   households=payload.households, population=payload.population,
                   sort_order=_sibling_order(session, parent.id))
    session.add(unit)
    session.flush()
    if payload.level != "grid":  # a unit is its own district / street / community
        setattr(unit, SCOPE_COLUMN[payload.level], unit.id)
    audit.record(session, actor=actor, action="unit_create", entity="org_unit", entity_id=unit.id,
                 after=_public(unit).model_dump())
    return unit


def _update(session, actor: Actor, unit: OrgUnit, fields: UnitFields) -> OrgUnit:
    _check_kind(unit.level, fields.kind)
    before = _public(unit).model_dump()
    changes = fields.model_dump()
    changes["pilot"] = changes["pilot"] and unit.level == "street"
    for name, value in changes.items():
        setattr(unit, name, value)
    session.flush()
    audit.record_change(session, actor=actor, action="unit_update", entity="org_unit", entity_id=unit.id,
                        before=before, after=_public(unit).model_dump())
    return unit


def create_unit(engine: Engine, *, actor: Actor, data: dict) -> UnitPublic:
    require(actor, "system.org_units_manage")
    payload = validate(UnitCreate, data)
    with transaction(engine) as session:
        return _public(_create(session, actor, payload))


def update_unit(engine: Engine, *, actor: Actor, unit_id: int, data: dict) -> UnitPublic:
    require(actor, "system.org_units_manage")
    fields = validate(UnitFields, data)
    with transaction(engine) as session:
        unit = require_unit_in_scope(session, actor, unit_id)
        if unit.level == "root":
            raise DomainError("org.rule.root_fixed")
        return _public(_update(session, actor, unit, fields))


def set_unit_active(engine: Engine, *, actor: Actor, unit_id: int, active: bool) -> UnitPublic:
    """Deactivate (never delete: projects, reports and accounts point at it) or reactivate a unit.
    A unit with active units under it stays; one under an inactive parent cannot come back alone."""
    require(actor, "system.org_units_manage")
    with transaction(engine) as session:
        unit = require_unit_in_scope(session, actor, unit_id)
        if unit.level == "root":
            raise DomainError("org.rule.root_fixed")
        if not active and session.execute(select(OrgUnit.id).where(OrgUnit.parent_id == unit.id,
                                                                   OrgUnit.active.is_(True))).first():
            raise DomainError("org.rule.active_children", unit_code=unit.code)
        if active and not session.get(OrgUnit, unit.parent_id).active:
            raise DomainError("org.rule.parent_inactive", field="parent_code", unit_code=unit.code)
        if unit.active != active:
            unit.active = active
            audit.record(session, actor=actor, action="unit_activate" if active else "unit_deactivate",
                         entity="org_unit", entity_id=unit.id, before={"active": not active}, after={"active": active})
        return _public(unit)


# The spreadsheet: headings by field (code, Chinese, English), level and kind as codes or Chinese words.
UNIT_HEADINGS = {"code": ("code", "单位代码", "Code"), "name": ("name", "单位名称", "Name"),
                 "level": ("level", "层级", "Level"), "parent_code": ("parent_code", "上级单位代码", "Parent code"),
                 "kind": ("kind", "类型", "Type"), "households": ("households", "户数", "Households"),
                 "population": ("population", "人口", "Population"), "pilot": ("pilot", "试点街道", "Pilot street")}
LEVEL_WORDS = {"district": "区", "street": "街道/镇", "community": "社区/村", "grid": "网格"}
KIND_WORDS = {"street": "街道", "town": "镇"}
_YES = {"1", "是", "yes", "y", "true", "√"}


class UnitImportResult(BaseModel):
    rows: int
    created: int
    updated: int


def _word_to_code(text: str, words: dict[str, str]) -> str:
    by_word = {word: code for code, word in words.items()}
    by_word.update({part: code for code, word in words.items() for part in word.split("/")})
    return by_word.get(text, text)


def unit_sheet(engine: Engine, *, actor: Actor, lang: str = "zh", template: bool = False) -> pd.DataFrame:
    """The actor's units (root excepted) as the import reads them: an export that imports back unchanged,
    or (template) the headings with one example row per level."""
    require(actor, "system.org_units_manage")
    pick = 1 if lang == "zh" else 2
    headings = {field: names[pick] for field, names in UNIT_HEADINGS.items()}
    if template:
        rows = [("510104", "锦江区", "区", "000000", "", "", "", ""),
                ("510104001", "春熙路街道", "街道/镇", "510104", "街道", "", "", "否"),
                ("510104001001", "和平社区", "社区/村", "510104001", COMMUNITY_TYPES[2], "", "", ""),
                ("510104001001001", "和平社区第1网格", "网格", "510104001001", "", "420", "1100", "")]
        return pd.DataFrame(rows, columns=list(headings.values()))
    parent = OrgUnit.__table__.alias("p")
    query = (select(OrgUnit.code, OrgUnit.name, OrgUnit.level, parent.c.code.label("parent_code"), OrgUnit.kind,
                    OrgUnit.households, OrgUnit.population, OrgUnit.pilot)
             .join(parent, parent.c.id == OrgUnit.parent_id)
             .where(scope_condition(actor), OrgUnit.level != "root", OrgUnit.active.is_(True))
             .order_by(OrgUnit.code))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=list(UNIT_HEADINGS))
    frame["level"] = frame["level"].map(LEVEL_WORDS)
    frame["kind"] = frame["kind"].map(lambda k: KIND_WORDS.get(k, k) if k else "")
    frame["pilot"] = frame.apply(lambda r: ("是" if r["pilot"] else "否") if r["level"] == "街道/镇" else "", axis=1)
    for column in ("households", "population"):
        frame[column] = frame[column].map(lambda v: "" if v is None or pd.isna(v) else str(int(v)))
    return frame.rename(columns=headings)


def import_units(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> UnitImportResult:
    """Add the file's new units and update the known ones (name, type, households, population), all in one
    transaction, or nothing: every problem is reported by row, column and rule. Rows may come in any order;
    a parent may be a row of the same file."""
    require(actor, "system.org_units_manage")
    frame = read_table(data, filename)
    columns, problems = match_columns(frame, UNIT_HEADINGS, optional={"kind", "households", "population", "pilot"})
    if problems:
        raise ImportRejected(problems)
    frame = data_rows(frame, columns)
    depth = {level: index for index, level in enumerate(LEVELS)}
    records = []
    for index, record in zip(frame.index, frame.to_dict("records")):
        values = {field: cell(record.get(column)) for field, column in columns.items()}
        values["level"] = _word_to_code(values.get("level", ""), LEVEL_WORDS)
        values["kind"] = _word_to_code(values.get("kind", ""), KIND_WORDS)
        values["pilot"] = values.get("pilot", "").lower() in _YES
        records.append((int(index) + FIRST_DATA_ROW, values))
    records.sort(key=lambda item: depth.get(item[1]["level"], len(LEVELS)))  # parents before children
    created = updated = 0
    seen: dict[str, int] = {}
    problems = RowProblems(columns, "code")
    with transaction(engine) as session:
        for row, values in records:
            code = values["code"]
            if code in seen:
                problems.add(row, "code", "org.rule.duplicate_row", unit_code=code, first_row=seen[code])
                continue
            seen[code] = row
            known = session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one_or_none() if code else None
            try:
                if known is None:
                    payload = validate(UnitCreate, values)
                    with session.begin_nested():  # a refused row leaves no trace in the file's transaction
                        _create(session, actor, payload)
                    created += 1
                    continue
                if not unit_in_scope(actor, known):
                    raise DomainError("org.rule.code_taken", field="code", unit_code=code)
                parent = session.get(OrgUnit, known.parent_id)
                if known.level != values["level"] or (parent and parent.code != values["parent_code"]):
                    raise DomainError("org.rule.import_move", field="parent_code", unit_code=code)
                fields = validate(UnitFields, values)
                with session.begin_nested():
                    _update(session, actor, known, fields)
                updated += 1
            except DomainError as err:
                problems.add_error(row, err)
        problems.raise_any()
        result = UnitImportResult(rows=len(records), created=created, updated=updated)
        audit.record(session, actor=actor, action="unit_import", entity="org_unit", entity_id=None,
                     after={"file": filename[:100], **result.model_dump()})
    return result


# --- the grid roster (网格长 and 网格员 per grid) ----------------------------------------------------------

STAFF_ROLES = ("leader", "member")
STAFF_WORDS = {"leader": "网格长", "member": "网格员"}
# a mainland mobile number, or a landline with its area code; stored as typed digits (and the dash)
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"


def _phone(value):
    return "".join(value.split()) if isinstance(value, str) else value


class StaffFields(BaseModel):
    role: Literal["leader", "member"]
    name: Annotated[str, OneLine, Stripped] = Field(min_length=1, max_length=40)
    duty: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=40)
    phone: Annotated[Optional[str], BlankIsNone, BeforeValidator(_phone)] = Field(default=None, pattern=PHONE_PATTERN)


def masked_phone(phone: str | None) -> str:
    """138****5678: what everyone but an admin sees of a roster phone number."""
    if not isinstance(phone, str) or not phone:  # None, or NaN from an empty column
        return ""
    digits = phone.replace("-", "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


def _require_grid(session, actor: Actor, grid_id: int) -> OrgUnit:
    grid = require_unit_in_scope(session, actor, grid_id)
    if grid.level != "grid":
        raise NotFound("error.not_found", entity="grid")
    if not grid.active:
        raise DomainError("org.rule.parent_inactive", field="grid_code", unit_code=grid.code)
    return grid


def _one_leader(session, grid: OrgUnit, role: str, staff_id: int | None = None) -> None:
    if role != "leader":
        return
    other = select(GridStaff.id).where(GridStaff.grid_id == grid.id, GridStaff.role == "leader",
                                       GridStaff.active.is_(True))
    if staff_id is not None:
        other = other.where(GridStaff.id != staff_id)
    if session.execute(other).first():
        raise DomainError("org.rule.one_leader", field="role", unit_code=grid.code)


def _staff_public(row: GridStaff) -> dict:
    return {"grid_id": row.grid_id, "role": row.role, "name": row.name, "duty": row.duty, "phone": row.phone,
            "active": row.active}


def add_staff(engine: Engine, *, actor: Actor, grid_id: int, data: dict) -> int:
    """A 网格长 (one active per grid) or a 网格员 on the grid's roster; returns the entry's id."""
    require(actor, "system.org_units_manage")
    fields = validate(StaffFields, data)
    with transaction(engine) as session:
        grid = _require_grid(session, actor, grid_id)
        _one_leader(session, grid, fields.role)
        row = GridStaff(grid_id=grid.id, **fields.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, actor=actor, action="staff_add", entity="grid_staff", entity_id=row.id,
                     after=_staff_public(row))
        return row.id


def set_staff_active(engine: Engine, *, actor: Actor, staff_id: int, active: bool) -> None:
    """Take someone off the roster (kept, marked inactive) or put them back."""
    require(actor, "system.org_units_manage")
    with transaction(engine) as session:
        row = session.get(GridStaff, staff_id)
        if row is None:
            raise NotFound("error.not_found", entity="grid_staff")
        grid = _require_grid(session, actor, row.grid_id)
        if active:
            _one_leader(session, grid, row.role, staff_id=row.id)
        if row.active != active:
            row.active = active
            audit.record(session, actor=actor, action="staff_activate" if active else "staff_deactivate",
                         entity="grid_staff", entity_id=row.id, before={"active": not active}, after={"active": active})


ROSTER_HEADINGS = {"grid_code": ("grid_code", "网格代码", "Grid code"), "role": ("role", "岗位", "Role"),
                   "name": ("name", "姓名", "Name"), "duty": ("duty", "职责", "Duty"),
                   "phone": ("phone", "联系电话", "Phone")}


def roster_sheet(engine: Engine, *, actor: Actor, lang: str = "zh") -> pd.DataFrame:
    """The active roster of the actor's grids as the import reads it (phones in full: admins only)."""
    require(actor, "system.org_units_manage")
    query = (select(OrgUnit.code.label("grid_code"), GridStaff.role, GridStaff.name, GridStaff.duty, GridStaff.phone)
             .join(OrgUnit, OrgUnit.id == GridStaff.grid_id)
             .where(scope_condition(actor), GridStaff.active.is_(True))
             .order_by(OrgUnit.code, case((GridStaff.role == "leader", 0), else_=1), GridStaff.id))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=list(ROSTER_HEADINGS))
    frame["role"] = frame["role"].map(STAFF_WORDS)
    frame = frame.fillna("")
    pick = 1 if lang == "zh" else 2
    return frame.rename(columns={field: names[pick] for field, names in ROSTER_HEADINGS.items()})


def import_roster(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> UnitImportResult:
    """Add the file's people to their grids' rosters; a person already there (same grid, role and name) gets
    the file's duty and phone. One transaction, or nothing, with every problem by row, column and rule."""
    require(actor, "system.org_units_manage")
    frame = read_table(data, filename)
    columns, problems = match_columns(frame, ROSTER_HEADINGS, optional={"duty", "phone"})
    if problems:
        raise ImportRejected(problems)
    frame = data_rows(frame, columns)
    created = updated = 0
    problems = RowProblems(columns, "grid_code")
    with transaction(engine) as session:
        for index, record in zip(frame.index, frame.to_dict("records")):
            row = int(index) + FIRST_DATA_ROW
            values = {field: cell(record.get(column)) for field, column in columns.items()}
            values["role"] = _word_to_code(values["role"], STAFF_WORDS)
            grid = session.execute(select(OrgUnit).where(OrgUnit.code == values["grid_code"])).scalar_one_or_none()
            if grid is None or grid.level != "grid" or not unit_in_scope(actor, grid) or not grid.active:
                problems.add(row, "grid_code", "grid.rule.unknown_grid", code=values["grid_code"])
                continue
            try:
                fields = validate(StaffFields, values)
                known = session.execute(select(GridStaff).where(
                    GridStaff.grid_id == grid.id, GridStaff.role == fields.role, GridStaff.name == fields.name,
                    GridStaff.active.is_(True))).scalar_one_or_none()
                with session.begin_nested():
                    if known is None:
                        _one_leader(session, grid, fields.role)
                        session.add(GridStaff(grid_id=grid.id, **fields.model_dump()))
                        session.flush()
                        created += 1
                    elif (known.duty, known.phone) != (fields.duty, fields.phone):
                        known.duty, known.phone = fields.duty, fields.phone
                        updated += 1
            except DomainError as err:
                problems.add_error(row, err)
        problems.raise_any()
        result = UnitImportResult(rows=len(frame), created=created, updated=updated)
        audit.record(session, actor=actor, action="roster_import", entity="grid_staff", entity_id=None,
                     after={"file": filename[:100], **result.model_dump()})
    return result
