"""公示异议处理 (admin answers, leader reads): a published campaign's objections with their grounds (as text), the
answer form (upheld or dismissed with reasons; upheld, it may void the case's result, and the ranking is then
recomputed and republished), the cases voided, and the list as Excel/CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import lang, t
from components.voting import data as voting_data
from components.voting import objections_data
from components.voting.objections_public import instant
from components.writes import attempt, show_flash
from db import clock
from db.access import Actor
from db.voting import objections, rules

FLASH = "obj_staff_flash"
HEADINGS = {"id": "obj.col.id", "title": "obj.col.title", "filed": "obj.col.filed_at", "grounds": "obj.col.grounds",
            "state_label": "obj.col.state", "answer": "obj.col.answer", "answered": "obj.col.answered_at",
            "voided_label": "obj.col.voided_case"}
VOIDED_HEADINGS = {"title": "obj.col.title", "organization": "obj.col.organization",
                   "void_reason": "obj.col.void_reason", "voided": "obj.col.voided_at"}


def _shown(frame: pd.DataFrame, lg: str) -> pd.DataFrame:
    yes, no = t("common.yes"), t("common.no")
    return frame.assign(
        filed=[formatting.minute(instant(v), lg) for v in frame["filed_at"]],
        answered=[formatting.minute(instant(v), lg) if pd.notna(v) else "—" for v in frame["answered_at"]],
        state_label=[t(f"obj.decision.{s}") for s in frame["state"]],
        answer=frame["answer"].fillna(""),
        voided_label=[yes if v else no for v in frame["voided_case"]])


def render(actor: Actor) -> None:
    st.title(t("obj.page.staff"))
    st.caption(t("obj.staff.caption"))
    show_flash(FLASH)
    url, lg = store.url(), lang()
    frame = voting_data.campaigns(url, actor)
    frame = frame[frame["status"] == "published"]
    if frame.empty:
        st.info(t("obj.staff.none"))
        return
    pending = objections_data.pending_counts(url, actor)
    labels = {int(r.id): r.title + (f" · {t('obj.staff.pending', n=pending[int(r.id)])}" if pending.get(int(r.id)) else "")
              for r in frame.itertuples()}
    ids = list(labels)
    requested = url_state.get("c")
    start = ids.index(int(requested)) if requested and requested.isdigit() and int(requested) in labels else 0
    campaign_id = st.selectbox(t("obj.staff.pick"), ids, index=start, format_func=labels.get,
                               key=f"obj_staff_campaign_{ids[start]}", placeholder=t("common.choose"))
    url_state.write("c", str(campaign_id))
    until = frame.loc[frame["id"] == campaign_id, "notice_until"].iloc[0]
    until = until if until is not None and pd.notna(until) else None
    running = rules.notice_running("published", until, clock.today())
    st.caption(t("obj.staff.notice", until=formatting.day(until, lg),
                 state=t("obj.staff.running" if running else "obj.staff.over")))
    if not actor.may("voting.manage"):
        st.caption(t("obj.staff.read_only"))
    rows = objections_data.staff_objections(url, actor, campaign_id)
    if rows.empty:
        st.info(t("obj.staff.no_objections"))
    else:
        table = tables.labelled(_shown(rows, lg), HEADINGS)
        st.dataframe(table, hide_index=True, width="stretch")
        tables.downloads(table, name=t("obj.staff.excel_name"), key="obj_staff")
    voided = objections_data.voided_cases(url, actor, campaign_id)
    if not voided.empty:
        st.subheader(t("obj.staff.voided_title"), anchor=False)
        voided = voided.assign(voided=[formatting.minute(instant(v), lg) for v in voided["voided_at"]])
        st.dataframe(tables.labelled(voided, VOIDED_HEADINGS), hide_index=True, width="stretch")
    if actor.may("voting.manage"):
        _answer_form(actor, rows[rows["state"] == "pending"])


def _answer_form(actor: Actor, pending: pd.DataFrame) -> None:
    if pending.empty:
        return
    st.subheader(t("obj.staff.answer_title"), anchor=False)
    choices = {int(r.id): f"{int(r.id)} · {r.title}" for r in pending.itertuples()}
    objection_id = st.selectbox(t("obj.staff.pick_objection"), list(choices), format_func=choices.get,
                                key="obj_answer_pick", placeholder=t("common.choose"))
    st.caption(t("obj.field.grounds"))
    st.text(pending.loc[pending["id"] == objection_id, "grounds"].iloc[0])
    decisions = {d: t(f"obj.decision.{d}") for d in rules.DECISIONS}
    with st.form("obj_answer_form"):
        decision = st.radio(t("obj.field.decision"), list(decisions), format_func=decisions.get, horizontal=True,
                            key="obj_answer_decision")
        answer = st.text_area(t("obj.field.answer"), max_chars=rules.ANSWER_LENGTH[1], key="obj_answer_text")
        void_case = st.checkbox(t("obj.field.void_case"), help=t("obj.staff.void_hint"), key="obj_answer_void")
        void_reason = st.text_input(t("obj.field.void_reason"), max_chars=200, key="obj_answer_void_reason")
        submitted = st.form_submit_button(t("obj.staff.answer_button"), type="primary")
    if not submitted:
        return
    data = {"decision": decision, "answer": answer, "void_case": void_case, "void_reason": void_reason}
    attempt(lambda: objections.answer_objection(store.engine(), actor=actor, objection_id=objection_id, data=data),
            area="voting" if void_case else "voting.objections", flash_key=FLASH, field_prefix="obj.field.",
            done=lambda result: t("obj.staff.answered_void" if result["voided"] else "obj.staff.answered"))
