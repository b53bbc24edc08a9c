"""Monthly grid reports: entry with validation, the monthly lock and an admin's reopen.

Rules (DESIGN §6, issue 6): counts are whole and non-negative; problems solved ≤ problems reported
+ carried over; satisfied ≤ respondents; a value far outside the grid's own history is written only
with an explicit confirmation. Street staff write the grids of their own street, admins any grid,
checked here. A month's report is due by the due day of the next month; after that day the month is
locked for that grid until an admin reopens it (audited), and the next submission locks it again.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Iterator

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.engine import reading, transaction
from db.errors import DomainError
from db.grids import rollups as grid_rollups
from db.grids.indicators import OUTLIER_WINDOW, flagged_months, grid_history, is_outlier
from db.grids.rules import current_month, due_date, is_due, month_add
from db.models import OrgUnit
from db.models.grids import GridReport, IndicatorValue
from db.validation import InvalidInput, validate

# The entered values (data elements), in form order; caps catch a slipped key, not real months.
CAPS = {
    "activities": 200, "served": 100_000, "visits": 20_000, "volunteers": 20_000, "funds": 10_000_000,
    "problems_carried": 5_000, "problems_reported": 5_000, "problems_solved": 5_000,
    "respondents": 20_000, "satisfied": 20_000,
}
ENTERED = tuple(CAPS)


def is_locked(period: str, status: str | None, today: date | None = None) -> bool:
    """Past its due day a month is locked, unless an admin reopened this grid's report."""
    return is_due(period, today) and status != "open"


class ReportValues(BaseModel):
    """One grid's month as entered; the fields are the entered codes."""

    activities: int = Field(ge=0, le=CAPS["activities"])
    served: int = Field(ge=0, le=CAPS["served"])
    visits: int = Field(ge=0, le=CAPS["visits"])
    volunteers: int = Field(ge=0, le=CAPS["volunteers"])
    funds: int = Field(ge=0, le=CAPS["funds"])
    problems_carried: int = Field(ge=0, le=CAPS["problems_carried"])
    problems_reported: int = Field(ge=0, le=CAPS["problems_reported"])
    problems_solved: int = Field(ge=0, le=CAPS["problems_solved"])
    respondents: int = Field(ge=0, le=CAPS["respondents"])
    satisfied: int = Field(ge=0, le=CAPS["satisfied"])

    @field_validator("*", mode="before")
    @classmethod
    def _whole_text(cls, value: Any) -> Any:
        """Spreadsheet cells arrive as text: '12.0' is 12, '1,200' is 1200."""
        if isinstance(value, str):
            text = value.strip().replace(",", "")
            if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
                return text[:-2]
            return text
        return value


class ReopenInput(BaseModel):
    reason: str = Field(min_length=4, max_length=200)


class ReportPublic(BaseModel):
    id: int | None
    grid_id: int
    grid_code: str
    grid_name: str
    period: str
    status: str | None  # None: nothing reported yet
    submitted_at: datetime | None
    on_time: bool
    reopened: bool
    locked: bool
    due: date
    values: dict[str, int]
    confirmed: list[str]


def cross_field_problems(values: ReportValues) -> list[tuple[str, str, dict]]:
    """The rules between fields, each naming the field that breaks it."""
    problems = []
    open_problems = values.problems_reported + values.problems_carried
    if values.problems_solved > open_problems:
        problems.append(("problems_solved", "grid.rule.solved_le_open", {"limit": open_problems}))
    if values.satisfied > values.respondents:
        problems.append(("satisfied", "grid.rule.satisfied_le_respondents", {"limit": values.respondents}))
    return problems


def check_values(data: dict) -> ReportValues:
    """Validate one month's values: field rules first, then the rules between fields."""
    given = {code: data.get(code) for code in ENTERED if not _blank(data.get(code))}
    payload = validate(ReportValues, given)
    problems = cross_field_problems(payload)
    if problems:
        raise InvalidInput(problems)
    return payload


def _blank(value: Any) -> bool:
    """An empty form field or spreadsheet cell: reported as missing, not as a bad number."""
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


class NeedsConfirmation(InvalidInput):
    """Values far outside the grid's history: written only when the user confirms them."""


def outlier_problems(values: dict[str, int], history: dict[str, list[int]]) -> list[tuple[str, str, dict]]:
    problems = []
    for code in ENTERED:
        past = history.get(code, [])
        if is_outlier(values[code], past):
            mean = sum(past) / len(past)
            problems.append((code, "grid.rule.outlier", {"value": values[code], "mean": round(mean, 1), "n": len(past)}))
    return problems


