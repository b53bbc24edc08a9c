"""The admin's register page: a new project starts at the first stage (the fields are components.pipeline.form)."""

from __future__ import annotations

import streamlit as st

from components import formatting, store
from components.i18n import lang, t
from components.pipeline import labels as pipeline_labels
from components.pipeline.form import FIELD_PREFIX, FLASH, fields, search_boxes
from components.writes import attempt
from db import clock
from db.access import Actor
from db.pipeline import rules
from db.pipeline import writes as project_writes

# Release names are data, written in Chinese like the releases themselves (2019年项目发布会).
DEFAULT_BATCH = "{year}年项目发布会"


def render(actor: Actor) -> None:
    """The register page: a new project starts at the first stage."""
    st.title(t("pipe.new.title"))
    st.caption(t("pipe.new.caption", stage=pipeline_labels.stage(rules.STAGES[0], lang())))
    year = clock.today().year
    defaults = {"year": year, "batch": DEFAULT_BATCH.format(year=year)}
    search_boxes(actor, "pipe_new")
    with st.form("pipe_create", clear_on_submit=False):
        values = fields(actor, "pipe_new", defaults)
        submitted = st.form_submit_button(t("pipe.new.submit"), type="primary", key="pipe_create_submit")
    if not submitted:
        return
    # done, the new project's own page opens (switch_page ends the run, as the rerun would)
    attempt(lambda: project_writes.create_project(store.engine(), actor=actor, data=values), area="pipeline",
            flash_key=FLASH, field_prefix=FIELD_PREFIX,
            done=lambda created: t("pipe.new.created", code=created.code,
                                   budget=formatting.wan_yuan(created.budget, lang())),
            before_rerun=lambda created: st.switch_page("pages/project_detail.py",
                                                        query_params={"project": created.code}))
