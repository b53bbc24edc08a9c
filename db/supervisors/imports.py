"""The supervisor pool from a spreadsheet (监督员资源库 → 批量导入): new supervisors for one district's pool, all or
nothing, every problem by row, column and rule; the headings are found on the repeated heading row (the pool's
own export reads back: a row whose 编号 is already in the pool is left as it is)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError
from db.models.supervisors import Supervisor
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
from db.supervisors import rules
from db.supervisors.pool import SupervisorCreate, _district, _next_code, _record, _set_specialties
from db.validation import InvalidInput, validate

HEADINGS = {"code": ("code", "编号", "Code"), "name": ("name", "姓名/机构", "Name"), "kind": ("kind", "类别", "Kind"),
            "agency": ("agency", "工作单位", "Works at"), "specialties": ("specialties", "专业领域", "Specialties"),
            "qualification": ("qualification", "资质", "Qualification"),
            "qualified_until": ("qualified_until", "资质有效期至", "Qualified until"), "note": ("note", "说明", "Note")}
OPTIONAL = {"code", "agency", "note"}


def _codes(text: str, words: dict[str, tuple[str, ...]]) -> list[str] | None:
    by_word = {w.casefold(): code for code, names in words.items() for w in (code, *names)}
    found = [by_word.get(part.casefold()) for part in re.split(rules.LIST_SEPARATORS, text) if part]
    return None if not found or None in found else found


def import_supervisors(engine: Engine, *, actor: Actor, district_id: int, data: bytes, filename: str) -> ImportCounts:
    require(actor, "supervisors.manage")
    frame = read_table(data, filename)
    columns, problems = match_columns(frame, HEADINGS, optional=OPTIONAL)
    if problems:
        raise ImportRejected(problems)
    frame = data_rows(frame, columns)
    found = RowProblems(columns, "name")
    now, created, unchanged = clock.utcnow(), 0, 0
    with transaction(engine) as session:
        district = _district(session, actor, district_id)
        for index, record in zip(frame.index, frame.to_dict("records")):
            row = int(index) + FIRST_DATA_ROW
            values = {field: cell(record.get(column)) for field, column in columns.items()}
            if values.get("code"):
                if session.execute(select(Supervisor.id).where(Supervisor.code == values["code"],
                                                               Supervisor.district_id == district.id)).first():
                    unchanged += 1  # in the pool already: edits are made on the page, with their audit
                    continue
                found.add(row, "code", "sup.import.unknown_code", code=values["code"])
                continue
            kind = _codes(values["kind"], rules.KIND_WORDS)
            specialties = _codes(values["specialties"], rules.SPECIALTY_WORDS)
            if kind is None or len(kind) != 1:
                found.add(row, "kind", "rule.choice")
                continue
            if specialties is None:
                found.add(row, "specialties", "rule.choice")
                continue
            try:
                payload = validate(SupervisorCreate, {
                    "name": values["name"], "kind": kind[0], "agency": values.get("agency"),
                    "qualification": values["qualification"], "qualified_until": values["qualified_until"] or None,
                    "specialties": specialties, "note": values.get("note"), "district_id": district.id})
            except (InvalidInput, DomainError) as err:
                found.add_error(row, err)
                continue
            supervisor = Supervisor(code=_next_code(session, district), created_at=now, updated_at=now,
                                    **payload.model_dump(exclude={"specialties"}))
            session.add(supervisor)
            session.flush()
            _set_specialties(session, supervisor.id, payload.specialties)
            audit.record(session, actor=actor, action="supervisor_create", entity="supervisor",
                         entity_id=supervisor.id, after={**_record(session, supervisor), "source": filename})
            created += 1
        found.raise_any()
    return ImportCounts(rows=created + unchanged, created=created, updated=0)