def require_grid(session: Session, actor: Actor, grid_id: int) -> OrgUnit:
    grid = require_unit_in_scope(session, actor, grid_id)
    if grid.level != "grid":
        raise DomainError("grid.error.not_a_grid", field="grid_id", unit=grid.name)
    return grid


def require_open_month(period: str, report: GridReport | None, today: date) -> None:
    if period > current_month(today):
        raise DomainError("grid.rule.future_period", field="period", period=period)
    if is_locked(period, report.status if report else None, today):
        raise DomainError("grid.error.locked", field="period", period=period, due=due_date(period).isoformat())


def write_reports(session: Session, *, actor: Actor, period: str, rows: list[tuple[int, dict[str, int], list[str]]],
                  today: date) -> dict[int, dict]:
    """Insert or update the reports of `rows` (grid_id, values, confirmed codes) for one month, in bulk;
    returns per grid the values before. The caller has checked scope, lock and rules."""
    now = clock.utcnow()
    grid_ids = [grid_id for grid_id, _, _ in rows]
    reports = {r.grid_id: r for r in session.execute(
        select(GridReport).where(GridReport.grid_id.in_(grid_ids), GridReport.period == period)).scalars()}
    on_time = today <= due_date(period)
    for grid_id in grid_ids:
        report = reports.get(grid_id)
        if report is None:
            report = reports[grid_id] = GridReport(grid_id=grid_id, period=period, status="submitted")
            session.add(report)
        if report.submitted_at is None:
            report.on_time = on_time  # timeliness is the first submission's
        report.status, report.submitted_by, report.submitted_at = "submitted", actor.user_id, now
    session.flush()
    table = IndicatorValue.__table__
    existing = {(grid_id, code): (value_id, value) for value_id, grid_id, code, value in session.execute(
        select(table.c.id, table.c.grid_id, table.c.code, table.c.value)
        .where(table.c.grid_id.in_(grid_ids), table.c.period == period))}
    before: dict[int, dict] = {}
    inserts, updates = [], []
    for grid_id, values, confirmed in rows:
        for code in ENTERED:
            row = {"value": values[code], "confirmed": code in confirmed}
            if (grid_id, code) in existing:
                value_id, old = existing[(grid_id, code)]
                before.setdefault(grid_id, {})[code] = old
                updates.append({"value_id": value_id, **row})
            else:
                inserts.append({"report_id": reports[grid_id].id, "grid_id": grid_id, "period": period, "code": code, **row})
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("value_id"))
            .values(value=bindparam("value"), confirmed=bindparam("confirmed")), updates)
    refresh_outlier_flags(session, grid_ids=grid_ids, period=period)
    grid_rollups.refresh(session, grid_ids=grid_ids, period=period)
    return before


def refresh_outlier_flags(session: Session, *, grid_ids: list[int], period: str) -> None:
    """Re-flag `period` and the months after it whose history it belongs to, for these grids."""
    table = IndicatorValue.__table__
    rows = session.execute(
        select(table.c.id, table.c.grid_id, table.c.code, table.c.period, table.c.value, table.c.outlier)
        .where(table.c.grid_id.in_(grid_ids),
               table.c.period.between(month_add(period, -OUTLIER_WINDOW), month_add(period, OUTLIER_WINDOW)))
    ).all()
    series: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for row in rows:
        series.setdefault((row.grid_id, row.code), []).append((row.period, int(row.value)))
    flagged = {(key, month) for key, points in series.items() for month in flagged_months(points)}
    changes = []
    for row in rows:
        flag = ((row.grid_id, row.code), row.period) in flagged
        if row.period >= period and flag != bool(row.outlier):
            changes.append({"value_id": row.id, "flag": flag})
    if changes:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("value_id")).values(outlier=bindparam("flag")), changes)


