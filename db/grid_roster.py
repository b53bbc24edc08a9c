"""The grid roster admins keep: one 网格长 and any number of 网格员 per grid, with duty and phone (shown
masked except to admins: db.org_units.roster), taken off but never deleted, and its spreadsheet."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import case, select
from sqlalchemy.engine import Engine

from db import audit
from db.access import Actor, require, require_unit_in_scope, scope_condition, unit_in_scope
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.models import GridStaff, OrgUnit
from db.spreadsheets import (
    FIRST_DATA_ROW,
    ImportCounts,
    ImportRejected,
    RowProblems,
    cell,
    data_rows,
    match_columns,
    read_table,
)
from db.unit_registry import word_to_code
from db.validation import BlankIsNone, OneLine, Stripped, validate

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


def import_roster(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> ImportCounts:
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
            values["role"] = word_to_code(values["role"], STAFF_WORDS)
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
        result = ImportCounts(rows=len(frame), created=created, updated=updated)
        audit.record(session, actor=actor, action="roster_import", entity="grid_staff", entity_id=None,
                     after={"file": filename[:100], **result.model_dump()})
    return result
