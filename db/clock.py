"""The one place that reads the clock, so tests can move time (lockout expiry, due dates)."""

from __future__ import annotations

from datetime import date, datetime, timezone as _tz
from zoneinfo import ZoneInfo

from db import settings


def utcnow() -> datetime:
    """Aware UTC: every timestamp is stored and compared in this form."""
    return datetime.now(_tz.utc)


def today() -> date:
    """The calendar date where the district is, for due dates and reporting periods."""
    return utcnow().astimezone(ZoneInfo(settings.timezone())).date()


def local_day_start(day: date) -> datetime:
    """The UTC instant at which `day` begins in the district's time zone."""
    return datetime.combine(day, datetime.min.time(), ZoneInfo(settings.timezone())).astimezone(_tz.utc)
