"""The demo's notifications: today's reminders made from the demo data as the daily run makes them (the last part,
once everything they read is loaded), so the inbox and the menu's bell have something to show at first start."""

from __future__ import annotations

from sqlmodel import Session

from db import clock
from db.reminders import daily


def load_reminders(session: Session) -> None:
    # the sources read through their own connections what the earlier parts committed; a read (not BEGIN
    # IMMEDIATE) connection, since this part's transaction already holds SQLite's write lock
    engine = session.get_bind().execution_options(writes=False)
    today = clock.today()
    daily.store(session, daily.collect(engine, today), today)
