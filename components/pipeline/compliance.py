"""The compliance list (overdue stages with days late, contractors rated too low, expired or unrated,
caps exceeded, overpayment, services outside the catalogue), and the sentence each check's outcome
reads as, which the project detail page uses too."""

from __future__ import annotations

import streamlit as st

from components import empty_states, formatting, store, tables, url_state
from components.i18n import lang, t
from components.pipeline import data as pipeline_data
from components.pipeline import labels as pipeline_labels
from components.pipeline.checks import STATUS_ICON, reason_text
from components.pipeline.filters import filter_bar
from components.pipeline.links import LINK_TEXT, detail_link
from db import clock
from db.access import Actor
from db.pipeline.compliance import CHECKS

SHOWN = 200  # rows drawn in the table
LIST_HEADINGS = {"link": "pipe.col.code", "title": "pipe.col.title", "street_name": "pipe.col.street",
                 "stage_label": "pipe.col.stage", "check_label": "pipe.check.col.check",
                 "status_label": "pipe.check.col.status", "reason_text": "pipe.check.col.reason"}


def _check_changed() -> None:
    chosen = st.session_state.get("pipe_compliance_check")
    if chosen:
        url_state.write("check", chosen)
    else:
        url_state.write("check", None)


def render(actor: Actor) -> None:
    st.title(t("pipe.compliance.title"))
    st.caption(t("pipe.compliance.caption"))
    if empty_states.nothing_yet(actor, "projects"):
        return
    filters = filter_bar(actor, prefix="pipe_cf", fields=("year", "batch", "street", "stage"))
    url, today, lg = store.url(), clock.today(), lang()
    counts = pipeline_data.compliance_counts(url, actor, filters, today)
    for column, check in zip(st.columns(len(CHECKS)), CHECKS):
        excepted = counts[check]["exception"]
        column.metric(t(f"pipe.check.{check}"), formatting.number(counts[check]["fail"], lg),
                      help=t("pipe.compliance.exceptions", n=excepted) if excepted else None)
    labels = {None: t("common.all"), **{check: t(f"pipe.check.{check}") for check in CHECKS}}
    wanted = url_state.get("check")  # ?check= (the overview's alert links here)
    st.session_state["pipe_compliance_check"] = wanted if wanted in CHECKS else None
    chosen = st.selectbox(t("pipe.compliance.filter_check"), list(labels), format_func=labels.get,
                          key="pipe_compliance_check", on_change=_check_changed, placeholder=labels[None])
    frame = pipeline_data.compliance_failures(url, actor, filters, today)
    if chosen:
        frame = frame[frame["check"] == chosen]
    if frame.empty:
        st.success(t("pipe.compliance.none"))
        return
    st.caption(t("common.rows", n=len(frame)))
    # the first rows labelled and on screen, every row labelled only when a download is built (a city has
    # thousands of findings: labelling them all took most of each run)
    st.dataframe(_labelled(frame.head(SHOWN), lg), hide_index=True, width="stretch", key="pipe_compliance_table",
                 column_config={t("pipe.col.code"): st.column_config.LinkColumn(display_text=LINK_TEXT)})
    if len(frame) > SHOWN:
        st.caption(t("common.first_rows", n=SHOWN, total=len(frame)))
    tables.downloads(lambda: _labelled(frame, lg, for_file=True), name=t("pipe.compliance.title"),
                     key="pipe_compliance")


def _labelled(frame, lg: str, *, for_file: bool = False):
    """The findings in the user's words under their headings; a file has the plain project code, not a link."""
    frame = frame.assign(
        link=[detail_link(code, lg) for code in frame["code"]],
        stage_label=[pipeline_labels.stage(s, lg) for s in frame["stage"]],
        check_label=[t(f"pipe.check.{c}") for c in frame["check"]],
        status_label=[f"{STATUS_ICON[s]} {t(f'pipe.check.status.{s}')}" for s in frame["status"]],
        reason_text=[reason_text(c, r, p, lg) for c, r, p in zip(frame["check"], frame["reason"], frame["params"])],
    )
    table = tables.labelled(frame, LIST_HEADINGS)
    if for_file:
        table[t("pipe.col.code")] = frame["code"].values
    return table
