"""The leader's and admin's home: scope and year, headline figures across the four areas (each linking
to its page with the same filter), the alert list, the sections that answer leadership's usual
questions, this year against last, and the briefing files."""

from __future__ import annotations

from functools import partial

import streamlit as st

from components import empty_states, formatting, shell, store, tables, url_state
from components.exports import DOCX_MIME, XLSX_MIME
from components.i18n import lang, t
from components.office import data as office_data
from components.overview import briefing, briefing_files
from components.overview import data as overview_data
from components.pipeline import labels as pipeline_labels
from components.registry import PAGES
from components.safe_text import md_escape
from db import clock
from db.access import Actor
from db.overview.headline import Overview

ALL = "all"
ALERT_ICON = ":material/warning:"


# --- scope and year -------------------------------------------------------------------------------

def _set_scope(base_code: str) -> None:
    code = st.session_state.get("ov_street")
    if code in (None, ALL):
        code = st.session_state.get("ov_district", ALL)
    if code in (None, ALL) or code == base_code:
        url_state.write(shell.SCOPE_PARAM, None)
    else:
        url_state.write(shell.SCOPE_PARAM, code)


def _district_changed(base_code: str) -> None:
    st.session_state["ov_street"] = ALL
    _set_scope(base_code)


def _year_changed() -> None:
    url_state.write("year", st.session_state["ov_year"])


def selectors(actor: Actor, url: str) -> int:
    """District (when the user sees several), street and year; the URL (?scope=&year=) is the truth."""
    base = shell.base_actor() or actor
    units = overview_data.scope_choices(url, base)
    base_code = str(units.loc[units["id"] == base.scope_id, "code"].iloc[0])
    districts = units[units["level"] == "district"]
    current = units[units["id"] == actor.scope_id].iloc[0]
    district_id = current["id"] if current["level"] == "district" else current["district_id"]
    columns = st.columns(3 if len(districts) > 1 else 2)
    if len(districts) > 1:
        labels = {ALL: t("level.root"), **dict(zip(districts["code"], districts["name"]))}
        codes = dict(zip(districts["id"], districts["code"]))
        st.session_state["ov_district"] = codes.get(district_id, ALL)
        columns[0].selectbox(t("ov.pick.district"), list(labels), format_func=labels.get, key="ov_district",
                             on_change=_district_changed, args=(base_code,), placeholder=t("common.choose"))
        chosen = st.session_state["ov_district"]
        district_id = next((i for i, c in codes.items() if c == chosen), None)
    streets = units[(units["level"] == "street") & (units["district_id"] == district_id)] if district_id else units[:0]
    street_labels = {ALL: t("common.all"), **dict(zip(streets["code"], streets["name"]))}
    st.session_state["ov_street"] = current["code"] if current["level"] == "street" else ALL
    columns[-2].selectbox(t("ov.pick.street"), list(street_labels), format_func=street_labels.get, key="ov_street",
                         on_change=_set_scope, args=(base_code,), disabled=streets.empty,
                         placeholder=t("common.choose"))
    options = overview_data.years(url, base)
    raw = url_state.get("year")
    year = int(raw) if raw and raw.isdigit() and int(raw) in options else clock.today().year
    st.session_state["ov_year"] = year
    columns[-1].selectbox(t("ov.pick.year"), options, key="ov_year", on_change=_year_changed,
                          placeholder=t("common.choose"))
    return year


# --- links ----------------------------------------------------------------------------------------

def link_params(ov: Overview, **params) -> dict[str, str]:
    """A target page's filter, plus the narrowed scope so the page shows the same units."""
    scope = url_state.get(shell.SCOPE_PARAM)
    merged = {**params, **({shell.SCOPE_PARAM: scope} if scope else {})}
    return {key: str(value) for key, value in merged.items() if value is not None}


def vote_params(ov: Overview, campaign_id: int) -> dict[str, str]:
    """Campaigns are run by districts: from a street's view, the link opens the district's campaign."""
    params = link_params(ov, c=campaign_id)
    if ov.scope.level == "street" and ov.scope_district_code:
        params[shell.SCOPE_PARAM] = ov.scope_district_code
    return params


def link(page: str, label: str, params: dict[str, str], *, icon: str | None = None) -> None:
    st.page_link(PAGES[page].path, label=label, icon=icon or PAGES[page].icon, query_params=params)


