"""The org-unit registry admins keep: add, edit, move and deactivate units (never delete: projects, reports
and accounts point at them), and the spreadsheet of units (template, export, all-or-nothing import).

A move puts a street under another district, a community under another street or a grid under another
community, and keeps its history this way:
- the unit keeps its id and code, so its own reports, values, roster, accounts and projects stay its own;
  it and every unit under it take the new ancestors (the district/street/community columns);
- a project keeps the district, street and community it was registered under (its buyer at the time):
  db.pipeline.writes copies them again only when the project's place is changed;
- grid figures count on today's tree for every month, as the expected reports do (a street's dashboard
  compares the reports its grids sent with the reports they owed), so the roll-ups of the communities and
  streets it touched are recomputed in the move's transaction (db.grids.rollups.rehome);
- social organizations placed at a moved street follow it into its new district;
- 社区营造's rows (proposals, council meetings, the communities' own projects, ratings) belong to their community
  and follow it (db.community.scope.follow_move), so the staff now covering it handle them; so do its community
  fund with the fund's ledger entries and the 微创投 applications delivered there (db.funds.funds.follow_move);
- the move itself is a unit_move row (from, to, when, by whom, why) shown on the unit's page, and audited.
An import never moves a unit: a known code under another parent is refused (org.rule.import_move)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import SCOPE_COLUMN, Actor, require, require_unit_in_scope, scope_condition, unit_in_scope
from db.community import scope as community_scope
from db.engine import transaction
from db.errors import DomainError, PermissionDenied
from db.funds import funds as fund_registry
from db.grids import rollups
from db.linkage import registry as linkage_registry
from db.models import OrgUnit, UnitMove
from db.models.org_units import COMMUNITY_TYPES, LEVELS
from db.models.pipeline import SocialOrg
from db.org_units import UnitPublic, public_unit
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
from db.validation import BlankIsNone, InvalidInput, OneLine, OptionalCount, Stripped, validate

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


def _create(session, actor: Actor, payload: UnitCreate) -> OrgUnit:
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
                 after=public_unit(unit).model_dump())
    return unit


def _update(session, actor: Actor, unit: OrgUnit, fields: UnitFields) -> OrgUnit:
    _check_kind(unit.level, fields.kind)
    before = public_unit(unit).model_dump()
    changes = fields.model_dump()
    changes["pilot"] = changes["pilot"] and unit.level == "street"
    for name, value in changes.items():
        setattr(unit, name, value)
    session.flush()
    audit.record_change(session, actor=actor, action="unit_update", entity="org_unit", entity_id=unit.id,
                        before=before, after=public_unit(unit).model_dump())
    return unit


def create_unit(engine: Engine, *, actor: Actor, data: dict) -> UnitPublic:
    require(actor, "system.org_units_manage")
    payload = validate(UnitCreate, data)
    with transaction(engine) as session:
        return public_unit(_create(session, actor, payload))


def update_unit(engine: Engine, *, actor: Actor, unit_id: int, data: dict) -> UnitPublic:
    require(actor, "system.org_units_manage")
    fields = validate(UnitFields, data)
    with transaction(engine) as session:
        unit = require_unit_in_scope(session, actor, unit_id)
        if unit.level == "root":
            raise DomainError("org.rule.root_fixed")
        return public_unit(_update(session, actor, unit, fields))


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
        return public_unit(unit)


class UnitMoveInput(BaseModel):
    parent_code: Annotated[str, Stripped] = Field(min_length=1, max_length=32)
    reason: Annotated[str, OneLine, Stripped] = Field(min_length=2, max_length=200)


# the ancestor columns a unit of each level takes from its parent (its own column points at itself)
ANCESTORS = {"street": ("district_id",), "community": ("district_id", "street_id"),
             "grid": ("district_id", "street_id", "community_id")}


def move_unit(engine: Engine, *, actor: Actor, unit_id: int, data: dict) -> UnitPublic:
    """Put a street, community or grid under another active parent of the same level, both the old and the
    new parent within the actor's scope; the code stays. See the module's docstring for what keeps its
    history and what follows the unit."""
    require(actor, "system.org_units_manage")
    payload = validate(UnitMoveInput, data)
    with transaction(engine) as session:
        session.execute(select(OrgUnit).where(OrgUnit.id == unit_id).with_for_update())  # one move of it at a time
        unit = require_unit_in_scope(session, actor, unit_id)
        if unit.level not in ANCESTORS:
            raise DomainError("org.rule.move_level", unit_code=unit.code)
        old = session.get(OrgUnit, unit.parent_id)
        if not unit_in_scope(actor, old):  # a unit cannot take itself out from under the actor's own scope
            raise PermissionDenied("error.out_of_scope")
        new = session.execute(select(OrgUnit).where(OrgUnit.code == payload.parent_code)).scalar_one_or_none()
        if new is None or not unit_in_scope(actor, new):
            raise DomainError("org.rule.unknown_parent", field="parent_code", unit_code=payload.parent_code)
        if new.id == unit.id or getattr(new, SCOPE_COLUMN[unit.level]) == unit.id:
            raise DomainError("org.rule.move_under_itself", field="parent_code", unit_code=new.code)
        if new.level != PARENT_LEVEL[unit.level]:
            raise DomainError("org.rule.parent_level", field="parent_code", unit_code=new.code,
                              level=PARENT_LEVEL[unit.level])
        if not new.active:
            raise DomainError("org.rule.parent_inactive", field="parent_code", unit_code=new.code)
        if new.id == old.id:
            raise DomainError("org.rule.move_same", field="parent_code", unit_code=new.code)
        # the communities whose grids change hands and the streets whose totals do, before and after
        if unit.level == "grid":
            communities, streets = [old.id, new.id], [old.street_id, new.street_id]
        elif unit.level == "community":
            communities, streets = [unit.id], [old.id, new.id]
        else:
            communities = list(session.execute(select(OrgUnit.id).where(
                OrgUnit.street_id == unit.id, OrgUnit.level == "community")).scalars())
            streets = [unit.id]
        unit.parent_id, unit.sort_order = new.id, _sibling_order(session, new.id)
        moved = session.execute(
            update(OrgUnit).where(getattr(OrgUnit, SCOPE_COLUMN[unit.level]) == unit.id)
            .values({column: getattr(new, column) for column in ANCESTORS[unit.level]})
            .execution_options(synchronize_session="fetch")).rowcount
        orgs = 0
        if unit.level == "street":
            orgs = session.execute(update(SocialOrg).where(SocialOrg.street_id == unit.id)
                                   .values(district_id=new.district_id)).rowcount
        proposals = community_scope.follow_move(session, level=unit.level, unit_id=unit.id,
                                                street_id=new.id if unit.level == "community" else None,
                                                district_id=new.district_id)
        proposals += fund_registry.follow_move(session, level=unit.level, unit_id=unit.id,
                                               street_id=new.id if unit.level == "community" else None,
                                               district_id=new.district_id)
        proposals += linkage_registry.follow_move(session, actor=actor, level=unit.level, unit_id=unit.id,
                                                  street_id=new.id if unit.level == "community" else None,
                                                  district_id=new.district_id)
        session.add(UnitMove(unit_id=unit.id, from_parent_id=old.id, to_parent_id=new.id, moved_at=clock.utcnow(),
                             user_id=actor.user_id, username=actor.username, reason=payload.reason))
        session.flush()
        rollups.rehome(session, community_ids=communities, street_ids=streets)
        audit.record(session, actor=actor, action="unit_move", entity="org_unit", entity_id=unit.id,
                     before={"parent_code": old.code},
                     after={"parent_code": new.code, "reason": payload.reason, "units": moved, "social_orgs": orgs,
                            "community_rows": proposals})
        return public_unit(unit)


# The spreadsheet: headings by field (code, Chinese, English), level and kind as codes or Chinese words.
UNIT_HEADINGS = {"code": ("code", "单位代码", "Code"), "name": ("name", "单位名称", "Name"),
                 "level": ("level", "层级", "Level"), "parent_code": ("parent_code", "上级单位代码", "Parent code"),
                 "kind": ("kind", "类型", "Type"), "households": ("households", "户数", "Households"),
                 "population": ("population", "人口", "Population"), "pilot": ("pilot", "试点街道", "Pilot street")}
LEVEL_WORDS = {"district": "区", "street": "街道/镇", "community": "社区/村", "grid": "网格"}
KIND_WORDS = {"street": "街道", "town": "镇"}
_YES = {"1", "是", "yes", "y", "true", "√"}


def word_to_code(text: str, words: dict[str, str]) -> str:
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


def import_units(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> ImportCounts:
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
        values["level"] = word_to_code(values.get("level", ""), LEVEL_WORDS)
        values["kind"] = word_to_code(values.get("kind", ""), KIND_WORDS)
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
        result = ImportCounts(rows=len(records), created=created, updated=updated)
        audit.record(session, actor=actor, action="unit_import", entity="org_unit", entity_id=None,
                     after={"file": filename[:100], **result.model_dump()})
    return result
