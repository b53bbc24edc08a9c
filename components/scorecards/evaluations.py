"""The admin's evaluations page: progress of every panel (not started / draft / submitted / recused,
overdue), a new evaluation, and for the chosen one (?evaluation=) its panel, assignments, reopening a
submitted scorecard with a reason, the report text, the result and the two files. A bare link shows the
latest year (?year=all for every year), the table its first rows, the downloads all of them."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import lang, t
from components.safe_text import md_escape
from components.scorecards import data as eval_data
from components.scorecards import picks as eval_picks
from components.scorecards.detail import evaluation_detail
from components.writes import attempt, show_flash
from db import clock
from db.access import Actor
from db.scorecards import evaluations, rules
from db.validation import latest_due

FLASH = "ev_flash"
ALL = "all"  # the "全部" choice (a None value would show the empty placeholder)
FILTERS = (("ev_round", "round"), ("ev_status", "status"), ("ev_overdue", "overdue"))
PROGRESS_HEADINGS = {"project_code": "eval.col.project_code", "project_title": "eval.col.project",
                     "round_label": "eval.col.round", "agency": "eval.col.agency", "due": "eval.col.due_on",
                     "status_label": "eval.col.status", "not_started": "eval.astatus.not_started",
                     "draft": "eval.astatus.draft", "submitted": "eval.astatus.submitted",
                     "recused": "eval.astatus.recused", "late": "eval.col.overdue"}
PANEL_HEADINGS = {"evaluator_name": "eval.col.evaluator", "status_label": "eval.col.status",
                  "declared": "eval.col.declared", "conflict_note": "eval.col.conflict_note",
                  "total_text": "eval.col.total", "submitted": "eval.col.submitted_at",
                  "reopened_reason": "eval.col.reopened_reason", "source": "eval.col.source"}


def _show(evaluation_id: int) -> None:
    """After creating an evaluation the page opens it (its id in the URL, the pick follows the URL)."""
    url_state.write("evaluation", evaluation_id)
    st.session_state.pop("ev_pick", None)


def _publish() -> None:
    """A filter change writes every filter to the URL, so the link holds exactly the view (a bare link
    means the latest year; "all" years has to be said)."""
    for key, param in FILTERS:
        url_state.write(param, st.session_state.get(key), empty=(*url_state.EMPTY, ALL))
    url_state.write("year", st.session_state["ev_year"])


def _adopt_url(years: list[int], choices: dict[str, dict]) -> None:
    default = eval_picks.default_year(years)
    raw = url_state.get("year")
    st.session_state["ev_year"] = default if default is not None else next((y for y in years if str(y) == raw), ALL)
    for key, param in FILTERS[:2]:
        raw = url_state.get(param)
        st.session_state[key] = raw if raw in choices[key] else ALL
    st.session_state["ev_overdue"] = url_state.get("overdue") == "1"


def render(actor: Actor) -> None:
    lg = lang()
    st.title(t("eval.admin.title"))
    st.caption(t("eval.admin.caption"))
    show_flash(FLASH)
    years = eval_data.result_options(store.url(), actor)["years"]
    round_names = {r: t(f"eval.round.{r}") for r in rules.ROUNDS}
    choices = {"ev_year": {ALL: t("common.all"), **{y: str(y) for y in years}},
               "ev_round": {ALL: t("common.all"), **round_names},
               "ev_status": {ALL: t("common.all"), **{s: t(f"eval.status.{s}") for s in rules.EVALUATION_STATUSES}}}
    _adopt_url(years, choices)
    columns = st.columns(4, vertical_alignment="bottom")
    for column, (key, label) in zip(columns, (("ev_year", "eval.filter.year"), ("ev_round", "eval.col.round"),
                                              ("ev_status", "eval.col.status"))):
        column.selectbox(t(label), list(choices[key]), format_func=choices[key].get, key=key, on_change=_publish,
                         placeholder=t("common.choose"))
    columns[3].checkbox(t("eval.admin.overdue_only"), key="ev_overdue", on_change=_publish)
    chosen = {key: None if st.session_state[key] == ALL else st.session_state[key]
              for key in ("ev_year", "ev_round", "ev_status")}
    frame = eval_data.progress(store.url(), actor, chosen["ev_round"], chosen["ev_status"],
                               st.session_state["ev_overdue"], clock.today(), chosen["ev_year"])
    items = [("eval.admin.metric.open", int((frame["status"] == "open").sum())),
             ("eval.admin.metric.overdue", int(frame["overdue"].sum())),
             ("eval.admin.metric.not_started", int(frame["not_started"].sum())),
             ("eval.admin.metric.draft", int(frame["draft"].sum())),
             ("eval.admin.metric.recused", int(frame["recused"].sum()))]
    for column, (key, value) in zip(st.columns(len(items)), items):
        column.metric(t(key), formatting.number(value, lg))
    found = eval_picks.matching(frame, eval_picks.search_box("ev_search"), ("project_code", "project_title"))
    visible = eval_picks.first_rows(found, lg)
    names = {**choices["ev_round"], **choices["ev_status"]}
    st.dataframe(_progress_table(visible, names, lg), hide_index=True, width="stretch", height=300)
    tables.downloads(lambda: _progress_table(found, names, lg), name=t("eval.admin.title"), key="ev_list")
    chosen_tab, new_tab = st.tabs([t("eval.admin.tab.chosen"), t("eval.admin.tab.new")], key="ev_tab",
                                  on_change="rerun")
    if chosen_tab.open:
        with chosen_tab:
            _chosen(actor, eval_picks.labels_of(visible, round_names), round_names, lg)
    if new_tab.open:
        with new_tab:
            _create(actor)


def _progress_table(frame: pd.DataFrame, names: dict[str, str], lg: str) -> pd.DataFrame:
    shown = frame.assign(round_label=frame["round"].map(names), status_label=frame["status"].map(names),
                         due=frame["due_on"].map(lambda d: formatting.day(d, lg)),
                         late=frame["overdue"].map({True: t("common.yes"), False: ""}))
    return tables.labelled(shown, PROGRESS_HEADINGS)


def _chosen(actor: Actor, labels: dict[int, str], round_names: dict[str, str], lg: str) -> None:
    evaluation_id = eval_picks.evaluation_pick(actor, "ev_pick", labels, round_names, caption=t("eval.admin.pick"),
                                               on_change=url_state.from_widget,
                                               args=("ev_pick", "evaluation", (*url_state.EMPTY, ALL)))
    if evaluation_id is None:
        return
    detail = eval_data.evaluation_detail(store.url(), actor, int(evaluation_id))
    panel = detail["panel"]
    st.markdown(f"#### {t('eval.admin.panel')}")
    if panel.empty:
        st.info(t("eval.admin.no_panel"))
    else:
        shown = panel.assign(
            conflict_note=panel["conflict_note"].fillna(""), reopened_reason=panel["reopened_reason"].fillna(""),
            status_label=panel["status"].map(lambda s: t(f"eval.astatus.{s}")),
            declared=panel["coi_declared_at"].map(lambda v: formatting.moment(v, lg) if pd.notna(v) else "—"),
            total_text=panel["total"].map(lambda v: formatting.number(v, lg, 1) if pd.notna(v) else "—"),
            submitted=panel["submitted_at"].map(lambda v: formatting.moment(v, lg) if pd.notna(v) else "—"),
            source=[t("eval.source.draw", id=int(d)) if pd.notna(d) else t("eval.source.hand", reason=r or "")
                    for d, r in zip(panel["draw_id"], panel["assigned_reason"])])
        st.dataframe(tables.labelled(shown, PANEL_HEADINGS), hide_index=True, width="stretch", key="ev_panel")
    _panel_actions(actor, int(evaluation_id), int(detail["evaluation"].project_id), panel)
    _report_text(actor, detail["evaluation"])
    st.divider()
    evaluation_detail(actor, int(evaluation_id), lg)


def _panel_actions(actor: Actor, evaluation_id: int, project_id: int, panel: pd.DataFrame) -> None:
    engine = store.engine()
    people = evaluations.evaluators(engine, actor=actor, project_id=project_id)  # only those covering it
    free = people[~people["id"].isin(panel["evaluator_id"])]
    names = {int(r.id): r.display_name for r in free.itertuples()}
    st.page_link("pages/supervisor_draws.py", label=t("sup.draw.from_pool"), icon=":material/casino:",
                 query_params={"evaluation": str(evaluation_id)})
    add, remove, reopen = st.columns(3)
    with add:
        chosen = st.multiselect(t("eval.admin.assign"), list(names), format_func=names.get, key="ev_assign",
                                placeholder=t("eval.admin.assign_hint"))
        reason = st.text_input(t("eval.field.assign_reason"), key="ev_assign_reason", max_chars=200,
                               placeholder=t("eval.admin.assign_reason_hint"))
        if st.button(t("eval.admin.assign_button"), key="ev_assign_btn", disabled=not chosen):
            _act(lambda: evaluations.assign(engine, actor=actor, evaluation_id=evaluation_id, evaluator_ids=chosen,
                                            reason=reason),
                 t("eval.admin.assigned", n=len(chosen)))
    removable = panel[panel["status"].isin(["not_started", "recused"])]
    with remove:
        options = {int(r.id): r.evaluator_name for r in removable.itertuples()}
        pick = st.selectbox(t("eval.admin.remove"), list(options), format_func=options.get, key="ev_remove",
                            index=None, placeholder=t("eval.admin.remove_hint"))
        if st.button(t("eval.admin.remove_button"), key="ev_remove_btn", disabled=pick is None):
            _act(lambda: evaluations.remove_assignment(engine, actor=actor, assignment_id=pick),
                 t("eval.admin.removed"))
    submitted = panel[panel["status"] == "submitted"]
    with reopen:
        options = {int(r.id): r.evaluator_name for r in submitted.itertuples()}
        pick_reopen = st.selectbox(t("eval.admin.reopen"), list(options), format_func=options.get, key="ev_reopen",
                                   index=None, placeholder=t("eval.admin.reopen_hint"))
        why = st.text_input(t("eval.field.reason"), key="ev_reopen_reason", max_chars=500)
        if st.button(t("eval.admin.reopen_button"), key="ev_reopen_btn", disabled=pick_reopen is None):
            _act(lambda: evaluations.reopen(engine, actor=actor, assignment_id=pick_reopen, reason=why),
                 t("eval.admin.reopened"))


def _act(write, message: str) -> None:
    attempt(write, area="scorecards", flash_key=FLASH, done=message, field_prefix="eval.field.")


def _report_text(actor: Actor, evaluation) -> None:
    with st.expander(t("eval.admin.report_text")), st.form(f"ev_report_{evaluation.id}"):
        values = {key: st.text_area(t(f"eval.field.{key}"), value=getattr(evaluation, key), max_chars=4000,
                                    key=f"ev_report_{key}_{evaluation.id}", height=110)
                  for key in ("summary", "conclusion", "findings", "recommendations")}
        st.caption(t("eval.admin.findings_hint"))
        if st.form_submit_button(t("common.save"), type="primary"):
            _act(lambda: evaluations.update_report(store.engine(), actor=actor, evaluation_id=evaluation.id,
                                                   data=values), t("eval.admin.report_saved"))


def _create(actor: Actor) -> None:
    engine = store.engine()
    # a city has 30,000 projects: the pick offers the first matches of a search, not all of them
    projects = eval_picks.matching(eval_data.project_options(store.url(), actor),
                                   eval_picks.search_box("ev_new_search"), ("code", "title"))
    if len(projects) > eval_picks.LIMIT:
        st.caption(t("eval.admin.project_matches", shown=formatting.number(eval_picks.LIMIT, lang()),
                     total=formatting.number(len(projects), lang())))
    project_names = {int(r.id): f"{r.code} · {r.title}" for r in projects.head(eval_picks.LIMIT).itertuples()}
    project_id = st.selectbox(t("eval.field.project_id"), list(project_names), format_func=project_names.get,
                              key="ev_new_project", index=None, placeholder=t("eval.admin.project_hint"))
    rounds = {r: t(f"eval.round.{r}") for r in rules.ROUNDS}
    round_ = st.radio(t("eval.col.round"), list(rounds), format_func=rounds.get, key="ev_new_round", horizontal=True,
                      index=2)
    templates = eval_data.templates(store.url(), actor)
    usable = templates[(templates["round"] == round_) & templates["latest"]]
    template_names = {int(r.id): f"{r.name if lang() == 'zh' else r.name_en} v{r.version}" for r in usable.itertuples()}
    template_id = st.selectbox(t("eval.field.template_id"), list(template_names), format_func=template_names.get,
                               key="ev_new_template", placeholder=t("eval.admin.template_hint"))
    known = eval_data.result_options(store.url(), actor)["agencies"]
    agency = st.selectbox(t("eval.field.agency"), known, key="ev_new_agency", accept_new_options=True,
                          placeholder=t("eval.admin.agency_hint"))
    due_on = st.date_input(t("eval.field.due_on"), value=clock.today() + timedelta(days=30), min_value=clock.today(),
                           max_value=latest_due(), key="ev_new_due")
    # offer only evaluators whose scope covers the chosen project (the db refuses the others anyway)
    people = evaluations.evaluators(engine, actor=actor, project_id=project_id)
    names = {int(r.id): r.display_name for r in people.itertuples()}
    chosen = st.multiselect(t("eval.field.evaluator_ids"), list(names), format_func=names.get, key="ev_new_evaluators",
                            placeholder=t("eval.admin.assign_hint"), help=t("eval.admin.create_draw_help"))
    reason = st.text_input(t("eval.field.assign_reason"), key="ev_new_reason", max_chars=200,
                           placeholder=t("eval.admin.assign_reason_hint"), disabled=not chosen)
    if st.button(t("eval.admin.create"), key="ev_new_btn", type="primary"):
        if project_id is None:
            st.error(t("rule.required", field=t("eval.field.project_id")))
            return
        data = {"project_id": project_id, "template_id": template_id, "agency": agency, "due_on": due_on,
                "evaluator_ids": chosen, "assign_reason": reason if chosen else None}
        attempt(lambda: evaluations.create_evaluation(engine, actor=actor, data=data), area="scorecards",
                flash_key=FLASH, field_prefix="eval.field.", before_rerun=lambda created: _show(created.id),
                done=lambda created: t("eval.admin.created", project=md_escape(created.project_code)))
