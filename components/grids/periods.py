"""Reporting months as the grid pages offer them: the choices, their labels, and the month being
reported now."""

from __future__ import annotations

from components.i18n import t
from db.grids import reports as grid_reports
from db.grids.rules import current_month, last_complete_month, month_add

MONTHS_BACK = 24


def month_options() -> list[str]:
    """The current month and the ones before it, newest first."""
    return [month_add(current_month(), -i) for i in range(MONTHS_BACK + 1)]


def month_labels(months: list[str]) -> dict[str, str]:
    return {m: t("grid.period.label.month", year=int(m[:4]), month=int(m[5:])) for m in months}


def default_month() -> str:
    """The month being reported now: last month until its due day, then this month."""
    last = last_complete_month()
    return last if not grid_reports.is_locked(last, None) else current_month()