ALERT_TARGETS = {
    "stage_overdue": ("projects", lambda ov, a: {"overdue": 1}),
    "contractor_rating": ("compliance", lambda ov, a: {"check": "contractor_rating"}),
    "failed_evaluation": ("eval_results", lambda ov, a: {"grade": "fail"}),
    "rectification_overdue": ("rectifications", lambda ov, a: {"status": "open", "overdue": 1}),
    "red_grids": ("grid_dashboard", lambda ov, a: {"unit": ov.scope.code, "period": a.params["month"],
                                                   "ind": "resolution_rate"}),
    "vote_anomalies": ("vote_review", None),
    "proposals_waiting": ("proposals", lambda ov, a: {"state": "submitted"}),
    "adopted_not_started": ("proposals", lambda ov, a: {"state": "adopted"}),
    "round_closing": ("microgrants", lambda ov, a: {"round": a.params["round"]}),
    "fund_quiet": ("funds", lambda ov, a: {"quiet": 1}),
}


# --- the page -------------------------------------------------------------------------------------

def render(actor: Actor) -> None:
    lg, url = lang(), store.url()
    st.title(t("ov.title"))
    st.markdown(t("auth.welcome", name=md_escape(actor.display_name)))
    if empty_states.getting_started(actor):
        return
    year = selectors(actor, url)
    today = clock.today()
    ov = overview_data.overview_of(url, actor, year, today)
    view = overview_data.shown(url, actor, year, today, lg)
    st.caption(t("ov.caption", scope=md_escape(briefing.scope_title(ov, lg)), day=formatting.day(ov.today, lg)))
    _headline(ov, view, lg)
    _alerts(ov, lg)
    _money(ov, view, lg)
    _evaluations(ov, view, lg)
    _grid(ov, view, lg)
    _vote(ov, view, lg)
    _community(ov, lg)
    _linkage(ov, lg)
    if ov.partial:
        span = briefing.through(ov, lg)
        st.subheader(t("ov.sec.compare_ytd", year=ov.year, last=ov.year - 1), anchor=False)
        st.caption(t("ov.compare.partial", year=ov.year, last=ov.year - 1, span=span))
    else:
        st.subheader(t("ov.sec.compare", year=ov.year, last=ov.year - 1), anchor=False)
    st.dataframe(view["compare"], hide_index=True, width="stretch")
    _exports(ov, lg, actor)


def _delta(ov: Overview, delta: str | None) -> str | None:
    """A card's change, saying it is against the same period when the year is still running."""
    return t("ov.delta.same_period", delta=delta) if delta and ov.partial else delta


def _headline(ov: Overview, view: dict, lg: str) -> None:
    heads = view["headlines"]
    p, r, v = ov.pipeline, ov.results, ov.vote
    year = {"year": ov.year}
    cols = st.columns(5)
    with cols[0].container(border=True):
        st.metric(t("ov.h.projects"), heads["ov.h.projects"].value,
                  _delta(ov, heads["ov.h.projects"].delta))
        st.caption(t("ov.m.overdue", n=formatting.number(p.overdue, lg), year=ov.year))
        link("projects", t("ov.link.projects"), link_params(ov, **year))
    with cols[1].container(border=True):
        # whole 万元 so the figure fits its column; the table below has the cents
        st.metric(t("ov.h.disbursed"), formatting.headline_money(p.disbursed, lg),
                  _delta(ov, heads["ov.h.disbursed"].delta))
        st.caption(t("ov.m.budget", budget=heads["ov.h.budget"].value, rate=heads["ov.h.execution"].value))
        link("projects", t("ov.link.money"), link_params(ov, **year), icon=":material/payments:")
    with cols[2].container(border=True):
        st.metric(t("ov.h.evaluations"), heads["ov.h.evaluations"].value,
                  _delta(ov, heads["ov.h.evaluations"].delta))
        grades = " · ".join(f"{t(f'eval.grade.{g}')} {formatting.number(n, lg)}" for g, n in r.grades.items())
        st.caption(t("ov.m.grades", mean=heads["ov.h.mean_result"].value, grades=grades))
        link("eval_results", t("ov.link.results"), link_params(ov, **year))
    with cols[3].container(border=True):
        if v is None:
            st.metric(t("ov.m.votes"), "—")
            st.caption(t("ov.vote.none", year=ov.year))
        else:
            st.metric(t("ov.m.votes"), formatting.number(v.valid, lg))
            st.caption(t("ov.m.vote", status=t(f"vote.status.{v.status}"), flags=formatting.number(v.flags, lg),
                         pending=formatting.number(v.pending_flags, lg)))
            link("vote_review", t("ov.link.vote"), vote_params(ov, v.campaign_id))
    with cols[4].container(border=True):
        if briefing.has_grid_data(ov):
            st.metric(t("ov.h.resolution"), heads["ov.h.resolution"].value,
                      heads["ov.h.resolution"].delta)
            st.caption(t("ov.m.grid", red=formatting.number(ov.red_units, lg), on_time=heads["ov.h.on_time"].value))
        else:
            st.metric(t("ov.h.resolution"), "—")
            st.caption(t("ov.grid.none", year=ov.year))
        link("grid_dashboard", t("ov.link.grid"),
             link_params(ov, unit=ov.scope.code, period=ov.year, ind="resolution_rate"))


