"""The instants of CI's calendar pass (CALENDAR_INSTANTS, .ci/run) and the boundaries each stands for, so that a
test marked `calendar("year")` runs at the turn of a year and not at every instant (tests/conftest.py)."""

from __future__ import annotations

from datetime import datetime

from db import clock
from db.grids import rules as grid_rules

BOUNDARIES = frozenset({"year", "due_day", "leap"})


def boundaries(instant: datetime) -> set[str]:
    """What an instant of the calendar pass stands for, in local time: the turn of a year (and so of a month
    and of the UTC day), a grid report's due day or the day after, a leap day."""
    day = clock.local_date(instant)
    kinds = set()
    if (day.month, day.day) in ((1, 1), (12, 31)):
        kinds.add("year")
    if day.day in (grid_rules.due_day(), grid_rules.due_day() + 1):
        kinds.add("due_day")
    if (day.month, day.day) == (2, 29):
        kinds.add("leap")
    return kinds
