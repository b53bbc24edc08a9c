"""Results for leaders and admins: headline figures, each evaluation's scorecards side by side with its
result and grade, grade distributions, the organization league table and evaluator calibration. The
filters and the open evaluation live in the URL (?round=&year=&domain=&street=&grade=&evaluation=); a bare
link opens the latest year with evaluations, and the list shows its first rows (the downloads hold all)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components import charts, empty_states, formatting, store, tables, url_state
from components.i18n import lang, t
from components.pipeline import labels as pipeline_labels
from components.scorecards import data as eval_data
from components.scorecards import picks as eval_picks
from components.scorecards.detail import evaluation_detail
from db import clock
from db.access import Actor
from db.pipeline import rules as pipeline_rules
from db.scorecards import rules
from db.scorecards.results import ResultFilter

GRADE_COLORS = {"excellent": "#2e7d32", "good": "#4f8fc0", "pass": "#f0ad4e", "fail": "#d9534f"}
FILTERS = (("res_round", "round"), ("res_year", "year"), ("res_domain", "domain"), ("res_street", "street"))
# the project, then what a leader came for (the result and the grade), then the rest; the code last
LIST_HEADINGS = {"project_title": "eval.col.project", "result_value": "eval.col.result", "grade_label": "eval.col.grade",
                 "round_label": "eval.col.round", "status_label": "eval.col.status",
                 "street_name": "eval.col.street", "contractor_name": "eval.col.contractor",
                 "scorecards": "eval.col.scorecards", "project_code": "eval.col.project_code"}


ALL = "all"  # the "全部" choice; a None value would show the widget's empty placeholder instead


def _to_url(key: str, param: str) -> None:
    value = st.session_state.get(key)
    if key == "res_year" and value in (None, ALL):
        url_state.write("year", ALL)  # said outright: a link without a year means the latest one
    else:
        url_state.write(param, value, empty=(None, ALL))
    if url_state.get("year") is None and "res_year" in st.session_state:  # the year on screen stays put
        url_state.write("year", st.session_state["res_year"])


def _from_url(key: str, param: str, options: list) -> None:
    found = url_state.read(param, [o for o in options if o != ALL])
    if found is not None:
        st.session_state[key] = found
    elif url_state.get(param) in (None, ALL) or st.session_state.get(key) not in options:
        st.session_state[key] = ALL


def _filters(actor: Actor) -> ResultFilter:
    options = eval_data.result_options(store.url(), actor)
    lg = lang()
    every = {ALL: t("common.all")}
    choices = {
        "res_round": ([ALL, *rules.ROUNDS], {**every, **{r: t(f"eval.round.{r}") for r in rules.ROUNDS}}),
        "res_year": ([ALL, *options["years"]], {**every, **{y: str(y) for y in options["years"]}}),
        "res_domain": ([ALL, *pipeline_rules.DOMAINS], {**every, **pipeline_labels.domain_options(lg)}),
        "res_street": ([ALL, *options["streets"]], {**every, **options["streets"]}),
    }
    labels = {"res_round": "eval.col.round", "res_year": "eval.filter.year", "res_domain": "eval.filter.domain",
              "res_street": "eval.col.street"}
    latest = eval_picks.default_year(options["years"])
    for column, (key, param) in zip(st.columns(4), FILTERS):
        values, names = choices[key]
        if key == "res_year" and latest is not None:
            st.session_state[key] = latest
        else:
            _from_url(key, param, values)
        column.selectbox(t(labels[key]), values, format_func=names.get, key=key, on_change=_to_url, args=(key, param),
                         placeholder=t("common.choose"))
    value = {key: (None if st.session_state[key] == ALL else st.session_state[key]) for key, _ in FILTERS}
    return ResultFilter(round=value["res_round"], year=value["res_year"], domain=value["res_domain"],
                        street_id=value["res_street"])


def render(actor: Actor) -> None:
    lg = lang()
    st.title(t("eval.results.title"))
    st.caption(t("eval.results.caption"))
    if empty_states.nothing_yet(actor, "evaluations"):
        return
    filters = _filters(actor)
    summary = eval_data.summary(store.url(), actor, filters, clock.today())
    items = [("eval.metric.evaluations", formatting.number(summary.evaluations, lg)),
             ("eval.metric.completed", formatting.number(summary.completed, lg)),
             ("eval.metric.mean_result", formatting.number(summary.mean_result, lg, 1))]
    items += [(f"eval.grade.{g}", formatting.number(n, lg)) for g, n in summary.grades.items()]
    for column, (key, value) in zip(st.columns(len(items)), items):
        column.metric(t(key), value)
    # lazy tabs: only the open one runs, so each view costs its own queries and charts only; each is a fragment,
    # so its own widgets (grade, search, the evaluation picked, the grouping, the least evaluations) rerun that
    # tab alone, not the figures above or the filters' reads; a write inside it reruns the whole page
    tabs = st.tabs([t("eval.results.tab.list"), t("eval.results.tab.distribution"), t("eval.results.tab.league"),
                    t("eval.results.tab.calibration")], key="res_tab", on_change="rerun")
    for tab, section in zip(tabs, (_evaluations, _distribution, _league, _calibration)):
        if tab.open:
            with tab:
                section(actor, filters, lg)


def _labels() -> dict[str, dict]:
    """Coded values to words, built once per run (a t() call per row costs more than the query)."""
    return {"round": {r: t(f"eval.round.{r}") for r in rules.ROUNDS},
            "status": {s: t(f"eval.status.{s}") for s in rules.EVALUATION_STATUSES},
            "grade": {g: t(f"eval.grade.{g}") for g in rules.grades()}}


@st.fragment
def _evaluations(actor: Actor, filters: ResultFilter, lg: str) -> None:
    url = store.url()
    grades = {ALL: t("common.all"), **{g: t(f"eval.grade.{g}") for g in rules.grades()}}
    _from_url("res_grade", "grade", list(grades))  # ?grade=fail: the overview's failed-evaluation links
    st.selectbox(t("eval.filter.grade"), list(grades), format_func=grades.get, key="res_grade",
                 on_change=_to_url, args=("res_grade", "grade"), placeholder=t("common.choose"))
    grade = None if st.session_state["res_grade"] == ALL else st.session_state["res_grade"]
    search = eval_picks.search_box("res_search") or None
    # only the rows shown are read (a city's 27,000 evaluations were read to show 200); the download reads all
    total = eval_data.evaluation_count(url, actor, filters, grade, search)
    names = _labels()
    visible = eval_data.evaluation_list(url, actor, filters, grade, search, eval_picks.LIMIT)
    if total > eval_picks.LIMIT:
        st.caption(t("eval.first_rows", shown=formatting.number(eval_picks.LIMIT, lg),
                     total=formatting.number(total, lg)))
    if not total:
        st.info(t("common.no_rows"))
    else:
        st.dataframe(_list_table(visible, names), hide_index=True, width="stretch", height=460,
                     column_config={t("eval.col.result"): st.column_config.NumberColumn(format="%.1f")})
        tables.downloads(lambda: _list_table(eval_data.evaluation_list(url, actor, filters, grade, search), names),
                         name=t("eval.results.title"), key="res_list")
    chosen = eval_picks.evaluation_pick(actor, "res_eval", eval_picks.labels_of(visible, names["round"]),
                                        names["round"], caption=t("eval.results.pick"), on_change=_to_url,
                                        args=("res_eval", "evaluation"))
    if chosen is not None:
        evaluation_detail(actor, int(chosen), lg)


def _list_table(frame: pd.DataFrame, names: dict[str, dict]) -> pd.DataFrame:
    shown = frame.assign(round_label=frame["round"].map(names["round"]),
                         status_label=frame["status"].map(names["status"]),
                         result_value=frame["result"].astype(float).round(1),
                         grade_label=frame["grade"].map(names["grade"]).fillna("—"))
    return tables.labelled(shown, LIST_HEADINGS)


def grade_bars(frame: pd.DataFrame, *, title: str, label_title: str, count_title: str, grade_title: str,
               grade_names: dict[str, str]) -> alt.Chart:
    """Horizontal stacked bars of evaluations per grade for each row label (readable Chinese names)."""
    order = [grade_names[g] for g in rules.grades()]
    rank = {g: i for i, g in enumerate(rules.grades())}
    data = frame.assign(grade_name=frame["grade"].map(grade_names), grade_rank=frame["grade"].map(rank))
    height = charts.rows_height(data["label"].nunique(), minimum=160)
    return charts.finish(alt.Chart(data, title=charts.heading(title), height=height)
            .mark_bar()
            .encode(x=alt.X("count:Q", title=count_title, stack="zero"),
                    y=alt.Y("label:N", title=None, sort="-x", axis=charts.category_axis()),
                    color=alt.Color("grade_name:N", title=grade_title, sort=order,
                                    scale=alt.Scale(domain=order, range=[GRADE_COLORS[g] for g in rules.grades()])),
                    order=alt.Order("grade_rank:Q"),
                    tooltip=[alt.Tooltip("label:N", title=label_title), alt.Tooltip("grade_name:N", title=grade_title),
                             alt.Tooltip("count:Q", title=count_title)]))


@st.fragment
def _distribution(actor: Actor, filters: ResultFilter, lg: str) -> None:
    options = {"domain": t("eval.filter.domain"), "street": t("eval.col.street"),
               "contractor": t("eval.col.contractor")}
    by = st.radio(t("eval.results.by"), list(options), format_func=options.get, key="res_by", horizontal=True)
    frame = eval_data.distribution(store.url(), actor, by, filters)
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    if by == "domain":
        frame = frame.assign(label=frame["key"].map(lambda d: pipeline_labels.domain(d, lg)))
    if by == "contractor":  # the thirty organizations with most evaluations keep the chart readable
        top = frame.groupby("label")["count"].sum().nlargest(30).index
        frame = frame[frame["label"].isin(top)]
        st.caption(t("eval.results.top_contractors", n=len(top)))
    grade_names = {g: t(f"eval.grade.{g}") for g in rules.grades()}
    chart = grade_bars(frame, title=t("eval.results.distribution_title", by=options[by]), label_title=options[by],
                       count_title=t("eval.col.evaluations"), grade_title=t("eval.col.grade"), grade_names=grade_names)
    # an explicit element height: inside a tab the "content" height is measured while hidden, as zero
    st.altair_chart(chart, width="stretch", height=chart.height + 90)
    wide = frame.pivot_table(index="label", columns="grade", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(rules.grades()), fill_value=0).rename(columns=grade_names)
    wide.index.name = options[by]
    st.dataframe(wide.reset_index(), hide_index=True, width="stretch")


@st.fragment
def _league(actor: Actor, filters: ResultFilter, lg: str) -> None:
    least = st.number_input(t("eval.results.min_evaluations"), min_value=1, max_value=20, value=2, step=1,
                            key="res_min")
    frame = eval_data.league(store.url(), actor, filters, int(least))
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    grades = _labels()["grade"]
    shown = frame.assign(
        rank=range(1, len(frame) + 1), mean_value=frame["mean_result"].astype(float).round(1),
        range_text=[f"{lo:.1f} – {hi:.1f}" for lo, hi in zip(frame["worst"], frame["best"])],
        grade_label=frame["grade"].map(grades), rating_text=frame["rating"].map(pipeline_labels.grade))
    table = tables.labelled(shown, {"rank": "eval.col.rank", "name": "eval.col.contractor",
                                    "evaluations": "eval.col.evaluations", "mean_value": "eval.col.mean_result",
                                    "range_text": "eval.col.range", "grade_label": "eval.col.grade",
                                    "rating_text": "eval.col.rating"})
    st.dataframe(table, hide_index=True, width="stretch", height=420,
                 column_config={t("eval.col.mean_result"): st.column_config.NumberColumn(format="%.1f")})
    tables.downloads(table, name=t("eval.results.tab.league"), key="res_league")


@st.fragment
def _calibration(actor: Actor, filters: ResultFilter, lg: str) -> None:
    frame = eval_data.calibration(store.url(), actor, filters)
    st.caption(t("eval.results.calibration_help", threshold=formatting.number(rules.CALIBRATION_FLAG, lg, 1)))
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    flags = {1: t("eval.calibration.lenient"), -1: t("eval.calibration.harsh"), 0: ""}
    shown = frame.assign(
        deviation_text=frame["mean_deviation"].map(lambda v: f"{v:+.1f}"),
        abs_text=frame["mean_abs_deviation"].map(lambda v: formatting.number(v, lg, 1)),
        flag=frame["mean_deviation"].map(
            lambda v: flags[(v >= rules.CALIBRATION_FLAG) - (v <= -rules.CALIBRATION_FLAG)]))
    table = tables.labelled(shown, {"evaluator_name": "eval.col.evaluator", "scorecards": "eval.col.scorecards",
                                    "deviation_text": "eval.col.mean_deviation", "abs_text": "eval.col.abs_deviation",
                                    "flag": "eval.col.flag"})
    st.dataframe(table, hide_index=True, width="stretch")
    chart_data = frame[["evaluator_name", "mean_deviation"]]
    title, label, value = t("eval.results.calibration_title"), t("eval.col.evaluator"), t("eval.col.mean_deviation")
    height = charts.rows_height(len(chart_data), minimum=160)
    st.altair_chart(
        charts.finish(alt.Chart(chart_data, title=charts.heading(title), height=height)).mark_bar().encode(
            x=alt.X("mean_deviation:Q", title=value),
            y=alt.Y("evaluator_name:N", title=None, sort="-x", axis=charts.category_axis()),
            color=alt.condition(f"abs(datum.mean_deviation) >= {rules.CALIBRATION_FLAG}", alt.value("#d9534f"),
                                alt.value("#4f8fc0")),
            tooltip=[alt.Tooltip("evaluator_name:N", title=label),
                     alt.Tooltip("mean_deviation:Q", title=value, format="+.2f")]),
        width="stretch", height=height + 90)