def _alerts(ov: Overview, lg: str) -> None:
    st.subheader(t("ov.sec.alerts"), anchor=False)
    st.caption(t("ov.alerts.caption"))
    if not ov.alerts:
        st.success(t("ov.alert.none"))
        return
    for alert in ov.alerts:
        page, params = ALERT_TARGETS[alert.kind]
        target = vote_params(ov, alert.params["campaign"]) if params is None else link_params(ov, **params(ov, alert))
        link(page, briefing.alert_text(alert.kind, alert.count, alert.params, lg), target, icon=ALERT_ICON)


def _money(ov: Overview, view: dict, lg: str) -> None:
    st.subheader(t("ov.sec.money", year=ov.year), anchor=False)
    if ov.pipeline.projects == 0:
        st.info(t("ov.money.none", year=ov.year))
        return
    left, right = st.columns(2)
    for column, by in ((left, "domain"), (right, "street")):
        if by in view["specs"]:
            empty_states.chart(where=column, chart=view["specs"][by], width="stretch")
    with st.expander(t("ov.money.details")):
        st.dataframe(view["money_domain"], hide_index=True, width="stretch")
        st.dataframe(view["money_street"], hide_index=True, width="stretch")
    st.markdown(f"**{t('ov.sec.stages')}**")
    late = ov.stages[ov.stages["overdue"] > 0]
    st.dataframe(view["stages"], hide_index=True, width="stretch")
    for row in late.itertuples():
        link("projects", t("ov.link.stage_late", stage=pipeline_labels.stage(row.stage, lg), n=row.overdue),
             link_params(ov, year=ov.year, stage=row.stage, overdue=1), icon=ALERT_ICON)


def _evaluations(ov: Overview, view: dict, lg: str) -> None:
    st.subheader(t("ov.sec.evaluations", year=ov.year), anchor=False)
    left, right = st.columns([1, 2])
    if "grades" not in view["specs"]:
        left.info(t("ov.eval.none", year=ov.year))
    else:
        empty_states.chart(where=left, chart=view["specs"]["grades"], width="stretch")
    with right:
        st.markdown(f"**{t('ov.sec.contractors')}**")
        st.caption(t("ov.contractors.caption"))
        st.dataframe(view["contractors"], hide_index=True, width="stretch")
    st.markdown(f"**{t('ov.sec.failed')}**")
    if ov.failed.empty:
        st.caption(t("ov.failed.none", year=ov.year))
    else:
        st.dataframe(view["failed"], hide_index=True, width="stretch")
    links = st.columns(2)
    with links[0]:
        link("eval_results", t("ov.link.failed"), link_params(ov, year=ov.year, grade="fail"))
    with links[1]:
        link("rectifications", t("ov.link.rectifications", n=formatting.number(ov.rectifications["open"], lg)),
             link_params(ov, status="open"))


