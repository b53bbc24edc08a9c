"""The vote's pure rules: which phase a campaign is in at an instant, the refusal when it is not open,
and the columns a case list shows."""

from __future__ import annotations

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
