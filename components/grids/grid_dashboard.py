"""The grid-indicator dashboard: a unit and a period (mirrored in ?unit= and ?period=, so a view can
be shared), the unit's indicators against target, then tabs: children shaded by status (click
through a level), trend and heatmap, reporting, community types, outliers, and a grid's roster."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import empty_states, store, url_state
from components.grids import dashboard_sections as sections
from components.grids import data as grid_data
from components.grids import tables as grid_tables
from components.i18n import t
from components.safe_text import md_escape
from db.access import Actor
from db.errors import DomainError
from db.grids.rules import (
    Period,
    default_period,
    last_complete_month,
    parse_period,
    recent_periods,
)

KINDS = ("year", "quarter", "month")
CHOICES = {"year": 3, "quarter": 9, "month": 24}
METRICS_PER_ROW = 4
UNIT_TABS = ["children", "trend", "reporting", "types", "outliers"]
GRID_TABS = ["months", "trend", "outliers", "roster"]


def period_label(period: Period) -> str:
    year = int(period.first[:4])
    if period.kind == "year":
        return t("grid.period.label.year", year=year)
    if period.kind == "quarter":
        return t("grid.period.label.quarter", year=year, q=period.text[-1])
    if period.kind == "month":
        return t("grid.period.label.month", year=year, month=int(period.first[5:7]))
    return f"{period.first} – {period.last}"


def go(code: str) -> None:
    url_state.write("unit", code)


def _current_unit(actor: Actor, url: str):
    code = url_state.get("unit")
    if code:
        found = grid_data.unit(url, actor, code)
        if found is not None:
            return found
        st.warning(t("org.unknown_unit"))
    return grid_data.scope_unit(url, actor)


def _current_period() -> Period:
    text = url_state.get("period")
    if text:
        try:
            return parse_period(text)
        except DomainError:
            st.warning(t("grid.bad_period"))
    return default_period()


def _kind_changed() -> None:
    url_state.write("period", recent_periods(st.session_state["grid_period_kind"], count=1)[0])


def _period_changed() -> None:
    url_state.write("period", st.session_state["grid_period"])


def _period_picker(period: Period) -> None:
    options = recent_periods(period.kind, count=CHOICES[period.kind])
    if period.text not in options:  # an older period from a shared link
        options = sorted({*options, period.text}, reverse=True)
    kind_labels = {kind: t(f"grid.period.{kind}") for kind in KINDS}
    labels = {text: period_label(parse_period(text)) for text in options}
    # the URL is the truth: the widgets show it, and their changes write it
    st.session_state["grid_period_kind"] = period.kind
    st.session_state["grid_period"] = period.text
    left, right = st.columns([2, 3])
    left.radio(t("grid.period.kind"), KINDS, key="grid_period_kind", format_func=kind_labels.get, horizontal=True,
               on_change=_kind_changed)
    right.selectbox(t("grid.period.pick"), options, key="grid_period", format_func=labels.get,
                    on_change=_period_changed, placeholder=t("common.choose"))


def _breadcrumb(actor: Actor, url: str, unit) -> None:
    crumbs = grid_data.breadcrumb(url, actor, unit.code)
    columns = st.columns(max(len(crumbs), 1) + 1)
    for column, crumb in zip(columns, crumbs):
        column.button(md_escape(crumb.name), key=f"grid_crumb_{crumb.code}", on_click=go, args=(crumb.code,),
                      type="primary" if crumb.id == unit.id else "secondary", width="stretch")


def _metrics(defs: pd.DataFrame, summary: pd.Series, monthly: pd.DataFrame) -> None:
    """Each indicator's value for the period, its status against target, and the last 12 months."""
    items = [row for _, row in grid_tables.shown(defs).iterrows()]
    for start in range(0, len(items), METRICS_PER_ROW):
        for column, indicator in zip(st.columns(METRICS_PER_ROW), items[start:start + METRICS_PER_ROW]):
            code = indicator["code"]
            status = summary[f"{code}_status"]
            hint = t("grid.metric.target", target=grid_tables.target_text(indicator))
            if not grid_tables.is_ratio(indicator):
                per_grid = grid_tables.value_text(indicator, summary[f"{code}_per_grid"], per_grid=True)
                hint = t("grid.metric.per_grid", value=per_grid) + " · " + hint
            spark = monthly[code].tail(12).dropna().astype(float).tolist()
            column.metric(grid_tables.metric_label(indicator), grid_tables.metric_text(indicator, summary[code]),
                          delta=grid_tables.status_text(status), delta_color=grid_tables.METRIC_COLOR.get(status, "gray"),
                          delta_arrow="off", help=hint, border=True, chart_data=spark or None, chart_type="line")


def render(actor: Actor) -> None:
    url = store.url()
    st.title(t("grid.dash.title"))
    st.caption(t("grid.dash.caption"))
    if empty_states.nothing_yet(actor, "grid_reports"):
        return
    unit = _current_unit(actor, url)
    period = _current_period()
    defs = grid_data.definitions(url)
    _breadcrumb(actor, url, unit)
    _period_picker(period)
    unit_name = t("level.root") if unit.level == "root" else md_escape(unit.name)
    st.subheader(t("grid.headline", unit=unit_name, period=period_label(period)), anchor=False)
    # trends end with the period, or with the last complete month when the period is still running
    monthly = grid_data.monthly(url, actor, unit.code, min(period.last, last_complete_month()))
    _metrics(defs, grid_data.summary(url, actor, unit.code, period.text), monthly)
    _tabs(actor, url, unit, period, defs, monthly)


def _tab_changed(ids: list[str]) -> None:
    labels = {t(f"grid.tab.{tab}"): tab for tab in ids}
    url_state.write("tab", labels.get(st.session_state["grid_tab"], ids[0]))


def _tabs(actor: Actor, url: str, unit, period: Period, defs: pd.DataFrame, monthly: pd.DataFrame) -> None:
    """Only the open tab is drawn (?tab= keeps it in a shared link)."""
    ids = GRID_TABS if unit.level == "grid" else UNIT_TABS
    current = url_state.get("tab")
    current = current if current in ids else ids[0]
    st.session_state["grid_tab"] = t(f"grid.tab.{current}")
    containers = st.tabs([t(f"grid.tab.{tab}") for tab in ids], key="grid_tab", on_change=_tab_changed, args=(ids,))
    for tab, container in zip(ids, containers):
        if not container.open:
            continue
        with container:
            if tab in ("children", "months"):
                sections.children_table(actor, url, unit, period, defs)
            elif tab == "trend":
                sections.trend_and_heatmap(actor, url, unit, period, defs, monthly)
            elif tab == "reporting":
                sections.reporting(actor, url, unit, period)
            elif tab == "types":
                sections.community_types(actor, url, unit, period, defs)
            elif tab == "outliers":
                sections.outlier_list(actor, url, unit, period, defs)
            else:
                sections.roster(actor, url, unit)