def _grid(ov: Overview, view: dict, lg: str) -> None:
    st.subheader(t("ov.sec.grid", year=ov.year), anchor=False)
    if not briefing.has_grid_data(ov):
        st.info(t("ov.grid.none", year=ov.year))
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('ov.sec.reporting')}**")
        st.dataframe(view["reporting"], hide_index=True, width="stretch", height=300)
        link("grid_dashboard", t("ov.link.reporting"),
             link_params(ov, unit=ov.scope.code, period=ov.year, tab="reporting"))
    with right:
        st.markdown(f"**{md_escape(briefing.weakest_title(ov, lg))}**")
        st.dataframe(view["weakest"], hide_index=True, width="stretch", height=300)
        link("grid_dashboard", t("ov.link.weakest"),
             link_params(ov, unit=ov.scope.code, period=ov.year, ind="resolution_rate"))


def _vote(ov: Overview, view: dict, lg: str) -> None:
    st.subheader(t("ov.sec.vote"), anchor=False)
    st.dataframe(view["vote"], hide_index=True, width="stretch")
    if ov.vote is not None:
        st.caption(t("ov.vote.clean") if ov.vote.pending_flags == 0 else
                   t("ov.vote.unclean", n=formatting.number(ov.vote.pending_flags, lg)))


def _community(ov: Overview, lg: str) -> None:
    """社区营造: the year's funnel and money beside last year's, and the way to its dashboard."""
    st.subheader(t("ov.sec.community", year=ov.year), anchor=False)
    c, d = ov.community, ov.community_last_year
    cols = st.columns(4)
    last_year = (d.collected, d.adopted, d.carried_out, d.evaluated)
    if ov.partial:  # proposals collected have their day; the later steps keep no history to compare with
        last_year = (ov.last_year_to_date.proposals, None, None, None)
    for column, key, this, last in zip(cols, ("ov.cm.collected", "ov.cm.adopted", "ov.cm.carried_out", "ov.cm.evaluated"),
                                       (c.collected, c.adopted, c.carried_out, c.evaluated), last_year):
        column.metric(t(key), formatting.number(this, lg), _delta(ov, briefing._delta_number(this, last, lg)))
    st.caption(t("ov.cm.caption", amount=formatting.wan_yuan(c.funded_amount, lg),
                 rating="—" if c.rating_mean is None else formatting.number(c.rating_mean, lg, 1)))
    link("community_dashboard", t("ov.link.community"), link_params(ov, year=ov.year))


def _linkage(ov: Overview, lg: str) -> None:
    """五社联动 and 微创投: the year's figures beside last year's, each summed from rows, and the way to its page."""
    st.subheader(t("ov.sec.linkage", year=ov.year), anchor=False)
    c, d = ov.linkage.year, ov.linkage.last_year
    cols = st.columns(5)
    cols[0].metric(t("ov.lk.communities"), formatting.number(c.communities, lg),
                   briefing._delta_number(c.communities, d.communities, lg))
    cols[1].metric(t("ov.lk.raised"), formatting.wan_yuan(c.raised, lg), briefing._delta_wan(c.raised, d.raised, lg))
    for column, key, this, last in zip(cols[2:], ("ov.lk.funded", "ov.lk.activities", "ov.lk.people"),
                                       (c.microgrant_funded + c.projects_funded, c.activities, c.people_served),
                                       (d.microgrant_funded + d.projects_funded, d.activities, d.people_served)):
        column.metric(t(key), formatting.number(this, lg), briefing._delta_number(this, last, lg))
    link("linkage", t("ov.link.linkage"), link_params(ov, year=ov.year))


def _exports(ov: Overview, lg: str, actor: Actor) -> None:
    st.subheader(t("ov.sec.exports"), anchor=False)
    st.caption(t("ov.exports.caption"))
    template = office_data.template_in_use(actor, briefing_files.BRIEFING)  # says so when an upload no longer fits
    name = f"{t('ov.brief.title')}-{briefing.scope_title(ov, lg)}-{ov.today.isoformat()}"
    left, right = st.columns(2)
    tables.download_button(left, t("ov.export.workbook"), data=partial(briefing_files.workbook, ov, lg),
                           file_name=f"{name}.xlsx", mime=XLSX_MIME, key="ov_workbook", icon=":material/table_view:")
    tables.download_button(right, t("ov.export.word"), data=partial(briefing_files.word, ov, lg, template),
                           file_name=f"{name}.docx", mime=DOCX_MIME, key="ov_word", icon=":material/description:")

