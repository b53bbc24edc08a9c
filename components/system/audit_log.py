"""The audit-log page: filters by who, what and when; the rows as text; downloads."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import formatting, store, tables
from components.caching import cached
from components.i18n import lang, t
from db import audit
from db.access import Actor

LIMIT = 500
HEADINGS = {"when": "audit.col.at", "username": "audit.col.username", "action_label": "audit.col.action",
            "entity": "audit.col.entity", "entity_id": "audit.col.entity_id", "before": "audit.col.before",
            "after": "audit.col.after"}


def _action_label(action: str) -> str:
    label = t(f"action.{action}")
    return action if label == f"action.{action}" else label  # areas added later may log new actions


# Every write anywhere adds a row, so these are keyed by the newest row's id (one index lookup per run)
# rather than cleared by the writes: a new row makes a new entry, an unchanged log is read once.
@cached("system.audit", ttl=600, max_entries=32, per_scope=True)
def _actions(url: str, actor: Actor, newest: int) -> list[str]:
    return audit.distinct_actions(store.engine_for(url), actor=actor)


@cached("system.audit", ttl=600, max_entries=32, per_scope=True)
def _rows(url: str, actor: Actor, newest: int, username: str | None, action: str | None, since: date | None,
          until: date | None) -> pd.DataFrame:
    return audit.search(store.engine_for(url), actor=actor, username=username, action=action, since=since,
                        until=until, limit=LIMIT)


def render(actor: Actor) -> None:
    engine, url = store.engine(), store.url()
    st.title(t("audit.title"))
    st.caption(t("audit.caption"))
    newest = audit.latest_id(engine, actor=actor)
    actions = _actions(url, actor, newest)
    left, middle, right = st.columns(3)
    username = left.text_input(t("audit.filter_user"), key="audit_user", max_chars=40)
    action_labels = {"": t("common.all"), **{a: _action_label(a) for a in actions}}
    action = middle.selectbox(t("audit.filter_action"), list(action_labels), key="audit_action",
                              format_func=action_labels.get)
    dates = right.date_input(t("audit.filter_dates"), value=(), key="audit_dates")
    since = dates[0] if len(dates) >= 1 else None
    until = dates[1] if len(dates) == 2 else since
    frame = _rows(url, actor, newest, username or None, action or None, since, until).copy()
    frame["when"] = frame["at"].map(lambda v: formatting.moment(v, lang()))
    frame["action_label"] = frame["action"].map(_action_label)
    table = tables.labelled(frame, HEADINGS)
    st.caption(t("common.rows", n=len(table)) + ("  ·  " + t("audit.limit_note", n=LIMIT) if len(table) >= LIMIT else ""))
    st.dataframe(table, hide_index=True, width="stretch")
    tables.downloads(table, name=t("audit.title"), key="audit")
