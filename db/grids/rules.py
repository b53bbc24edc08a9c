"""Reporting periods: a month 'YYYY-MM', a quarter 'YYYY-Qn' or a year 'YYYY', month arithmetic, and
when a month's reports fall due.

A month is *complete* once it has ended and *due* once the day after its due day (APP_GRID_DUE_DAY
of the next month) has begun. Between the two it is "not yet due": its reports may arrive, but it
is neither late nor missing, and it stays out of the completeness and on-time rates until then.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date

from db import clock
from db.errors import DomainError

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    text: str  # as written in the URL: 2026, 2026-Q3, 2026-10
    kind: str  # year | quarter | month
    first: str  # YYYY-MM
    last: str

    @property
    def months(self) -> list[str]:
        return month_range(self.first, self.last)


def month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def month_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_add(period: str, months: int) -> str:
    return month_of(month_index(period) + months)


def month_range(first: str, last: str) -> list[str]:
    return [month_of(i) for i in range(month_index(first), month_index(last) + 1)]


def current_month(today: date | None = None) -> str:
    today = today or clock.today()
    return f"{today.year:04d}-{today.month:02d}"


def last_complete_month(today: date | None = None) -> str:
    return month_add(current_month(today), -1)


def due_day() -> int:
    """The day of the next month by which a month's report is due (APP_GRID_DUE_DAY, default 10)."""
    try:
        value = int(os.environ.get("APP_GRID_DUE_DAY", "10"))
    except ValueError:
        return 10
    return min(max(value, 1), 28)


def due_date(period: str) -> date:
    following = month_add(period, 1)
    return date(int(following[:4]), int(following[5:7]), due_day())


def is_due(period: str, today: date | None = None) -> bool:
    """Past its due day: a report not in by now is missing, one that comes now is late."""
    return (today or clock.today()) > due_date(period)


def last_due_month(today: date | None = None) -> str:
    """The latest month whose reports are all expected by now (the month before the last complete
    one until the due day has passed)."""
    last = last_complete_month(today)
    return last if is_due(last, today) else month_add(last, -1)


def not_yet_due(months: list[str], today: date | None = None) -> list[str]:
    """The months of a period that are over but whose due day has not yet passed."""
    last = last_complete_month(today)
    return [m for m in months if m <= last and not is_due(m, today)]


def parse_period(text: str | None) -> Period:
    """'2026' / '2026-Q3' / '2026-10' → its first and last month; anything else is a domain error."""
    match = _PERIOD.match((text or "").strip().upper())
    if not match:
        raise DomainError("grid.rule.period", field="period", value=str(text or "")[:20])
    year, quarter, month = match.group(1), match.group(2), match.group(3)
    if month:
        return Period(f"{year}-{month}", "month", f"{year}-{month}", f"{year}-{month}")
    if quarter:
        q = int(quarter)
        return Period(f"{year}-Q{q}", "quarter", f"{year}-{3 * q - 2:02d}", f"{year}-{3 * q:02d}")
    return Period(year, "year", f"{year}-01", f"{year}-12")


def default_period(today: date | None = None) -> Period:
    """The year of the last complete month: what a leader asks about first."""
    return parse_period(last_complete_month(today)[:4])


def recent_periods(kind: str, *, count: int, today: date | None = None) -> list[str]:
    """The latest `count` periods of a kind that hold at least one complete month, newest first."""
    last = last_complete_month(today)
    if kind == "month":
        return [month_add(last, -i) for i in range(count)]
    if kind == "quarter":
        year, q = int(last[:4]), (int(last[5:7]) - 1) // 3 + 1
        out = []
        for _ in range(count):
            out.append(f"{year}-Q{q}")
            year, q = (year - 1, 4) if q == 1 else (year, q - 1)
        return out
    return [str(int(last[:4]) - i) for i in range(count)]


def expected_months(months: list[str], today: date | None = None) -> list[str]:
    """The months of a period whose reports are expected by now: every month past its due day."""
    last = last_due_month(today)
    return [m for m in months if m <= last]
