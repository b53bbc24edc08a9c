"""The vote's pure rules: which phase a campaign is in at an instant, the refusal when it is not open,
the columns a case list shows, and the review's anomaly thresholds."""

from __future__ import annotations

import os
from datetime import datetime

from db.errors import DomainError, NotFound


def phase(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """draft|upcoming|open|ended|closed|published against the server clock."""
    if status == "open":
        return "upcoming" if now < opens_at else ("ended" if now >= closes_at else "open")
    return status


def require_open(status: str | None, opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    """Raises the message a voter sees unless voting is open right now."""
    if status is None:
        raise NotFound("vote.error.no_campaign")
    current = phase(status, opens_at, closes_at, now)
    if current in ("draft", "upcoming"):
        raise DomainError("vote.error.not_open")
    if current != "open":
        raise DomainError("vote.error.closed")


CASE_COLUMNS = ["id", "title", "organization", "theme", "summary", "sort_order"]

# Anomaly flags of the review (db/voting/review.py); ADDRESS_MIN also decides which address groups a closed
# campaign's roll-up keeps (db/voting/rollups.py).
# A burst: an hour holding at least BURST_FACTOR times the case's median busy hour, and BURST_MIN votes.
BURST_FACTOR, BURST_MIN = 8, 50
# One address: at least ADDRESS_SHARE of a case's votes, and ADDRESS_MIN votes.
ADDRESS_SHARE, ADDRESS_MIN = 0.20, 30
# Night (00:00-05:59 local): a share at least NIGHT_FACTOR times the campaign's, and NIGHT_MIN votes.
NIGHT_HOURS, NIGHT_FACTOR, NIGHT_MIN = range(0, 6), 3.0, 30


# --- objections during 公示 (db/voting/objections.py) ----------------------------------------------

DECISIONS = ("upheld", "dismissed")
GROUNDS_LENGTH = (10, 1000)  # characters of an objection's grounds
ANSWER_LENGTH = (10, 1000)  # characters of the admin's answer
OBJECTIONS_PER_PERSON_DEFAULT = 3


def objections_per_person() -> int:
    """VOTE_OBJECTIONS_PER_PERSON: the objections one verified number may file in a campaign (one per case)."""
    raw = os.environ.get("VOTE_OBJECTIONS_PER_PERSON", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else OBJECTIONS_PER_PERSON_DEFAULT


def notice_running(status: str, notice_until, today) -> bool:
    """A published campaign's 公示 runs from publication through its last day, notice_until, inclusive."""
    return status == "published" and notice_until is not None and today <= notice_until


def require_notice_running(status: str | None, notice_until, today) -> None:
    """Raises the message an objector sees unless the campaign's 公示 is running today."""
    if status is None:
        raise NotFound("vote.error.no_campaign")
    if not notice_running(status, notice_until, today):
        raise DomainError("obj.error.notice_closed")
