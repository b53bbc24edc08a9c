"""The reminders' rules as data: the kinds of notification, how far ahead a due date is announced, and when
something late escalates (APP_ESCALATE_DAYS = N: past its limit by N days the admins are told, by 2N the leaders
whose scope covers it, once each). Read at call time (`rules.REMIND_DAYS`), so a deployment or a test can change
them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

# evaluator: assignments; street: the month's grid reports, a month reopened; admin: stages past their limit (N days),
# vote flags awaiting review, rectifications due and late (N days); leader: stages and rectifications late by 2N days;
# community and street staff: proposals waiting for triage past COMMUNITY_ANSWER_DAYS (社区营造); evaluators: 微创投
# review scorecards due and overdue
KINDS = ("assignment_due", "assignment_overdue", "grid_reports_due", "grid_month_reopened", "stage_overdue",
         "stage_escalated", "vote_flags", "rectification_due", "rectification_overdue", "rectification_escalated",
         "objections_pending", "proposal_waiting", "review_due", "review_overdue")
# a due date this many days ahead (or nearer) is announced
REMIND_DAYS = 3
ESCALATE_DAYS_DEFAULT = 7
STATUSES = ("unread", "read")
# an inbox lists this many notifications at most (newest first); the unread count counts them all
INBOX_LIMIT = 300


def escalate_days() -> int:
    """APP_ESCALATE_DAYS: days past a limit before the admins are told (twice that: the leaders)."""
    try:
        value = int(os.environ.get("APP_ESCALATE_DAYS", str(ESCALATE_DAYS_DEFAULT)))
    except ValueError:
        return ESCALATE_DAYS_DEFAULT
    return min(max(value, 1), 365)


def escalation(days_late: int, n: int) -> int:
    """0 below N days late, 1 (the admins) from N, 2 (the leaders as well) from 2N."""
    return 2 if days_late >= 2 * n else 1 if days_late >= n else 0


def due_soon(due_on: date, today: date) -> bool:
    return today <= due_on <= date.fromordinal(today.toordinal() + REMIND_DAYS)


def covers(scope_level: str, scope_id: int, *, district_id: int | None, street_id: int | None = None,
           community_id: int | None = None) -> bool:
    """Whether a user scoped to (scope_level, scope_id) sees a thing placed at these ancestors."""
    if scope_level == "root":
        return True
    return {"district": district_id, "street": street_id, "community": community_id}.get(scope_level) == scope_id


@dataclass(frozen=True)
class Due:
    """One notification to make; (user_id, kind, entity, entity_id, period) is its key (made once)."""

    user_id: int
    kind: str
    entity: str
    entity_id: int
    period: str = ""
    due_on: date | None = None
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple:
        return (self.user_id, self.kind, self.entity, self.entity_id, self.period)
