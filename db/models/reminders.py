"""Notifications of due work, one per user and occurrence, and the day's reminder runs (db/reminders/)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    """Something due for one user. The unique key makes a run idempotent: the same user, kind, entity and
    occurrence (`period`: a due date or a month, so a new due date is a new notification) is made once."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "entity", "entity_id", "period", name="uq_notification_once"),
        sa.Index("ix_notification_user_read", "user_id", "read_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    kind: str = Field(max_length=32)  # db.reminders.rules.KINDS
    entity: str = Field(max_length=24)
    entity_id: int
    period: str = Field(default="", max_length=16)
    due_on: Optional[date] = None
    params: str = Field(default="{}", sa_column=sa.Column(sa.Text, nullable=False))  # JSON: the text's values
    created_at: datetime
    read_at: Optional[datetime] = None


class ReminderRun(SQLModel, table=True):
    """A day reminders were made: the first page view of a day claims it, so the others only read this row."""

    __tablename__ = "reminder_run"

    day: date = Field(primary_key=True)
    started_at: datetime
    made: int = 0
