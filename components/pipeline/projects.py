"""The pipeline page: filters mirrored in the URL, headline figures, the stage pipeline and the budget
by domain and street (SQL aggregates), and the filtered list with Excel and CSV downloads."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import charts, empty_states, formatting, store, tables
from components.caching import cached
from components.i18n import lang, t
from components.pipeline import charts as pipeline_charts
from components.pipeline import data as pipeline_data
from components.pipeline import export as pipeline_export
from components.pipeline import labels as pipeline_labels
from components.pipeline.filters import filter_bar
from components.pipeline.links import LINK_TEXT, detail_link
from components.texts import translate
from db import clock
from db.access import Actor
from db.pipeline import rules
from db.pipeline.projects import PipelineSummary, ProjectFilter

MONEY_COLUMNS = ("budget_wan", "contract_wan", "disbursed_wan", "personnel_wan", "fee_wan")
PAGE_ROWS = 100  # rows of the list sent to the browser at a time; the downloads hold every filtered row


def render(actor: Actor) -> None:
    st.title(t("pipe.title"))
    st.caption(t("pipe.caption"))
    if empty_states.nothing_yet(actor, "projects"):
        return
    filters = filter_bar(actor)
    url, today, lg = store.url(), clock.today(), lang()
    figures = pipeline_data.summary(url, actor, filters, today)
    _metrics(figures, lg)
    if not figures.projects:
        st.info(t("common.no_rows"))
        return
    specs = chart_specs(url, actor, filters, today, lg)
    for row in (specs[:2], specs[2:4]):
        for column, spec in zip(st.columns(2), row):
            empty_states.chart(where=column, chart=spec, width="stretch")
    _overdue_by_street(url, actor, filters, today, lg, specs[4])
    _table(actor, filters, today, lg, figures.projects)


def _overdue_by_street(url: str, actor: Actor, filters: ProjectFilter, today: date, lg: str,
                       spec: dict | None) -> None:
    """Leadership's question: how many projects are late, street by street (the count, beside their money)."""
    st.subheader(t("pipe.street_overdue.title"), anchor=False)
    if spec is None:
        st.caption(t("pipe.street_overdue.none"))
        return
    st.caption(t("pipe.street_overdue.caption"))
    left, right = st.columns(2)
    left.vega_lite_chart(spec, width="stretch")
    shown = pipeline_export.street_frame(pipeline_data.by_street(url, actor, filters, today), lg)
    right.dataframe(shown, hide_index=True, width="stretch", key="pipe_street_overdue", column_config={
        t("pipe.col.overdue_share"): st.column_config.NumberColumn(format="percent"),
        t("pipe.col.overdue_budget_wan"): st.column_config.NumberColumn(format="%.2f"),
        t("pipe.col.budget_wan"): st.column_config.NumberColumn(format="%.2f")})


def _metrics(figures: PipelineSummary, lg: str) -> None:
    items = [
        ("pipe.metric.projects", formatting.number(figures.projects, lg)),
        ("pipe.metric.budget", formatting.headline_money(figures.budget, lg)),
        ("pipe.metric.contracted", formatting.headline_money(figures.contracted, lg)),
        ("pipe.metric.disbursed", formatting.headline_money(figures.disbursed, lg)),
        ("pipe.metric.execution", formatting.percent(figures.execution_rate, lg)),
        ("pipe.metric.overdue", formatting.number(figures.overdue, lg)),
    ]
    for column, (key, value) in zip(st.columns(len(items)), items):
        column.metric(t(key), value, help=t(key + "_help"))


