"""The audit-log page: filters by who, what and when; the rows as text; downloads."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache

import pandas as pd
import streamlit as st

from components import formatting, store, tables
from components.caching import cached
from components.i18n import lang, t
from components.texts import CATALOG, translate
from db import audit, clock
from db.access import Actor

LIMIT = 500
HEADINGS = {"when": "audit.col.at", "username": "audit.col.username", "action_label": "audit.col.action",
            "entity_label": "audit.col.entity", "entity_id": "audit.col.entity_id", "change": "audit.col.change"}
SHORT = 40  # a value longer than this is cut in the change column (the download keeps the stored JSON too)
RECENT_DAYS = 90  # the date filter opens on the last 90 days: an empty range shows an English "yyyy/mm/dd"


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


@lru_cache(maxsize=None)
def field_labels(lg: str) -> dict[str, str]:
    """A stored field's name -> its label in the forms (`<area>.field.<name>`, else a column heading)."""
    found: dict[str, str] = {}
    # the audit area's own words first, then the forms' labels, then the tables' headings
    for rank in (lambda parts: parts[:2] == ["audit", "field"], lambda parts: parts[-2] == "field",
                 lambda parts: parts[-2] == "col"):
        for key in CATALOG:
            parts = key.split(".")
            if len(parts) >= 3 and rank(parts) and parts[-1] not in found:
                found[parts[-1]] = translate(key, lg)
    return found


def entity_label(entity: str | None, lg: str) -> str:
    key = f"entity.{entity}"
    return translate(key, lg) if key in CATALOG else (entity or "—")


def _value(value, lg: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translate("common.yes" if value else "common.no", lg)
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= SHORT else translate("audit.change.items", lg, n=len(value))
    text = str(value)
    return text if len(text) <= SHORT else text[:SHORT] + "…"


def _parsed(stored: str | None):
    if stored is None or (isinstance(stored, float) and stored != stored):
        return None
    try:
        return json.loads(stored)
    except (TypeError, ValueError):
        return stored


def change_text(before: str | None, after: str | None, lg: str) -> str:
    """What a logged write changed, in words: "预算: 20 → 25；状态: 草稿 → 已提交" (field labels, not JSON)."""
    old, new = _parsed(before), _parsed(after)
    labels = field_labels(lg)

    def named(key: str) -> str:
        return labels.get(key, key)

    if not isinstance(old, dict) and not isinstance(new, dict):
        if old is None and new is None:
            return "—"
        return f"{_value(old, lg)} → {_value(new, lg)}" if old is not None else _value(new, lg)
    old, new = old if isinstance(old, dict) else None, new if isinstance(new, dict) else None
    if old is None or new is None:
        fields = "；".join(f"{named(k)}: {_value(v, lg)}" for k, v in (new or old).items())
        return translate("audit.change.created" if old is None else "audit.change.removed", lg, fields=fields)
    parts = [f"{named(k)}: {_value(old.get(k), lg)} → {_value(new.get(k), lg)}"
             for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return "；".join(parts) if parts else translate("audit.change.none", lg)


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
                              format_func=action_labels.get, placeholder=t("common.choose"))
    today = clock.today()
    dates = right.date_input(t("audit.filter_dates"), value=(today - timedelta(days=RECENT_DAYS), today),
                             key="audit_dates", format="YYYY/MM/DD")
    since = dates[0] if len(dates) >= 1 else None
    until = dates[1] if len(dates) == 2 else since
    frame = _rows(url, actor, newest, username or None, action or None, since, until).copy()
    frame["when"] = frame["at"].map(lambda v: formatting.moment(v, lang()))
    frame["action_label"] = frame["action"].map(_action_label)
    lg = lang()
    frame["entity_label"] = frame["entity"].map(lambda e: entity_label(e, lg))
    frame["change"] = [change_text(b, a, lg) for b, a in zip(frame["before"], frame["after"])]
    table = tables.labelled(frame, HEADINGS)
    st.caption(t("common.rows", n=len(table)) + ("  ·  " + t("audit.limit_note", n=LIMIT) if len(table) >= LIMIT else ""))
    st.dataframe(table, hide_index=True, width="stretch")
    tables.downloads(table, name=t("audit.title"), key="audit")
