"""The purchase catalogue (指导目录) page: categories and items with what the projects in scope bought
of each, and the projects bought outside the catalogue, flagged."""

from __future__ import annotations

import streamlit as st

from components import charts, empty_states, formatting, store, tables
from components.i18n import lang, t
from components.pipeline import data as pipeline_data
from components.pipeline import export as pipeline_export
from components.pipeline import labels as pipeline_labels
from components.pipeline.filters import filter_bar
from components.pipeline.links import LINK_TEXT, detail_link
from db import clock
from db.access import Actor

ITEM_HEADINGS = {"category": "pipe.catalogue.col.category", "code": "pipe.catalogue.col.code",
                 "name": "pipe.catalogue.col.item", "description": "pipe.catalogue.col.description",
                 "projects": "pipe.catalogue.col.projects", "budget_wan": "pipe.col.budget_wan"}
OUTSIDE_HEADINGS = {"link": "pipe.col.code", "title": "pipe.col.title", "off_catalogue_service": "pipe.col.service",
                    "street_name": "pipe.col.street", "year": "pipe.col.year", "stage_label": "pipe.col.stage",
                    "budget_wan": "pipe.col.budget_wan"}


def render(actor: Actor) -> None:
    st.title(t("pipe.catalogue.title"))
    st.caption(t("pipe.catalogue.caption"))
    filters = filter_bar(actor, prefix="pipe_cat", fields=("year", "batch", "street"))
    url, today, lg = store.url(), clock.today(), lang()
    items = pipeline_data.catalogue_items(url, actor, filters, today)
    outside = pipeline_data.catalogue_outside(url, actor, filters, today)
    items["category"] = items["category_name"] if lg == "zh" else items["category_name_en"]
    items["budget_wan"] = pipeline_export.wan(items["budget"])
    metrics = [("pipe.catalogue.metric.categories", items["category_code"].nunique()),
               ("pipe.catalogue.metric.items", len(items)),
               ("pipe.catalogue.metric.used", int((items["projects"] > 0).sum())),
               ("pipe.catalogue.metric.outside", len(outside))]
    for column, (key, value) in zip(st.columns(len(metrics)), metrics):
        column.metric(t(key), formatting.number(value, lg))

    by_category = (items.groupby(["category_code", "category"], as_index=False)[["projects", "budget_wan"]].sum())
    left, right = st.columns([2, 3])
    with left:
        empty_states.chart(chart=charts.ranked_bars(
            by_category[["category", "budget_wan"]], label="category", value="budget_wan",
            title=t("pipe.catalogue.chart"), label_title=t("pipe.catalogue.col.category"),
            value_title=t("pipe.col.budget_wan")), width="stretch")
    with right:
        st.subheader(t("pipe.catalogue.items"))
        table = tables.labelled(items, ITEM_HEADINGS)
        st.dataframe(table, hide_index=True, width="stretch", key="pipe_catalogue_items",
                     column_config={t("pipe.col.budget_wan"): st.column_config.NumberColumn(format="%.2f")})
        tables.downloads(table, name=t("pipe.catalogue.title"), key="pipe_catalogue")

    st.subheader(t("pipe.catalogue.outside"))
    if outside.empty:
        st.success(t("pipe.catalogue.outside_none"))
        return
    st.warning(t("pipe.catalogue.outside_warning", n=len(outside)))
    outside = outside.assign(link=[detail_link(code, lg) for code in outside["code"]],
                             stage_label=[pipeline_labels.stage(s, lg) for s in outside["stage"]],
                             budget_wan=pipeline_export.wan(outside["budget"]))
    st.dataframe(tables.labelled(outside, OUTSIDE_HEADINGS), hide_index=True, width="stretch",
                 key="pipe_catalogue_outside",
                 column_config={t("pipe.col.code"): st.column_config.LinkColumn(display_text=LINK_TEXT)})
