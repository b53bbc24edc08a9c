"""五社联动 (everyone signed in, their scope): the five parties' figures for a district, street or community and a
year (filters in the URL: ?street=&community=&year=), compared across the streets (or a street's communities) in a
bar chart and over the months, one workbook of it all; then the registries (stations, workers, enterprises, the
linkage's activities) with their forms for staff, and the special fund's 3A+ rewards of the year."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from components import charts, exports, formatting, store, tables, url_state
from components.i18n import lang, t
from components.linkage import data, forms
from components.writes import show_flash
from db import clock
from db.access import Actor
from db.funds import rules as fund_rules
from db.linkage.dashboard import LinkageFigures

FLASH = "lk_flash"
ALL = ""
UNIT_HEADINGS = {"unit": "lk.col.unit", "communities": "lk.col.communities", "in_linkage": "lk.col.in_linkage",
                 "orgs": "lk.col.orgs", "stations": "lk.col.stations", "workers": "lk.col.workers",
                 "enterprises": "lk.col.enterprises", "raised": "lk.col.raised", "granted": "lk.col.granted",
                 "activities": "lk.col.activities", "problems_solved": "lk.col.problems_solved",
                 "people_served": "lk.col.people_served"}
SHOWN = 200  # rows of a registry drawn on the page; the downloads hold them all
MEASURES = ("activities", "people_served", "problems_solved", "enterprises", "workers", "orgs", "raised")


def render(actor: Actor) -> None:
    st.title(t("lk.page.linkage"))
    st.caption(t("lk.caption"))
    show_flash(FLASH)
    url = store.url()
    unit_id, level, year = _filters(actor)
    shown = data.figures(url, actor, unit_id, year)
    _metrics(shown)
    rows = data.by_unit(url, actor, unit_id, year)
    _charts(rows, data.by_month(url, actor, unit_id, year), level)
    _table(shown, rows)
    _registries(actor, unit_id, year)


def _filters(actor: Actor) -> tuple[int | None, str, int | None]:
    """The unit picked (None: the whole scope), the level listed below it, and the year (None: all years)."""
    units = data.units(store.url(), actor)
    streets = units[units["level"] == "street"]
    left, middle, right = st.columns(3)
    street = None
    if len(streets) > 1:
        options = {ALL: t("lk.whole"), **{str(int(i)): n for i, n in zip(streets["id"], streets["name"])}}
        st.session_state["lk_f_street"] = url_state.read("street", options, ALL)
        left.selectbox(t("lk.filter.street"), list(options), format_func=options.get, key="lk_f_street",
                       on_change=url_state.from_widget, args=("lk_f_street", "street"), placeholder=t("common.all"))
        street = int(st.session_state["lk_f_street"]) if st.session_state["lk_f_street"] else None
    elif len(streets) == 1:
        street = int(streets["id"].iloc[0])
    community = None
    if street is not None:
        mine = units[(units["level"] == "community") & (units["street_id"] == street)]
        if actor.scope_level != "community" and len(mine):
            options = {ALL: t("lk.whole"), **{str(int(i)): n for i, n in zip(mine["id"], mine["name"])}}
            st.session_state["lk_f_community"] = url_state.read("community", options, ALL)
            middle.selectbox(t("lk.filter.community"), list(options), format_func=options.get, key="lk_f_community",
                             on_change=url_state.from_widget, args=("lk_f_community", "community"),
                             placeholder=t("common.all"))
            community = int(st.session_state["lk_f_community"]) if st.session_state["lk_f_community"] else None
    years = {ALL: t("lk.all_years"), **{str(y): str(y) for y in data.years(store.url(), actor)}}
    st.session_state["lk_f_year"] = url_state.read("year", years, ALL)
    right.selectbox(t("lk.filter.year"), list(years), format_func=years.get, key="lk_f_year",
                    on_change=url_state.from_widget, args=("lk_f_year", "year"), placeholder=t("common.all"))
    year = int(st.session_state["lk_f_year"]) if st.session_state["lk_f_year"] else None
    if actor.scope_level == "community":
        return None, "none", year
    unit = community or street
    level = "none" if community else "community" if street is not None else "street"
    return unit, level, year


def _metrics(shown: LinkageFigures) -> None:
    lg = lang()
    n = lambda v: formatting.number(v, lg)  # noqa: E731
    first = [("lk.metric.streets", n(shown.streets), None),
             ("lk.metric.communities", n(shown.communities), t("lk.metric.communities_of",
                                                                total=n(shown.communities_total))),
             ("lk.metric.orgs", n(shown.orgs_incubated), t("lk.metric.orgs_by_street") if shown.orgs_by_street
              else None),
             ("lk.metric.stations", n(shown.stations), None),
             ("lk.metric.workers", n(shown.workers), None),
             ("lk.metric.enterprises", n(shown.enterprises), None)]
    second = [("lk.metric.raised", formatting.wan_yuan(shown.raised, lg), t(
                  "lk.metric.raised_split", funds=formatting.wan_yuan(shown.raised_funds, lg),
                  firms=formatting.wan_yuan(shown.raised_enterprises, lg))),
              ("lk.metric.granted", formatting.wan_yuan(shown.granted, lg), None),
              ("lk.metric.projects", n(shown.projects_funded), t("lk.metric.projects_mg",
                                                                   n=n(shown.microgrant_funded))),
              ("lk.metric.activities", n(shown.activities), None),
              ("lk.metric.problems", n(shown.problems_solved), None),
              ("lk.metric.people", n(shown.people_served), None)]
    for row in (first, second):
        for column, (key, value, help_) in zip(st.columns(len(row)), row):
            column.metric(t(key), value, help=help_)


@st.fragment  # the measure picked reruns the charts, not the figures, table and registries around them
def _charts(rows: pd.DataFrame, months: pd.DataFrame, level: str) -> None:
    left, right = st.columns(2)
    if not rows.empty and level in ("street", "community"):
        measures = [m for m in MEASURES if not (m == "orgs" and level == "community")]
        names = {m: t(f"lk.col.{m}") for m in measures}
        measure = left.radio(t("lk.chart.measure"), measures, format_func=names.get, key="lk_measure",
                             horizontal=True)
        frame = rows.assign(value=rows[measure] / (10_000 if measure == "raised" else 1))
        title = t("lk.chart.by_unit", level=t(f"lk.level.{level}"), measure=names[measure])
        left.altair_chart(charts.ranked_bars(frame, label="unit", value="value", title=title,
                                             label_title=t("lk.chart.unit"), value_title=names[measure]),
                          width="stretch")
    if not months.empty:
        right.altair_chart(charts.monthly_lines(
            months, month="month", series={"activities": t("lk.col.activities"),
                                           "problems_solved": t("lk.col.problems_solved")},
            title=t("lk.chart.monthly"), month_title=t("lk.chart.month"), value_title=t("lk.chart.count")),
            width="stretch")


def figure_table(shown: LinkageFigures) -> pd.DataFrame:
    """The figures as rows (label, value) for the workbook; money in 万元 as shown."""
    lg = lang()
    rows = [("lk.metric.streets", shown.streets), ("lk.metric.communities", shown.communities),
            ("lk.metric.orgs", shown.orgs_incubated), ("lk.metric.stations", shown.stations),
            ("lk.metric.workers", shown.workers), ("lk.metric.enterprises", shown.enterprises),
            ("lk.metric.raised", formatting.wan_yuan(shown.raised, lg)),
            ("lk.metric.granted", formatting.wan_yuan(shown.granted, lg)),
            ("lk.metric.projects", shown.projects_funded), ("lk.metric.activities", shown.activities),
            ("lk.metric.problems", shown.problems_solved), ("lk.metric.people", shown.people_served)]
    return pd.DataFrame({t("lk.col.figure"): [t(k) for k, _ in rows], t("lk.col.value"): [str(v) for _, v in rows]})


def _table(shown: LinkageFigures, rows: pd.DataFrame) -> None:
    if rows.empty:
        table = None
    else:
        st.subheader(t("lk.by_unit"), anchor=False)
        table = tables.labelled(rows.fillna({"orgs": "—"}) if rows["orgs"].isna().any() else rows, UNIT_HEADINGS)
        st.dataframe(table, hide_index=True, width="stretch", key="lk_by_unit")
    name = t("lk.workbook")
    sheets = {t("lk.sheet.figures"): figure_table(shown)}
    if table is not None:
        sheets[t("lk.sheet.by_unit")] = table
    tables.download_button(st, t("lk.download"),
                           data=lambda: exports.excel_bytes(sheets, title=tables.file_title(name)),
                           file_name=f"{name}.xlsx", key="lk_workbook", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _registries(actor: Actor, unit_id: int | None, year: int | None) -> None:
    """Each registry as its first SHOWN rows (read with a LIMIT) and its count; every row only in the downloads."""
    url = store.url()
    sizes = data.sizes(url, actor, unit_id, year)
    tabs = st.tabs([t("lk.tab.stations"), t("lk.tab.workers"), t("lk.tab.enterprises"), t("lk.tab.activities"),
                    t("lk.tab.rewards")])
    status = {True: t("lk.active"), False: t("lk.inactive")}
    with tabs[0]:
        headings = {"name": "lk.col.name", "street": "lk.col.street", "unit": "lk.col.place",
                    "operator": "lk.col.operator", "opened_on": "lk.col.opened_on", "workers": "lk.col.workers",
                    "active": "lk.col.active"}
        _list(lambda limit: data.stations(url, actor, unit_id, limit),
              lambda rows: rows.assign(active=rows["active"].map(status)), headings, sizes["stations"],
              "lk_stations", t("lk.tab.stations"))
        if actor.may("linkage.write"):
            forms.station(actor, FLASH, unit_id)
    with tabs[1]:
        quals = {q: t(f"lk.qual.{q}") for q in ("none", "assistant", "social_worker", "senior")}
        headings = {"name": "lk.col.name", "station": "lk.col.station", "street": "lk.col.street",
                    "unit": "lk.col.place", "qualification": "lk.col.qualification", "joined_on": "lk.col.joined_on",
                    "active": "lk.col.active"}
        _list(lambda limit: data.workers(url, actor, unit_id, limit),
              lambda rows: rows.assign(active=rows["active"].map(status),
                                       qualification=rows["qualification"].map(quals)),
              headings, sizes["workers"], "lk_workers", t("lk.tab.workers"))
        if actor.may("linkage.write"):
            forms.worker(actor, FLASH, unit_id)
    with tabs[2]:
        kinds = {k: t(f"lk.contrib.{k}") for k in ("money", "goods", "venue", "service", "jobs")}
        headings = {"name": "lk.col.name", "street": "lk.col.street", "unit": "lk.col.place",
                    "contribution_kind": "lk.col.contribution_kind", "contribution": "lk.col.contribution",
                    "value": "lk.col.value", "engaged_on": "lk.col.engaged_on", "active": "lk.col.active"}
        _list(lambda limit: data.enterprises(url, actor, unit_id, limit),
              lambda rows: rows.assign(active=rows["active"].map(status),
                                       contribution_kind=rows["contribution_kind"].map(kinds)),
              headings, sizes["enterprises"], "lk_enterprises", t("lk.tab.enterprises"))
        if actor.may("linkage.write"):
            forms.enterprise(actor, FLASH, unit_id)
    with tabs[3]:
        st.caption(t("lk.activities_note"))
        parties = {p: t(f"lk.party.{p}") for p in ("committee", "social_org", "social_work", "enterprise", "fund")}
        headings = {"held_on": "lk.col.held_on", "title": "lk.col.title", "organizer": "lk.col.organizer",
                    "street": "lk.col.street", "unit": "lk.col.place", "participants": "lk.col.participants",
                    "people_served": "lk.col.people_served", "problems_solved": "lk.col.problems_solved"}
        _list(lambda limit: data.activities(url, actor, unit_id, year, limit),
              lambda rows: rows.assign(organizer=rows["organizer"].map(parties)), headings, sizes["activities"],
              "lk_activities", t("lk.tab.activities"))
        if actor.may("linkage.write"):
            forms.activity(actor, FLASH, unit_id)
    if actor.may("linkage.write"):
        forms.active_switch(actor, FLASH, unit_id)
    with tabs[4]:
        _rewards(actor, year)


def _list(read: Callable[[int | None], pd.DataFrame], label: Callable[[pd.DataFrame], pd.DataFrame],
          headings: dict[str, str], total: int, key: str, name: str) -> None:
    """The first SHOWN rows of a list (`read(limit)`), its size beneath when longer; the files read every row."""
    if not total:
        st.info(t("lk.none"))
        return
    tables.first_rows(read(SHOWN), lambda rows: tables.labelled(label(rows), headings), shown=SHOWN, name=name,
                      key=key, height=320, total=total, every=lambda: read(None), files_key=f"{key}_dl")


def _rewards(actor: Actor, year: int | None) -> None:
    lg = lang()
    year = year or clock.today().year
    summary, rows = data.rewards(store.url(), actor, year)
    amounts = "、".join(t("lk.rewards.amount", grade=g, yuan=formatting.wan_yuan(a, lg))
                        for g, a in sorted(fund_rules.REWARD_BY_GRADE.items()))
    st.markdown(t("lk.rewards.rule", fund=formatting.wan_yuan(summary.fund, lg), day=formatting.day(summary.day, lg),
                  amounts=amounts))
    share = summary.total / summary.fund if summary.fund else None
    st.markdown(t("lk.rewards.total", year=year, n=formatting.number(summary.organizations, lg),
                  total=formatting.wan_yuan(summary.total, lg), share=formatting.percent(share, lg)))
    grades = {g: f"{g}A" for g in range(1, 6)}
    _list(lambda limit: rows if limit is None else rows.head(limit),
          lambda frame: frame.assign(grade=frame["grade"].map(grades)),
          {"name": "lk.col.name", "street": "lk.col.street", "grade": "lk.col.grade", "rated_on": "lk.col.rated_on",
           "valid_until": "lk.col.valid_until", "reward": "lk.col.reward"},
          len(rows), "lk_rewards", t("lk.rewards.name", year=year))