# Building Altair charts (and validating their specs) costs more than the page's queries, so the
# finished Vega-Lite specs are cached with the reads they are made of and cleared with them.
@cached("pipeline")
def chart_specs(url: str, actor: Actor, filters: ProjectFilter, today: date, lg: str) -> list[dict]:
    """Projects and budget per stage, budget by domain and by street, as Vega-Lite specs; then overdue
    projects by street (None when none is overdue)."""
    def tr(key: str) -> str:
        return translate(key, lg)

    stages = pipeline_data.by_stage(url, actor, filters, today)
    stages = stages[stages["projects"] > 0].copy() if filters.stage else stages
    stages["stage_label"] = [pipeline_labels.stage(s, lg) for s in stages["stage"]]
    stages["budget_wan"] = pipeline_export.wan(stages["budget"])
    order = [pipeline_labels.stage(s, lg) for s in rules.STATES]
    domains = pipeline_data.by_domain(url, actor, filters, today)
    domains["domain_label"] = [pipeline_labels.domain(d, lg) for d in domains["domain"]]
    domains["budget_wan"] = pipeline_export.wan(domains["budget"])
    streets = pipeline_data.by_street(url, actor, filters, today)
    streets["budget_wan"] = pipeline_export.wan(streets["budget"])
    streets["overdue_budget_wan"] = pipeline_export.wan(streets["overdue_budget"])
    built = [
        pipeline_charts.stage_pipeline(stages, title=tr("pipe.chart.stage_projects"), stage_title=tr("pipe.col.stage"),
                                       projects_title=tr("pipe.metric.projects"), overdue_title=tr("pipe.chart.overdue"),
                                       order=order),
        pipeline_charts.ordered_bars(stages, label="stage_label", value="budget_wan", title=tr("pipe.chart.stage_budget"),
                                     label_title=tr("pipe.col.stage"), value_title=tr("pipe.col.budget_wan"),
                                     order=order, value_format=",.1f"),
        charts.ranked_bars(domains[["domain_label", "budget_wan"]], label="domain_label", value="budget_wan",
                           title=tr("pipe.chart.domain_budget"), label_title=tr("pipe.col.domain"),
                           value_title=tr("pipe.col.budget_wan")),
        charts.ranked_bars(streets[["street", "budget_wan"]], label="street", value="budget_wan",
                           title=tr("pipe.chart.street_budget"), label_title=tr("pipe.col.street"),
                           value_title=tr("pipe.col.budget_wan")),
    ]
    late = None
    if streets["overdue"].sum() > 0:
        late = pipeline_charts.overdue_by_street(
            streets, title=tr("pipe.chart.street_overdue"), street_title=tr("pipe.col.street"),
            overdue_title=tr("pipe.col.overdue_n"), projects_title=tr("pipe.metric.projects"),
            budget_title=tr("pipe.col.overdue_budget_wan")).to_dict()
    return [chart.to_dict() for chart in built] + [late]


@cached("pipeline")
def table_frame(url: str, actor: Actor, filters: ProjectFilter, today: date, lg: str, page: int = 1) -> pd.DataFrame:
    """One page of the list as shown: the export's headings and labels, the code as a link to the detail page."""
    frame = pipeline_data.project_page(url, actor, filters, today, page, PAGE_ROWS)
    shown = pipeline_export.export_frame(frame, lg)
    shown[translate("pipe.col.code", lg)] = [detail_link(code, lg) for code in frame["code"]]
    return shown


def _table(actor: Actor, filters: ProjectFilter, today: date, lg: str, total: int) -> None:
    st.subheader(t("pipe.list"))
    _page_of_list(actor, filters, today, lg, total)
    url = store.url()

    def frame() -> pd.DataFrame:  # every filtered row, read only when a download is clicked
        return pipeline_data.project_list(url, actor, filters, today)

    def workbook() -> bytes:
        streets = pipeline_data.by_street(url, actor, filters, today)
        return pipeline_export.excel_file(frame(), lg, title, streets=streets)

    name = f"{t('pipe.export.name')}-{today.isoformat()}"
    title = tables.file_title(t("pipe.export.name"), actor)
    left, right = st.columns(2)
    tables.download_button(left, t("common.download_excel"), data=workbook,
                           file_name=f"{name}.xlsx", key="pipe_xlsx", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    tables.download_button(right, t("common.download_csv"), data=lambda: pipeline_export.csv_file(frame(), lg),
                           file_name=f"{name}.csv", key="pipe_csv", mime="text/csv", icon=":material/download:")


@st.fragment
def _page_of_list(actor: Actor, filters: ProjectFilter, today: date, lg: str, total: int) -> None:
    """The list a page at a time (read with LIMIT/OFFSET): turning the page reruns only this part."""
    pages = max(1, -(-total // PAGE_ROWS))
    page = 1
    if pages > 1:
        left, right = st.columns([1, 4], vertical_alignment="bottom")
        wanted = left.number_input(t("pipe.list_page", pages=pages), min_value=1, step=1, format="%d",
                                   key="pipe_list_page")
        page = min(max(int(wanted or 1), 1), pages)
        first = (page - 1) * PAGE_ROWS + 1
        right.caption(t("pipe.list_showing", first=first, last=min(first + PAGE_ROWS - 1, total), total=total)
                      + " · " + t("pipe.list_hint"))
    else:
        st.caption(t("common.rows", n=total) + " · " + t("pipe.list_hint"))
    shown = table_frame(store.url(), actor, filters, today, lg, page)
    config = {t(f"pipe.col.{column}"): st.column_config.NumberColumn(format="%.2f") for column in MONEY_COLUMNS}
    config[t("pipe.col.code")] = st.column_config.LinkColumn(display_text=LINK_TEXT)
    st.dataframe(shown, hide_index=True, width="stretch", key="pipe_table", column_config=config)
