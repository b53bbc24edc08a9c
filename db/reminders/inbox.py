"""Each user's inbox: their own notifications only (every read and write filters on the acting user's id, so
one user can neither list nor mark another's), the unread count for the menu's bell, marking as read."""

from __future__ import annotations

import json
from typing import Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import NotFound
from db.models.reminders import Notification
from db.reminders import rules
from db.validation import RowId, validate


class MarkInput(BaseModel):
    ids: list[RowId] = Field(min_length=1, max_length=rules.INBOX_LIMIT)


def unread_count(engine: Engine, *, actor: Actor) -> int:
    require(actor, "system.signed_in")
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Notification).where(
            Notification.user_id == actor.user_id, Notification.read_at.is_(None))).scalar_one()


COLUMNS = ["id", "kind", "entity", "entity_id", "period", "due_on", "params", "created_at", "read_at"]


def notifications(engine: Engine, *, actor: Actor, status: Optional[Literal["unread", "read"]] = None,
                  limit: int = rules.INBOX_LIMIT) -> pd.DataFrame:
    """The actor's notifications, newest first; params as dicts."""
    require(actor, "system.signed_in")
    query = (select(*[getattr(Notification, c) for c in COLUMNS]).where(Notification.user_id == actor.user_id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    if status == "unread":
        query = query.where(Notification.read_at.is_(None))
    elif status == "read":
        query = query.where(Notification.read_at.is_not(None))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=COLUMNS)
    frame["params"] = [json.loads(text) for text in frame["params"]]
    return frame


def mark_read(engine: Engine, *, actor: Actor, ids: list[int]) -> int:
    """Mark some of the actor's notifications read; an id that is not theirs is refused (and nothing is marked).
    Returns how many were unread."""
    require(actor, "system.signed_in")
    wanted = sorted(set(validate(MarkInput, {"ids": ids}).ids))
    with transaction(engine) as session:
        mine = set(session.execute(select(Notification.id).where(Notification.id.in_(wanted),
                                                                 Notification.user_id == actor.user_id)).scalars())
        if mine != set(wanted):
            raise NotFound("error.not_found", entity="notification")  # another's looks like none at all
        count = session.execute(update(Notification).where(
            Notification.id.in_(wanted), Notification.user_id == actor.user_id, Notification.read_at.is_(None))
            .values(read_at=clock.utcnow())).rowcount
        audit.record(session, actor=actor, action="notification_read", entity="notification", entity_id=None,
                     after={"ids": wanted, "marked": count})
    return count


def mark_all_read(engine: Engine, *, actor: Actor) -> int:
    require(actor, "system.signed_in")
    with transaction(engine) as session:
        count = session.execute(update(Notification).where(
            Notification.user_id == actor.user_id, Notification.read_at.is_(None)).values(read_at=clock.utcnow())
            ).rowcount
        audit.record(session, actor=actor, action="notification_read_all", entity="notification", entity_id=None,
                     after={"marked": count})
    return count
