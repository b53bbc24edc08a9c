"""Making the day's notifications: every source of db.reminders.sources read as of today, and what is new stored
in one transaction. Idempotent: a notification's key (user, kind, entity, occurrence) is unique and inserted with
ON CONFLICT DO NOTHING, so a second run, or two at once, make nothing twice. `python -m db.reminders` (the
systemd timer) runs it whenever asked; the first page view of a day runs it once (once_a_day: it claims the day's
reminder_run row in the same transaction, so other instances and later views only read that row)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import clock
from db.engine import transaction
from db.models.reminders import Notification, ReminderRun
from db.reminders import sources
from db.reminders.rules import Due

KEY = ["user_id", "kind", "entity", "entity_id", "period"]


def _insert(session: Session, table):
    """The dialect's INSERT, which has on_conflict_do_nothing."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def collect(engine: Engine, today: date) -> list[Due]:
    """What every source calls for today, one per key, in key order (so concurrent runs insert in one order)."""
    found: dict[tuple, Due] = {}
    for source in sources.SOURCES:
        for due in source(engine, today):
            found.setdefault(due.key, due)
    return [found[key] for key in sorted(found)]


def store(session: Session, due: list[Due], today: date) -> int:
    """Insert the notifications not made before and mark the day run; returns how many are new."""
    now = clock.utcnow()
    session.execute(_insert(session, ReminderRun).values(day=today, started_at=now, made=0)
                    .on_conflict_do_nothing(index_elements=["day"]))
    rows = [{"user_id": d.user_id, "kind": d.kind, "entity": d.entity, "entity_id": d.entity_id, "period": d.period,
             "due_on": d.due_on, "params": json.dumps(d.params, ensure_ascii=False, default=str), "created_at": now}
            for d in due]
    made = 0
    if rows:
        result = session.execute(_insert(session, Notification).on_conflict_do_nothing(index_elements=KEY)
                                 .returning(Notification.id), rows)
        made = len(result.all())
    session.execute(update(ReminderRun).where(ReminderRun.day == today).values(made=ReminderRun.made + made))
    return made


def ran(engine: Engine, today: date) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(ReminderRun.day).where(ReminderRun.day == today)).first() is not None


def make(engine: Engine, *, today: date | None = None, once_a_day: bool = False) -> int | None:
    """Make what is due today; returns how many notifications are new, or None when once_a_day found the day
    already run (by this or another instance)."""
    today = today or clock.today()
    if once_a_day and ran(engine, today):
        return None
    due = collect(engine, today)
    with transaction(engine) as session:
        if once_a_day:
            claimed = session.execute(_insert(session, ReminderRun).values(day=today, started_at=clock.utcnow(),
                                                                           made=0)
                                      .on_conflict_do_nothing(index_elements=["day"]).returning(ReminderRun.day)).first()
            if claimed is None:  # another instance claimed it between our check and now
                return None
        return store(session, due, today)
