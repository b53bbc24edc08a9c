"""Importing a month of grid reports from Excel or CSV, and the template to fill in.

Every row is checked with the entry form's rules (db/grids/reports.py) before anything is written;
the rejection lists each problem by spreadsheet row, column and rule, and a file with any bad row
writes nothing: checks and writes run in one transaction.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require, scope_condition, unit_in_scope
from db.engine import transaction
from db.errors import DomainError
from db.grids.indicators import definitions, grid_history
from db.grids.reports import (
    ENTERED,
    check_values,
    concurrent_guard,
    month_text,
    outlier_problems,
    require_open_month,
    write_reports,
)
from db.models import OrgUnit
from db.models.grids import GridReport, IndicatorValue
from db.spreadsheets import FIRST_DATA_ROW, ImportProblem, cell, data_rows, match_columns, read_table
from db.spreadsheets import ImportRejected as _Rejected
from db.validation import InvalidInput

GRID_CODE = ("grid_code", "网格代码", "Grid code")
GRID_NAME = ("grid_name", "网格名称", "Grid name")


class ImportRejected(_Rejected):
    """The month's file broke rules; nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(problems, code="grid.import.rejected")


class ImportResult(BaseModel):
    period: str
    rows: int
    created: int
    updated: int
    confirmed: list[str]  # grid codes whose flagged values were confirmed


def _headings(engine: Engine) -> dict[str, tuple[str, ...]]:
    """Accepted headings per field: its code, its Chinese and its English name."""
    defs = definitions(engine)
    headings = {"grid_code": GRID_CODE, "grid_name": GRID_NAME}
    for code in ENTERED:
        headings[code] = (code, defs.loc[code, "name"], defs.loc[code, "name_en"])
    return headings


def template(engine: Engine, *, actor: Actor, period: str, lang: str = "zh") -> pd.DataFrame:
    """The grids the actor may report for, one row each, with the month's values where already reported."""
    require(actor, "grids.report")
    period = month_text(period)
    headings = _headings(engine)
    pick = 1 if lang == "zh" else 2
    grids = select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(scope_condition(actor), OrgUnit.level == "grid")
    values = (select(IndicatorValue.grid_id, IndicatorValue.code, IndicatorValue.value)
              .join(OrgUnit, OrgUnit.id == IndicatorValue.grid_id)
              .where(scope_condition(actor), IndicatorValue.period == period))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(grids.order_by(OrgUnit.code)).all(), columns=["id", "grid_code", "grid_name"])
        known = pd.DataFrame(conn.execute(values).all(), columns=["grid_id", "code", "value"])
    wide = known.pivot(index="grid_id", columns="code", values="value") if len(known) else pd.DataFrame()
    for code in ENTERED:
        column = frame["id"].map(wide[code]) if code in wide else pd.Series([None] * len(frame), dtype="object")
        frame[code] = column.astype("Int64")
    frame = frame.drop(columns=["id"])
    return frame.rename(columns={field: names[pick] for field, names in headings.items()})


def import_month(engine: Engine, *, actor: Actor, period: str, data: bytes, filename: str,
                 confirm_outliers: bool = False) -> ImportResult:
    """Check every row, then write all of them in one transaction, or nothing."""
    require(actor, "grids.report")
    period = month_text(period)
    frame = read_table(data, filename)
    columns, problems = match_columns(frame, _headings(engine), optional={"grid_name"})
    if problems:
        raise ImportRejected(problems)
    frame = data_rows(frame, columns)
    today = clock.today()
    with concurrent_guard(period), transaction(engine) as session:
        codes = sorted({cell(v) for v in frame[columns["grid_code"]]} - {""})
        units = {u.code: u for u in session.execute(select(OrgUnit).where(OrgUnit.code.in_(codes))).scalars()}
        reports = {r.grid_id: r for r in session.execute(
            select(GridReport).where(GridReport.period == period,
                                     GridReport.grid_id.in_([u.id for u in units.values()]))).scalars()}
        history = grid_history(session, grid_ids=[u.id for u in units.values()], before=period)
        rows, seen, confirmed = [], {}, []
        for index, record in zip(frame.index, frame.to_dict("records")):
            row = int(index) + FIRST_DATA_ROW
            code_column = columns["grid_code"]
            code = cell(record[code_column])
            unit = units.get(code)

            def problem(field: str, rule: str, **params) -> None:
                column = code_column if field in ("grid_code", "period") else columns.get(field)
                problems.append(ImportProblem(row=row, column=column, field=field, rule=rule, params=params))

            if not code:
                problem("grid_code", "rule.required")
            elif unit is None or not unit_in_scope(actor, unit):
                problem("grid_code", "grid.rule.unknown_grid", code=code)
            elif unit.level != "grid":
                problem("grid_code", "grid.rule.not_a_grid", code=code)
            elif code in seen:
                problem("grid_code", "grid.rule.duplicate_grid", code=code, first_row=seen[code])
            else:
                seen[code] = row
                try:
                    require_open_month(period, reports.get(unit.id), today)
                except DomainError as err:
                    problem("period", err.code, **err.params)
            try:
                values = check_values({field: record.get(columns[field]) for field in ENTERED}).model_dump()
            except InvalidInput as err:
                for field, rule, params in err.problems:
                    problem(field, rule, **params)
                continue
            if unit is None or unit.level != "grid" or seen.get(code) != row:
                continue
            flagged = outlier_problems(values, {c: v for (g, c), v in history.items() if g == unit.id})
            if flagged and not confirm_outliers:
                for field, rule, params in flagged:
                    problem(field, rule, **params)
                continue
            if flagged:
                confirmed.append(code)
            rows.append((unit.id, values, [field for field, _, _ in flagged]))
        if problems:
            raise ImportRejected(problems)
        before = write_reports(session, actor=actor, period=period, rows=rows, today=today)
        result = ImportResult(period=period, rows=len(rows), created=len(rows) - len(before),
                              updated=len(before), confirmed=confirmed)
        audit.record(session, actor=actor, action="grid_import", entity="grid_report", entity_id=period,
                     after={"file": filename[:100], **result.model_dump()})
    return result
