"""Rectification (整改): items from evaluations' findings with owner, due date and status; overdue ones first.
A bare link shows the open items (?status=all or closed for the rest) and the table its first rows. Admins
add items from an evaluation's findings and close an item with the evidence; leaders read."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components import empty_states, formatting, store, tables, url_state
from components.i18n import lang, t
from components.scorecards import data as eval_data
from components.scorecards import picks as eval_picks
from components.writes import attempt, show_flash
from db import clock
from db.access import Actor
from db.scorecards import rectifications, rules
from db.scorecards.results import ResultFilter
from db.validation import DATE_MIN, latest_due

FLASH = "rect_flash"
ALL = "all"  # the "全部" choice (a None value would show the empty placeholder)
# the project, then when it is due and how late (what a leader came for), then the finding and the rest
HEADINGS = {"project_title": "eval.col.project", "due": "eval.col.due_on", "status_label": "eval.col.status",
            "late": "eval.col.days_late", "finding": "eval.col.finding", "owner": "eval.col.owner",
            "round_label": "eval.col.round", "closed": "eval.col.closed_on", "project_code": "eval.col.project_code",
            "evidence": "eval.col.evidence"}


def render(actor: Actor) -> None:
    lg = lang()
    today = clock.today()
    st.title(t("eval.rect.title"))
    st.caption(t("eval.rect.caption"))
    show_flash(FLASH)
    if empty_states.nothing_yet(actor, "evaluations"):
        return
    counts = eval_data.rect_counts(store.url(), actor, today)
    for column, key in zip(st.columns(3), ("open", "overdue", "closed")):
        column.metric(t(f"eval.rect.metric.{key}"), formatting.number(counts[key], lg))
    statuses = {ALL: t("common.all"), "open": t("eval.rect.status.open"), "closed": t("eval.rect.status.closed")}
    raw = url_state.get("status", "open")
    st.session_state["rect_status"] = raw if raw in statuses else ALL
    st.session_state["rect_overdue"] = url_state.get("overdue") == "1"
    left, right = st.columns(2)
    left.selectbox(t("eval.col.status"), list(statuses), format_func=statuses.get, key="rect_status",
                   on_change=url_state.from_widget, args=("rect_status", "status"), placeholder=t("common.choose"))
    right.checkbox(t("eval.rect.overdue_only"), key="rect_overdue", on_change=url_state.from_widget,
                   args=("rect_overdue", "overdue"))
    status = None if st.session_state["rect_status"] == ALL else st.session_state["rect_status"]
    items = eval_data.rect_items(store.url(), actor, status, st.session_state["rect_overdue"], today)
    found = eval_picks.matching(items, eval_picks.search_box("rect_search", "eval.rect.search_hint"),
                                ("project_code", "project_title", "finding"))
    visible = eval_picks.first_rows(found, lg)
    if found.empty:
        st.info(t("common.no_rows"))
    else:
        st.dataframe(_table(visible, lg), hide_index=True, width="stretch", height=460)
        tables.downloads(lambda: _table(found, lg), name=t("eval.rect.title"), key="rect_list")
    if actor.role != "admin":
        return
    close_tab, add_tab = st.tabs([t("eval.rect.tab.close"), t("eval.rect.tab.add")], key="rect_tab", on_change="rerun")
    if close_tab.open:
        with close_tab:
            _close(actor, visible)
    if add_tab.open:
        with add_tab:
            _add(actor)


def _table(items: pd.DataFrame, lg: str) -> pd.DataFrame:
    rounds = {r: t(f"eval.round.{r}") for r in rules.ROUNDS}
    statuses = {s: t(f"eval.rect.status.{s}") for s in ("open", "closed", "overdue")}
    shown = items.assign(
        round_label=items["round"].map(rounds),
        due=items["due_on"].map(lambda d: formatting.day(d, lg)),
        status_label=[statuses["overdue" if late else s] for s, late in zip(items["status"], items["overdue"])],
        late=items["days_late"].map(lambda d: formatting.number(d, lg) if d else ""),
        closed=items["closed_on"].map(lambda d: formatting.day(d, lg) if pd.notna(d) else ""),
        evidence=items["evidence"].fillna(""))
    return tables.labelled(shown, HEADINGS)


def _close(actor: Actor, items: pd.DataFrame) -> None:
    """Close one of the open items on screen (the search finds the others)."""
    open_items = items[items["status"] == "open"] if not items.empty else items
    if open_items.empty:
        st.info(t("eval.rect.none_open"))
        return
    labels = {int(r.id): f"{r.project_code} · {r.finding[:40]}" for r in open_items.itertuples()}
    pick = st.selectbox(t("eval.rect.pick"), list(labels), format_func=labels.get, key="rect_pick",
                        placeholder=t("common.choose"))
    evidence = st.text_area(t("eval.field.evidence"), key="rect_evidence", max_chars=1000,
                            placeholder=t("eval.rect.evidence_hint"))
    closed_on = st.date_input(t("eval.field.closed_on"), value=clock.today(), min_value=DATE_MIN,
                              max_value=clock.today(), key="rect_closed_on")
    if st.button(t("eval.rect.close"), key="rect_close_btn", type="primary"):
        attempt(lambda: rectifications.close_item(store.engine(), actor=actor, item_id=pick, evidence=evidence,
                                                  closed_on=closed_on),
                area="scorecards", flash_key=FLASH, done=t("eval.rect.closed"), field_prefix="eval.field.")


def _add(actor: Actor) -> None:
    frame = eval_data.evaluation_list(store.url(), actor, ResultFilter())
    done = frame[frame["status"] == "completed"].iloc[::-1]  # lowest result first: most to rectify
    st.caption(t("eval.rect.evaluation_help"))
    found = eval_picks.matching(done, eval_picks.search_box("rect_eval_search"), ("project_code", "project_title"))
    rounds = {r: t(f"eval.round.{r}") for r in rules.ROUNDS}
    labels = eval_picks.labels_of(found.head(eval_picks.LIMIT), rounds)
    if st.session_state.get("rect_eval") not in labels:
        st.session_state["rect_eval"] = None
    evaluation_id = st.selectbox(t("eval.rect.evaluation"), list(labels), format_func=labels.get, key="rect_eval",
                                 index=None, placeholder=t("eval.results.pick_hint"))
    if evaluation_id is None:
        return
    findings = rectifications.findings_of(store.engine(), actor=actor, evaluation_id=evaluation_id)
    owner = done.loc[done["id"] == evaluation_id, "contractor_name"].iloc[0] or ""
    due = clock.today() + timedelta(days=30)
    start = pd.DataFrame({"finding": findings or [""], "owner": owner, "due_on": due})
    if not findings:
        st.caption(t("eval.rect.no_findings"))
    columns = {"finding": st.column_config.TextColumn(t("eval.col.finding"), max_chars=500, required=True),
               "owner": st.column_config.TextColumn(t("eval.col.owner"), max_chars=80, required=True),
               "due_on": st.column_config.DateColumn(t("eval.col.due_on"), required=True, min_value=clock.today(),
                                                     max_value=latest_due())}
    edited = st.data_editor(start, key=f"rect_rows_{evaluation_id}", num_rows="dynamic", hide_index=True,
                            width="stretch", column_config=columns)
    if st.button(t("eval.rect.create"), key="rect_create_btn", type="primary"):
        rows = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in edited.to_dict("records")]
        attempt(lambda: rectifications.create_items(store.engine(), actor=actor, evaluation_id=evaluation_id,
                                                    items=rows),
                area="scorecards", flash_key=FLASH, done=lambda count: t("eval.rect.created", n=count),
                field_prefix="eval.field.")
