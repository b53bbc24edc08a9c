"""The admin's actions on one project: move forward (with the tender rule and its exception), move
back or terminate with a reason, and edit the fields. Each submits one db write and reruns."""

from __future__ import annotations

import streamlit as st

from components import formatting, store
from components.i18n import lang, t
from components.pipeline import form as project_form
from components.pipeline import labels as pipeline_labels
from components.writes import attempt
from db.access import Actor
from db.pipeline import rules
from db.pipeline import writes as project_writes
from db.pipeline.projects import ProjectDetail


def render(actor: Actor, project: ProjectDetail, *, flash_key: str) -> None:
    lg = lang()
    forward, back, stop = st.columns(3)
    with forward:
        _advance(actor, project, lg, flash_key)
    with back:
        _move_back(actor, project, lg, flash_key)
    with stop:
        _terminate(actor, project, lg, flash_key)
    st.divider()
    _edit(actor, project, flash_key)


def _advance(actor: Actor, project: ProjectDetail, lg: str, flash_key: str) -> None:
    target = rules.next_state(project.stage)
    st.markdown(f"**{t('pipe.action.advance')}**")
    if target is None:
        st.caption(t("pipe.action.no_advance", stage=pipeline_labels.stage(project.stage, lg)))
        return
    signing = project.stage == rules.TENDER
    with st.form("pipe_advance", clear_on_submit=True):
        st.caption(t("pipe.action.advance_to", stage=pipeline_labels.stage(project.stage, lg),
                     target=pipeline_labels.stage(target, lg)))
        if signing:
            _signing_notice(project, lg)
        note = st.text_area(t("pipe.field.note"), key="pipe_advance_note", max_chars=500)
        exception = st.text_area(t("pipe.field.exception_reason"), key="pipe_exception_reason", max_chars=500,
                                 help=t("pipe.action.exception_help")) if signing else None
        submitted = st.form_submit_button(t("pipe.action.advance_submit", target=pipeline_labels.stage(target, lg)),
                                          type="primary", key="pipe_advance_submit")
    if submitted:
        attempt(lambda: project_writes.advance(store.engine(), actor=actor, code=project.code, note=note,
                                               exception_reason=exception, expected_stage=project.stage),
                area="pipeline", flash_key=flash_key, field_prefix=project_form.FIELD_PREFIX,
                done=lambda moved: t("pipe.action.advanced", stage=pipeline_labels.stage(moved.stage, lg)))


def _signing_notice(project: ProjectDetail, lg: str) -> None:
    """At the tender stage, say before submitting whether the contractor clears the rating rule."""
    if project.contractor_org_id is None:
        st.warning(t("pipe.action.no_contractor"))
    elif project.contractor_status == "ok":
        st.success(t("pipe.action.contractor_ok", grade=pipeline_labels.grade(project.contractor_grade)))
    else:
        st.warning(t("pipe.action.contractor_not_ok", status=pipeline_labels.rating_status(project.contractor_status, lg),
                     min_grade=pipeline_labels.grade(rules.MIN_GRADE)))


def _move_back(actor: Actor, project: ProjectDetail, lg: str, flash_key: str) -> None:
    target = rules.previous_state(project.stage)
    st.markdown(f"**{t('pipe.action.back')}**")
    if target is None:
        st.caption(t("pipe.action.no_back", stage=pipeline_labels.stage(project.stage, lg)))
        return
    with st.form("pipe_back", clear_on_submit=True):
        st.caption(t("pipe.action.back_to", target=pipeline_labels.stage(target, lg)))
        reason = st.text_area(t("pipe.field.reason"), key="pipe_back_reason", max_chars=500)
        submitted = st.form_submit_button(t("pipe.action.back_submit"), key="pipe_back_submit")
    if submitted:
        attempt(lambda: project_writes.move_back(store.engine(), actor=actor, code=project.code, reason=reason,
                                                 expected_stage=project.stage),
                area="pipeline", flash_key=flash_key, field_prefix=project_form.FIELD_PREFIX,
                done=lambda moved: t("pipe.action.moved_back", stage=pipeline_labels.stage(moved.stage, lg)))


def _terminate(actor: Actor, project: ProjectDetail, lg: str, flash_key: str) -> None:
    st.markdown(f"**{t('pipe.action.terminate')}**")
    if project.stage not in rules.STAGES:
        st.caption(t("pipe.action.no_terminate", stage=pipeline_labels.stage(project.stage, lg)))
        return
    with st.form("pipe_terminate", clear_on_submit=True):
        reason = st.text_area(t("pipe.field.reason"), key="pipe_terminate_reason", max_chars=500)
        confirmed = st.checkbox(t("pipe.action.terminate_confirm"), key="pipe_terminate_confirm")
        submitted = st.form_submit_button(t("pipe.action.terminate_submit"), key="pipe_terminate_submit")
    if submitted:
        if not confirmed:
            st.error(t("pipe.action.terminate_unconfirmed"))
            return
        attempt(lambda: project_writes.terminate(store.engine(), actor=actor, code=project.code, reason=reason,
                                                 expected_stage=project.stage),
                area="pipeline", flash_key=flash_key, field_prefix=project_form.FIELD_PREFIX,
                done=t("pipe.action.terminated"))


def _edit(actor: Actor, project: ProjectDetail, flash_key: str) -> None:
    st.markdown(f"**{t('pipe.action.edit')}**")
    prefix = f"pipe_edit_{project.code}"
    contracted = project.stage in rules.CONTRACTED_STAGES or project.stage == rules.CLOSED
    project_form.search_boxes(actor, prefix)
    with st.form("pipe_edit", clear_on_submit=False):
        values = project_form.fields(actor, prefix, project.form_values())
        exception = st.text_area(t("pipe.field.exception_reason"), key=f"{prefix}_exception", max_chars=500,
                                 help=t("pipe.action.edit_exception_help")) if contracted else None
        submitted = st.form_submit_button(t("common.save"), type="primary", key="pipe_edit_submit")
    if submitted:
        attempt(lambda: project_writes.update_project(store.engine(), actor=actor, code=project.code, data=values,
                                                      exception_reason=exception),
                area="pipeline", flash_key=flash_key, field_prefix=project_form.FIELD_PREFIX,
                done=lambda saved: t("pipe.action.saved", budget=formatting.wan_yuan(saved.budget, lang())))