def submit_report(engine: Engine, *, actor: Actor, grid_id: int, period: str, values: dict,
                  confirm_outliers: bool = False) -> ReportPublic:
    """Save one grid's month; raises InvalidInput naming each bad field, NeedsConfirmation for outliers."""
    require(actor, "grids.report")
    period = month_text(period)
    payload = check_values(values).model_dump()
    today = clock.today()
    with concurrent_guard(period), transaction(engine) as session:
        grid = require_grid(session, actor, grid_id)
        report = session.execute(select(GridReport).where(GridReport.grid_id == grid_id,
                                                          GridReport.period == period)).scalar_one_or_none()
        require_open_month(period, report, today)
        history = grid_history(session, grid_ids=[grid_id], before=period)
        flagged = outlier_problems(payload, {code: v for (_, code), v in history.items()})
        if flagged and not confirm_outliers:
            raise NeedsConfirmation(flagged)
        confirmed = [code for code, _, _ in flagged]
        before = write_reports(session, actor=actor, period=period, rows=[(grid_id, payload, confirmed)], today=today)
        report = session.execute(select(GridReport).where(GridReport.grid_id == grid_id,
                                                          GridReport.period == period)).scalar_one()
        audit.record(session, actor=actor, action="grid_report_submit", entity="grid_report", entity_id=report.id,
                     before=before.get(grid_id) or None,
                     after={"grid": grid.code, "period": period, **payload, "confirmed_outliers": confirmed})
        return _public(session, grid, period, report, today)


def reopen(engine: Engine, *, actor: Actor, grid_id: int, period: str, reason: str) -> ReportPublic:
    """An admin opens a locked month of one grid for one more submission."""
    require(actor, "grids.reopen")
    period = month_text(period)
    payload = validate(ReopenInput, {"reason": (reason or "").strip()})
    today = clock.today()
    with transaction(engine) as session:
        grid = require_grid(session, actor, grid_id)
        report = session.execute(select(GridReport).where(GridReport.grid_id == grid_id,
                                                          GridReport.period == period)).scalar_one_or_none()
        if report is not None and report.status == "open":
            raise DomainError("grid.error.already_open", field="period", period=period)
        if not is_locked(period, None, today):
            raise DomainError("grid.error.not_locked", field="period", period=period, due=due_date(period).isoformat())
        before = None if report is None else {"status": report.status, "reopened": report.reopened}
        if report is None:
            report = GridReport(grid_id=grid_id, period=period, status="open")
            session.add(report)
        report.status, report.reopened = "open", True
        report.reopened_by, report.reopened_at = actor.user_id, clock.utcnow()
        session.flush()
        audit.record(session, actor=actor, action="grid_report_reopen", entity="grid_report", entity_id=report.id,
                     before=before, after={"grid": grid.code, "period": period, "status": "open",
                                           "reason": payload.reason})
        return _public(session, grid, period, report, today)


def get_report(engine: Engine, *, actor: Actor, grid_id: int, period: str) -> ReportPublic:
    """A grid's month as it stands (values, status, lock), for the entry form."""
    require(actor, "grids.read_report")
    period = month_text(period)
    with reading(engine) as session:
        grid = require_grid(session, actor, grid_id)
        report = session.execute(select(GridReport).where(GridReport.grid_id == grid_id,
                                                          GridReport.period == period)).scalar_one_or_none()
        return _public(session, grid, period, report, clock.today())


@contextmanager
def concurrent_guard(period: str) -> Iterator[None]:
    """Two first submissions of one grid's month at once: the UNIQUE constraint lets one through
    (PostgreSQL; SQLite queues writers), the other gets a message instead of a crash."""
    try:
        yield
    except IntegrityError:
        raise DomainError("grid.error.concurrent", field="period", period=period) from None


def month_text(period: str) -> str:
    text = (period or "").strip()
    # isascii: full-width and other scripts' digits pass isdigit() and int(), and would be stored as a month
    if (len(text) != 7 or not text.isascii() or text[4] != "-" or not (text[:4] + text[5:]).isdigit()
            or not 1 <= int(text[5:]) <= 12):
        raise DomainError("grid.rule.month", field="period", value=text[:20])
    return text


def _public(session: Session, grid: OrgUnit, period: str, report: GridReport | None, today: date) -> ReportPublic:
    values, confirmed = {}, []
    if report is not None and report.id is not None:
        for code, value, flag in session.execute(select(IndicatorValue.code, IndicatorValue.value, IndicatorValue.confirmed)
                                                 .where(IndicatorValue.grid_id == grid.id, IndicatorValue.period == period)):
            values[code] = int(value)
            if flag:
                confirmed.append(code)
    status = report.status if report else None
    return ReportPublic(
        id=report.id if report else None, grid_id=grid.id, grid_code=grid.code, grid_name=grid.name, period=period,
        status=status, submitted_at=report.submitted_at if report else None,
        on_time=bool(report.on_time) if report else False, reopened=bool(report.reopened) if report else False,
        locked=is_locked(period, status, today), due=due_date(period), values=values, confirmed=sorted(confirmed),
    )
