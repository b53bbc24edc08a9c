"""The one place that reads the clock, so tests can move time (lockout expiry, due dates).

`APP_CLOCK` (an ISO instant with its offset, e.g. `2026-12-01T09:00:00+08:00`) starts the clock at
that instant when the process starts, and it runs on from there: the test suite builds its demo
data at a fixed "today" with it, CI reruns the date-sensitive tests at month and year boundaries,
and a training install can show the demo as of a chosen day. `set_now` does the same in-process.
`share_with_children` writes the running clock back as `<instant>@<wall epoch seconds>`, which a child
process (a test's live app, a benchmark) reads as the same timeline, so no child starts behind data
its parent already stamped.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from datetime import timezone as _tz
from zoneinfo import ZoneInfo

from db import settings

CLOCK_ENV = "APP_CLOCK"


def _wall() -> datetime:
    return datetime.now(_tz.utc)


def parse_instant(text: str) -> datetime:
    """An ISO instant; one without an offset is read in the district's time zone."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.timezone()))
    return moment.astimezone(_tz.utc)


def _offset_from_env() -> timedelta:
    text = os.environ.get(CLOCK_ENV, "").strip()
    if not text:
        return timedelta(0)
    try:
        instant, _, at_wall = text.partition("@")
        if at_wall:  # the same timeline as the process that wrote it
            return parse_instant(instant) - datetime.fromtimestamp(float(at_wall), _tz.utc)
        return parse_instant(text) - _wall()
    except ValueError as err:
        raise RuntimeError(f"{CLOCK_ENV} must be an ISO date-time such as 2026-12-01T09:00:00+08:00: {text!r}") from err


_offset = _offset_from_env()


def set_now(moment: datetime | None) -> None:
    """Run the clock from `moment` on (aware, or local to the district); None returns to the wall clock."""
    global _offset
    if moment is None:
        _offset = timedelta(0)
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.timezone()))
    _offset = moment.astimezone(_tz.utc) - _wall()


def share_with_children() -> None:
    """Hand this process's running clock to the processes it starts (through APP_CLOCK)."""
    wall = _wall()
    os.environ[CLOCK_ENV] = f"{(wall + _offset).isoformat()}@{wall.timestamp():.6f}"


def utcnow() -> datetime:
    """Aware UTC: every timestamp is stored and compared in this form."""
    return _wall() + _offset


def today() -> date:
    """The calendar date where the district is, for due dates and reporting periods."""
    return utcnow().astimezone(ZoneInfo(settings.timezone())).date()


def local_day_start(day: date) -> datetime:
    """The UTC instant at which `day` begins in the district's time zone."""
    return datetime.combine(day, datetime.min.time(), ZoneInfo(settings.timezone())).astimezone(_tz.utc)


def local_date(moment: datetime) -> date:
    """The district's calendar day of a stored instant (SQLite hands timestamps back without their zone: UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=_tz.utc)
    return aware.astimezone(ZoneInfo(settings.timezone())).date()
