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


class NotificationContact(SQLModel, table=True):
    """Where a staff user's daily digest goes outside the app (their own choice, on 消息提醒): a mobile number for
    the SMS command or an e-mail address; none, no digest."""

    __tablename__ = "notification_contact"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    channel: str = Field(max_length=8)  # sms|email
    address: str = Field(max_length=120)
    updated_at: datetime


class NotificationDigest(SQLModel, table=True):
    """One user's daily digest of unread notifications and its delivery state: pending until sent; a failure is
    logged, kept as failed with its error and retried by the next run, up to db.reminders.delivery.MAX_ATTEMPTS."""

    __tablename__ = "notification_digest"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "day", name="uq_notification_digest_day"),
        sa.Index("ix_notification_digest_state", "state", "attempts"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    day: date
    channel: str = Field(max_length=8)
    address: str = Field(max_length=120)
    unread: int
    kinds: str = Field(default="{}", sa_column=sa.Column(sa.Text, nullable=False))  # JSON: unread per kind
    state: str = Field(default="pending", max_length=8)  # pending|sent|failed
    attempts: int = 0
    last_error: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime
    sent_at: Optional[datetime] = None
