"""The evaluator's page: their own assignments with due dates, then for the one chosen (?assignment=) the
conflict-of-interest declaration first and the scorecard after it."""

from __future__ import annotations

import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import error_text, lang, t
from components.safe_text import md_escape
from components.scorecards import data as eval_data
from components.scorecards import scorecard_form
from components.writes import attempt, show_flash
from db import clock
from db.access import Actor
from db.errors import DomainError
from db.scorecards import entry as scorecard_entry
from db.scorecards.entry import ScorecardPublic

LIST_HEADINGS = {"project_code": "eval.col.project_code", "project_title": "eval.col.project",
                 "round_label": "eval.col.round",
                 "agency": "eval.col.agency", "due": "eval.col.due_on", "status_label": "eval.col.status",
                 "late": "eval.col.overdue"}
PICK_KEY = "my_assignment"


def render(actor: Actor) -> None:
    lg = lang()
    st.title(t("eval.mine.title"))
    st.caption(t("eval.mine.caption"))
    mine = eval_data.my_assignments(store.url(), actor, clock.today())
    if mine.empty:
        st.info(t("eval.mine.none"))
        return
    open_ = mine[mine["status"].isin(["not_started", "draft"])]
    columns = st.columns(3)
    columns[0].metric(t("eval.mine.open"), formatting.number(len(open_), lg))
    columns[1].metric(t("eval.mine.overdue"), formatting.number(int(mine["overdue"].sum()), lg))
    columns[2].metric(t("eval.mine.submitted"), formatting.number(int((mine["status"] == "submitted").sum()), lg))
    shown = mine.assign(
        round_label=mine["round"].map(lambda r: t(f"eval.round.{r}")),
        due=mine["due_on"].map(lambda d: formatting.day(d, lg)),
        status_label=mine["status"].map(lambda s: t(f"eval.astatus.{s}")),
        late=mine["overdue"].map(lambda v: t("common.yes") if v else ""))
    st.dataframe(tables.labelled(shown, LIST_HEADINGS), hide_index=True, width="stretch", height=260)

    ids = [int(i) for i in mine["id"]]
    labels = {int(row.id): f"{row.project_code} · {row.project_title} · {t(f'eval.round.{row.round}')} · "
                           f"{t(f'eval.astatus.{row.status}')}" for row in mine.itertuples()}
    wanted = url_state.read("assignment", labels)
    current = wanted if wanted is not None else st.session_state.get(PICK_KEY)
    if current not in labels:
        current = int(open_["id"].iloc[0]) if not open_.empty else ids[0]
    # set on every run, not only when it changes: a label changed by its status alone (草稿 → 已提交) is
    # otherwise left as it was in the browser (streamlit/streamlit#13788); a value set from code is redrawn
    st.session_state[PICK_KEY] = current
    st.selectbox(t("eval.mine.pick"), ids, format_func=labels.get, key=PICK_KEY,
                 on_change=url_state.from_widget, args=(PICK_KEY, "assignment"), placeholder=t("common.choose"))
    try:
        card = eval_data.scorecard(store.url(), actor, int(st.session_state[PICK_KEY]))
    except DomainError as err:
        st.error(error_text(err, "eval.field."))
        return
    _header(card, lg)
    show_flash(scorecard_form.FLASH_KEY)
    if card.coi_declared_at is None:
        _declaration(actor, card)
    elif card.conflict:
        st.info(t("eval.mine.recused"))
    else:
        scorecard_form.render(actor, card)


def _header(card: ScorecardPublic, lg: str) -> None:
    st.markdown(f"### {md_escape(card.project_title)}")
    st.caption(" · ".join([md_escape(card.project_code), t(f"eval.round.{card.round}"), md_escape(card.agency),
                           md_escape(card.template.name if lg == "zh" else card.template.name_en),
                           t("eval.mine.due", due=formatting.day(card.due_on, lg))]))
    if card.status in ("not_started", "draft") and card.due_on < clock.today():
        st.warning(t("eval.mine.late", due=formatting.day(card.due_on, lg)))


def _declaration(actor: Actor, card: ScorecardPublic) -> None:
    """No score before the declaration: a conflict recuses the evaluator and the admin sees it."""
    st.markdown(f"#### {t('eval.coi.title')}")
    st.caption(t("eval.coi.explain"))
    options = {"none": t("eval.coi.none"), "conflict": t("eval.coi.conflict")}
    choice = st.radio(t("eval.coi.choice"), list(options), format_func=options.get, key="coi_choice", index=None)
    note = st.text_area(t("eval.field.conflict_note"), key="coi_note", max_chars=500,
                        disabled=choice != "conflict", placeholder=t("eval.coi.note_hint"))
    if st.button(t("eval.coi.submit"), key="coi_submit", type="primary", disabled=choice is None):
        attempt(lambda: scorecard_entry.declare(store.engine(), actor=actor, assignment_id=card.assignment_id,
                                                conflict=choice == "conflict",
                                                note=note if choice == "conflict" else None),
                area="scorecards", flash_key=scorecard_form.FLASH_KEY, field_prefix="eval.field.",
                done=t("eval.coi.recorded" if choice == "none" else "eval.coi.recused"))
