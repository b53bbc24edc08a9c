"""The grid dashboard's tabs, each drawn from cached SQL aggregates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import empty_states, formatting, tables, url_state
from components.grids import charts as grid_charts
from components.grids import data as grid_data
from components.grids import tables as grid_tables
from components.i18n import lang, t
from db.access import Actor
from db.grids.indicators import trend_of
from db.grids.rules import Period, due_date, due_day, not_yet_due

OUTLIER_LIMIT = 200
DEFAULT_INDICATOR = "resolution_rate"


def _drill(key: str, codes: list[str]) -> None:
    """Row click in the children table: open that unit."""
    rows = st.session_state[key].selection.rows
    if rows:
        url_state.write("unit", codes[rows[0]])


def _drill_pick() -> None:
    code = st.session_state.get("grid_drill")
    if code:
        url_state.write("unit", code)
        st.session_state["grid_drill"] = None


def children_table(actor: Actor, url: str, unit, period: Period, defs: pd.DataFrame) -> None:
    frame = grid_data.children(url, actor, unit.code, period.text)
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    if unit.level == "grid":
        labels = {"name": "grid.col.month"}
    elif unit.level == "community":
        labels = {"name": "grid.col.name"}
    else:
        labels = {"name": "grid.col.name", "grids": "grid.col.grids"}
    table = grid_tables.indicator_table(frame, defs, labels)
    if unit.level != "grid":
        codes = frame["code"].tolist()
        st.selectbox(t("org.drill"), options=codes, index=None, placeholder=t("org.drill_placeholder"),
                     format_func=dict(zip(codes, frame["name"])).get, key="grid_drill", on_change=_drill_pick)
        key = f"grid_table_{unit.code}"  # a new table per unit, so a click never carries over
        st.dataframe(table, hide_index=True, width="stretch", key=key, on_select=lambda: _drill(key, codes),
                     selection_mode="single-row")
    else:
        st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("grid.legend"))
    tables.downloads(table.data, name=f"{unit.name}-{period.text}", key="grid_children")


def _indicator_changed() -> None:
    url_state.write("ind", st.session_state["grid_ind"])


def indicator_pick(defs: pd.DataFrame) -> pd.Series:
    """The indicator of the trend, heatmap and type chart (?ind= in the URL)."""
    items = grid_tables.shown(defs)
    labels = {code: grid_tables.name(row) for code, row in items.iterrows()}
    current = url_state.get("ind")
    st.session_state["grid_ind"] = current if current in labels else DEFAULT_INDICATOR
    st.selectbox(t("grid.ind_pick"), list(labels), key="grid_ind", format_func=labels.get,
                 on_change=_indicator_changed, placeholder=t("common.choose"))
    return defs.loc[st.session_state["grid_ind"]]


def trend_and_heatmap(actor: Actor, url: str, unit, period: Period, defs: pd.DataFrame,
                      monthly: pd.DataFrame) -> None:
    indicator = indicator_pick(defs)
    label = grid_tables.name(indicator)
    percent = grid_tables.is_ratio(indicator)
    left, right = st.columns(2)
    trend = trend_of(monthly, indicator)
    empty_states.chart(where=left, chart=grid_charts.trend_line(
        trend, title=t("grid.trend.title", indicator=label), period_title=t("grid.col.month"),
        value_title=grid_tables.unit_of(indicator), series_title=t("grid.trend.series"),
        value_label=t("grid.trend.value"), target_label=t("grid.trend.target"), percent=percent),
        width="stretch", height=grid_charts.TREND_HEIGHT + 140)
    heat = grid_data.heatmap(url, actor, unit.code, indicator["code"], monthly["period"].iloc[-1])
    empty_states.chart(where=right, chart=grid_charts.heatmap(
        heat, title=t("grid.heat.title", indicator=label), unit_title=t("grid.col.name"),
        period_title=t("grid.col.month"), value_title=grid_tables.heading(indicator, per_grid=True),
        percent=percent), width="stretch", height=grid_charts.heatmap_height(heat) + 140)
    st.caption(t("grid.heat.note"))


def reporting(actor: Actor, url: str, unit, period: Period) -> None:
    st.caption(t("grid.reporting.caption", due=due_day()))
    frame = grid_data.reporting(url, actor, unit.code, period.text)
    for month in not_yet_due(period.months):  # never shown as late or missing before its due day
        st.info(t("grid.reporting.not_due", month=t("grid.period.label.month", year=int(month[:4]), month=int(month[5:])),
                  due=formatting.day(due_date(month), lang()), received=formatting.number(int(frame["not_due"].sum()), lang())))
    defs = grid_data.definitions(url)
    values = pd.DataFrame({
        t("grid.col.name"): frame["name"], t("grid.col.grids"): frame["grids"],
        t("grid.col.expected"): frame["expected"], t("grid.col.reports"): frame["reports"],
        t("grid.col.on_time"): frame["on_time"], t("grid.col.late"): frame["late"],
        t("grid.col.missing"): frame["missing"], t("grid.col.not_due"): frame["not_due"],
    })
    css = pd.DataFrame("", index=values.index, columns=values.columns)
    formats = {}
    for code in ("completeness", "on_time_rate"):
        column = grid_tables.heading(defs.loc[code])
        values[column] = (frame[code].astype("float64") * 100).round(1)
        css[column] = [grid_tables.SHADE.get(s, "") for s in frame[f"{code}_status"]]
        formats[column] = "{:,.1f}"
    table = grid_tables.shade(values, css, formats)
    st.dataframe(table, hide_index=True, width="stretch")
    tables.downloads(values, name=f"{unit.name}-{t('grid.reporting.title')}", key="grid_reporting")


def community_types(actor: Actor, url: str, unit, period: Period, defs: pd.DataFrame) -> None:
    st.caption(t("grid.types.caption"))
    frame = grid_data.community_types(url, actor, unit.code, period.text)
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    frame["label"] = [t(f"org.type.{kind}") for kind in frame["type"]]
    table = grid_tables.indicator_table(
        frame, defs, {"label": "grid.col.type", "communities": "grid.col.communities", "grids": "grid.col.grids"},
        per_grid=True)
    st.dataframe(table, hide_index=True, width="stretch")
    indicator = indicator_pick(defs)
    code = indicator["code"]
    measure = code if grid_tables.is_ratio(indicator) else f"{code}_per_grid"
    bars = pd.DataFrame({"label": frame["label"], "value": frame[measure].astype("float64"),
                         "status": frame[f"{code}_status"]})
    empty_states.chart(chart=grid_charts.type_bars(
        bars, title=t("grid.types.chart", indicator=grid_tables.name(indicator)), label_title=t("grid.col.type"),
        value_title=grid_tables.heading(indicator, per_grid=True), percent=grid_tables.is_ratio(indicator)),
        width="stretch", height=grid_charts.bars_height(bars) + 80)


def outlier_list(actor: Actor, url: str, unit, period: Period, defs: pd.DataFrame) -> None:
    st.caption(t("grid.outliers.caption", limit=OUTLIER_LIMIT))
    frame = grid_data.outliers(url, actor, unit.code, period.text, OUTLIER_LIMIT)
    if frame.empty:
        st.info(t("grid.outliers.none"))
        return
    names = {code: grid_tables.name(row) for code, row in defs.iterrows()}
    shown = pd.DataFrame({
        t("grid.col.street"): frame["street"], t("grid.col.community"): frame["community"],
        t("grid.col.grid"): frame["grid"], t("grid.col.month"): frame["period"],
        t("grid.col.indicator"): frame["code"].map(names), t("grid.col.value"): frame["value"].astype("int64"),
        t("grid.col.mean"): frame["mean"].astype("float64").round(1),
        t("grid.col.confirmed"): [t("common.yes") if c else t("common.no") for c in frame["confirmed"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    tables.downloads(shown, name=f"{unit.name}-{t('grid.tab.outliers')}", key="grid_outliers")


def roster(actor: Actor, url: str, unit) -> None:
    st.dataframe(tables.roster_frame(grid_data.roster(url, actor, unit.code)), hide_index=True, width="stretch")
    st.caption(t("grid.roster.households", households=formatting.number(unit.households, lang()),
                 population=formatting.number(unit.population, lang())))
