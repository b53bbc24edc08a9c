"""The day's reminders from the app itself, and the menu's bell. The shell calls `run_once_today` on every staff
page view: a session checks once a day (session state remembers the day it checked), and the database says
whether any instance ran today already (one reminder_run row per day), so a view after the first costs at
most one indexed read. `python -m db.reminders` (the systemd timer) does the same run whether or not it ran."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.engine import Engine

from db import clock
from db.access import Actor
from db.errors import DomainError
from db.reminders import daily, inbox

_CHECKED = "_reminders_checked_on"
log = logging.getLogger(__name__)


def run_once_today(engine: Engine) -> None:
    """Make today's notifications if no one has yet; a database that cannot take writes is left to the timer."""
    today = clock.today()
    if st.session_state.get(_CHECKED) == today:
        return
    st.session_state[_CHECKED] = today
    try:
        daily.make(engine, today=today, once_a_day=True)
    except DomainError as err:  # read-only or full storage: the page still shows, the run waits for the timer
        log.warning("reminders not made on first view: %s", err.code)


def unread(engine: Engine, actor: Actor) -> int:
    """The signed-in user's unread notifications, for the bell (read on every run: new ones show at once)."""
    return inbox.unread_count(engine, actor=actor)
