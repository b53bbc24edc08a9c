"""社区营造看板 (leaders, admins, street and community staff, each within their scope): for a district, street or
community (?unit=<code>) and a year (?year=, or every year), the funnel collected → to the council → adopted →
carried out → evaluated, by year and by the units one level down; the median days from proposal to decision;
money by funding source (万元); themes; the communities collecting fewest proposals for their households; and
the whole as one Excel workbook."""

from __future__ import annotations

from datetime import date
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from components import (
    charts,
    empty_states,
    exports,
    formatting,
    store,
    tables,
    url_state,
)
from components.community import data as community_data
from components.community import labels
from components.i18n import lang, t
from components.texts import translate
from db import clock
from db.access import Actor
from db.community import dashboard as reads
from db.community.dashboard import FUNNEL, CommunityDashboard
from db.errors import NotFound

ALL = ""
WAN = 10_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(actor: Actor) -> None:
    st.title(t("cm.page.dashboard"))
    st.caption(t("cm.dash.caption"))
    url, lg = store.url(), lang()
    units = community_data.dashboard_units(url, actor)
    if units.empty:
        st.info(t("cm.no_communities"))
        return
    seen, year = _filters(actor, units, community_data.staff_years(url, actor))
    view = community_data.dashboard_of(url, seen, year)
    if view.funnel["collected"] == 0:
        st.info(t("cm.dash.none"))
        return
    _figures(view, lg)
    left, right = st.columns(2)
    empty_states.chart(where=left, chart=funnel_chart(view, lg), width="stretch")
    if not view.by_year.empty:
        empty_states.chart(where=right, chart=year_chart(view, lg, clock.today()), width="stretch")
        if (view.by_year["year"] == clock.today().year).any():
            right.caption(t("cm.dash.year_running", year=clock.today().year))
    st.subheader(t("cm.dash.units", level=t(f"level.{reads.CHILD_LEVEL.get(view.scope_level, 'community')}")),
                 anchor=False)
    st.dataframe(unit_table(view, lg), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader(t("cm.dash.money"), anchor=False)
        if view.money.empty:
            st.caption(t("cm.dash.no_money"))
        else:
            empty_states.chart(chart=money_chart(view, lg), width="stretch")
    with right:
        st.subheader(t("cm.dash.themes"), anchor=False)
        st.dataframe(theme_table(view, lg), hide_index=True, width="stretch")
    st.subheader(t("cm.dash.few"), anchor=False)
    st.caption(t("cm.dash.few_caption"))
    st.dataframe(few_table(view, lg), hide_index=True, width="stretch")
    name = t("cm.page.dashboard")
    tables.download_button(st, t("common.download_excel"),
                           data=partial(workbook, view, lg, tables.file_title(name, seen)),
                           file_name=f"{name}.xlsx", mime=XLSX_MIME, key="cd_xlsx", icon=":material/download:")


def _filters(actor: Actor, units: pd.DataFrame, years: list[int]) -> tuple[Actor, int | None]:
    """The unit (?unit=<code>, within the actor's scope) and the year (?year=); the actor narrowed to the unit."""
    indent = {"root": 0, "district": 0, "street": 1, "community": 2}
    names = {ALL: t("cm.dash.whole_scope", scope=t("level.root") if actor.scope_level == "root" else actor.scope_name)}
    names.update({code: "\u3000" * indent.get(level, 0) + name for unit_id, code, name, level in
                  zip(units["id"], units["code"], units["name"], units["level"]) if int(unit_id) != actor.scope_id})
    year_labels = {ALL: t("common.all"), **{str(y): str(y) for y in years}}
    st.session_state["cd_unit"] = url_state.read("unit", names, ALL)
    st.session_state["cd_year"] = url_state.read("year", year_labels, ALL)
    left, right = st.columns([2, 1])
    left.selectbox(t("cm.dash.unit"), list(names), format_func=names.get, key="cd_unit",
                   on_change=url_state.from_widget, args=("cd_unit", "unit"), placeholder=t("common.choose"))
    right.selectbox(t("cm.field.year"), list(year_labels), format_func=year_labels.get, key="cd_year",
                    on_change=url_state.from_widget, args=("cd_year", "year"), placeholder=t("common.choose"))
    code, year = st.session_state["cd_unit"], st.session_state["cd_year"]
    try:
        seen = reads.unit_by_code(store.engine(), actor=actor, code=code or None)
    except NotFound:
        seen = actor
    return seen, (int(year) if year else None)


def _figures(view: CommunityDashboard, lg: str) -> None:
    funnel = view.funnel
    cols = st.columns(len(FUNNEL))
    for column, key in zip(cols, FUNNEL):
        column.metric(t(f"cm.funnel.{key}"), formatting.number(funnel[key], lg))
        if key != "collected":
            column.caption(t("cm.dash.of_collected", rate=formatting.percent(
                funnel[key] / funnel["collected"] if funnel["collected"] else None, lg)))
    cols = st.columns(3)
    cols[0].metric(t("cm.dash.median_days"), "—" if view.median_days is None else
                   formatting.number(view.median_days, lg, 0))
    cols[0].caption(t("cm.dash.median_of", n=formatting.number(view.decided, lg)))
    cols[1].metric(t("cm.metric.funded_amount"), formatting.headline_money(int(view.money["amount"].sum()), lg))
    cols[2].metric(t("cm.dash.rating"), "—" if view.rating_mean is None else
                   formatting.number(view.rating_mean, lg, 1))
    cols[2].caption(t("cm.dash.ratings", n=formatting.number(view.ratings, lg)))


# --- tables and charts: pure functions of the dashboard and a language (the workbook uses the same) ----------

def _tr(lg: str):
    return lambda key, **params: translate(key, lg, **params)


def funnel_table(view: CommunityDashboard, lg: str) -> pd.DataFrame:
    tr = _tr(lg)
    first = view.funnel["collected"] or 1
    return pd.DataFrame({tr("cm.dash.col.step"): [tr(f"cm.funnel.{key}") for key in FUNNEL],
                         tr("cm.dash.col.proposals"): [view.funnel[key] for key in FUNNEL],
                         tr("cm.dash.col.share"): [formatting.percent(view.funnel[key] / first, lg) for key in FUNNEL]})


def funnel_chart(view: CommunityDashboard, lg: str) -> alt.Chart:
    tr = _tr(lg)
    frame = pd.DataFrame({"step": [tr(f"cm.funnel.{key}") for key in FUNNEL],
                          "count": [view.funnel[key] for key in FUNNEL]})
    height = charts.rows_height(len(frame))
    return charts.finish(alt.Chart(frame, title=charts.heading(tr("cm.dash.funnel")), height=height)
            .mark_bar(color="#2f6f9f")
            .encode(y=alt.Y("step:N", sort=list(frame["step"]), title=None, axis=charts.category_axis()),
                    x=alt.X("count:Q", title=tr("cm.dash.col.proposals")),
                    tooltip=[alt.Tooltip("step:N", title=tr("cm.dash.col.step")),
                             alt.Tooltip("count:Q", title=tr("cm.dash.col.proposals"))]))


def year_label(year: int, today: date, lg: str) -> str:
    """A year's label; the year still running says how far it goes (2026（截至11月）), so its lower
    figures read as a part, not as a fall."""
    return _tr(lg)("cm.dash.year_so_far", year=year, month=today.month) if year == today.year else str(year)


def year_chart(view: CommunityDashboard, lg: str, today: date) -> alt.LayerChart:
    """Proposals collected, adopted and carried out per year; the year still running is marked as such: its
    label says 截至X月, the line runs to it dashed and its points are pale."""
    tr = _tr(lg)
    series = {key: tr(f"cm.funnel.{key}") for key in ("collected", "adopted", "carried_out")}
    frame = view.by_year.assign(label=[year_label(int(y), today, lg) for y in view.by_year["year"]])
    long = frame.melt(id_vars=["year", "label"], value_vars=list(series), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(series)
    long["running"] = long["year"] == today.year
    finished = frame.loc[frame["year"] < today.year, "year"]
    last_whole = int(finished.max()) if not finished.empty else today.year
    base = alt.Chart(long, height=260).encode(
        x=alt.X("label:O", sort=list(frame["label"]), title=tr("cm.field.year"),
                axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("value:Q", title=tr("cm.dash.col.proposals")),
        color=alt.Color("measure:N", sort=list(series.values()), title=None,
                        scale=alt.Scale(range=["#2f6f9f", "#e07b39", "#9ec3de"]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("label:O", title=tr("cm.field.year")), alt.Tooltip("measure:N", title=" "),
                 alt.Tooltip("value:Q", title=tr("cm.dash.col.proposals"), format=",.0f")],
    )
    whole = base.transform_filter(alt.datum.year <= last_whole).mark_line()
    running = base.transform_filter(alt.datum.year >= last_whole).mark_line(strokeDash=[5, 4], opacity=0.6)
    points = base.mark_point(filled=True, size=60).encode(
        opacity=alt.condition(alt.datum.running, alt.value(0.35), alt.value(1.0)))
    return alt.layer(whole, running, points, title=tr("cm.dash.by_year"))


def _funnel_columns(frame: pd.DataFrame, lg: str) -> dict:
    tr = _tr(lg)
    return {**{tr(f"cm.funnel.{key}"): frame[key] for key in FUNNEL},
            tr("cm.dash.col.amount_wan"): (frame["amount"] / WAN).round(2)}


def year_table(view: CommunityDashboard, lg: str) -> pd.DataFrame:
    return pd.DataFrame({_tr(lg)("cm.field.year"): view.by_year["year"], **_funnel_columns(view.by_year, lg)})


def unit_table(view: CommunityDashboard, lg: str) -> pd.DataFrame:
    return pd.DataFrame({_tr(lg)("cm.dash.col.unit"): view.by_unit["name"], **_funnel_columns(view.by_unit, lg)})


def theme_table(view: CommunityDashboard, lg: str) -> pd.DataFrame:
    frame = view.themes
    return pd.DataFrame({_tr(lg)("cm.field.theme"): [labels.theme(v, lg) for v in frame["theme"]],
                         **_funnel_columns(frame, lg)})


def money_table(view: CommunityDashboard, lg: str) -> pd.DataFrame:
    tr, frame = _tr(lg), view.money
    return pd.DataFrame({tr("cm.field.funding_source"): [labels.funding(v, lg) for v in frame["funding_source"]],
                         tr("cm.dash.col.projects"): frame["projects"],
                         tr("cm.dash.col.amount_wan"): (frame["amount"] / WAN).round(2)})


def money_chart(view: CommunityDashboard, lg: str) -> alt.Chart:
    tr, frame = _tr(lg), view.money
    shown = pd.DataFrame({"source": [labels.funding(v, lg) for v in frame["funding_source"]],
                          "amount": (frame["amount"] / WAN).round(2)})
    return charts.ranked_bars(shown, label="source", value="amount", title=tr("cm.dash.money"),
                              label_title=tr("cm.field.funding_source"), value_title=tr("ov.unit.wan"))


def few_table(view: CommunityDashboard, lg: str) -> pd.DataFrame:
    tr, frame = _tr(lg), view.few
    return pd.DataFrame({tr("cm.dash.col.community"): frame["street"] + " · " + frame["community"],
                         tr("cm.dash.col.households"): frame["households"],
                         tr("cm.dash.col.proposals"): frame["proposals"],
                         tr("cm.dash.col.per_thousand"): frame["per_thousand"]})


def workbook(view: CommunityDashboard, lg: str, title: str) -> bytes:
    tr = _tr(lg)
    return exports.excel_bytes({tr("cm.dash.funnel"): funnel_table(view, lg), tr("cm.dash.by_year"): year_table(view, lg),
                                tr("cm.dash.col.unit"): unit_table(view, lg), tr("cm.dash.money"): money_table(view, lg),
                                tr("cm.dash.themes"): theme_table(view, lg), tr("cm.dash.few"): few_table(view, lg)},
                               title=title)


