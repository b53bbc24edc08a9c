"""One project (?project=CODE): its figures, fields, stage timeline, contractor and rating, compliance
checks and evaluation results; for admins, the stage moves and the edit form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.community import data as community_data
from components.community import labels as community_labels
from components.i18n import lang, t
from components.pipeline import actions as project_actions
from components.pipeline import data as pipeline_data
from components.pipeline import form as project_form
from components.pipeline import labels as pipeline_labels
from components.pipeline.checks import checks_table
from components.safe_text import md_escape
from components.scorecards import data as eval_data
from components.scorecards.project_section import render_project_evaluations
from components.writes import show_flash
from db import clock
from db.access import Actor
from db.errors import NotFound
from db.pipeline import compliance, projects, rules, social_orgs
from db.pipeline.projects import ProjectDetail

FLASH = project_form.FLASH
TIMELINE_HEADINGS = {"when": "pipe.timeline.at", "who": "pipe.timeline.who", "action": "pipe.timeline.action",
                     "from_label": "pipe.timeline.from", "to_label": "pipe.timeline.to", "note": "pipe.timeline.note"}

PICK_ROWS = 100  # projects offered in the pick at a time; the search box narrows them


def render(actor: Actor) -> None:
    st.title(t("pipe.detail.title"))
    code = url_state.get("project")
    project = None
    if code:
        try:
            project = projects.get_project(store.engine(), actor=actor, code=code)
        except NotFound:
            st.warning(t("pipe.detail.not_found"))
    if project is None:
        _picker(actor)
        return
    show_flash(FLASH)
    lg = lang()
    _header(project, lg)
    tabs = [t("pipe.detail.tab.overview"), t("pipe.detail.tab.timeline"), t("pipe.detail.tab.contractor"),
            t("pipe.detail.tab.compliance"), t("pipe.detail.tab.evaluation")]
    if actor.may("pipeline.write"):
        tabs.append(t("pipe.detail.tab.manage"))
    sections = st.tabs(tabs)
    with sections[0]:
        _from_proposal(actor, project, lg)
        _fields(project, lg)
    with sections[1]:
        _timeline(actor, project, lg)
    with sections[2]:
        _contractor(actor, project, lg)
    with sections[3]:
        _checks(actor, project, lg)
    with sections[4]:
        evaluation_section(actor, project)
    if actor.may("pipeline.write"):
        with sections[5]:
            project_actions.render(actor, project, flash_key=FLASH)


def _picker(actor: Actor) -> None:
    choices = pipeline_data.project_choices(store.url(), actor)
    if choices.empty:
        st.info(t("common.no_rows"))
        return
    # a search box narrows the pick to its first PICK_ROWS matches: a city's 30,000 projects are not sent
    text = st.text_input(t("pipe.detail.search"), key="pipe_detail_search", max_chars=60,
                         placeholder=t("pipe.detail.search_placeholder")).strip().casefold()
    if text:
        hit = (choices["code"].str.casefold().str.contains(text, regex=False)
               | choices["title"].str.casefold().str.contains(text, regex=False))
        choices = choices[hit]
    shown = choices.head(PICK_ROWS)
    labels = dict(zip(shown["code"], shown["code"] + " · " + shown["title"]))
    if len(choices) > PICK_ROWS:
        st.caption(t("pipe.detail.pick_first", n=PICK_ROWS, total=len(choices)))

    def _open() -> None:
        if st.session_state.get("pipe_detail_pick"):
            url_state.write("project", st.session_state["pipe_detail_pick"])

    st.selectbox(t("pipe.detail.pick"), list(labels), index=None, format_func=labels.get, key="pipe_detail_pick",
                 placeholder=t("pipe.detail.pick_placeholder"), on_change=_open)
    st.page_link("pages/projects.py", label=t("pipe.detail.back_to_list"), icon=":material/arrow_back:")
    _recent(actor)


def _recent(actor: Actor) -> None:
    """Opened from the menu, the page starts with the projects changed last, one click each (same session)."""
    recent = pipeline_data.recent_projects(store.url(), actor)
    if recent.empty:
        return
    lg = lang()
    st.subheader(t("pipe.detail.recent"), anchor=False)
    for row in recent.itertuples():
        label = md_escape(f"{row.code} · {row.title}（{row.street} · {pipeline_labels.stage(row.stage, lg)}）")
        st.page_link("pages/project_detail.py", label=label, icon=":material/description:",
                     query_params={"project": row.code})


def _header(project: ProjectDetail, lg: str) -> None:
    st.markdown(f"### {md_escape(project.title)}")
    place = [project.district_name, project.street_name]
    if project.unit_name != project.street_name:
        place.append(project.unit_name)
    st.caption(" · ".join(md_escape(part) for part in (project.code, project.batch, " / ".join(place))))
    st.markdown(_stage_path(project.stage, lg))
    limit = f" / {project.stage_limit}" if project.stage_limit else ""
    items = [
        ("pipe.metric.budget", formatting.headline_money(project.budget, lg)),
        ("pipe.metric.contracted", formatting.headline_money(project.contract_amount, lg)),
        ("pipe.metric.disbursed", formatting.headline_money(project.disbursed, lg)),
        ("pipe.metric.execution", formatting.percent(project.disbursed / project.budget, lg)),
        ("pipe.detail.days_in_stage", f"{formatting.number(project.days_in_stage, lg)}{limit}"),
    ]
    for column, (key, value) in zip(st.columns(len(items)), items):
        column.metric(t(key), value)
    if project.overdue:
        st.warning(t("pipe.detail.overdue", days=project.days_late, due=formatting.day(project.stage_due, lg)))
    if project.stage == rules.TERMINATED:
        st.error(t("pipe.detail.terminated", reason=md_escape(project.termination_reason or "—")))


def _stage_path(stage: str, lg: str) -> str:
    """The six stages as a path with the current one bold: needs survey ✓ → … → **tender** → …"""
    if stage == rules.TERMINATED:
        return "⛔ " + pipeline_labels.stage(stage, lg)
    done = len(rules.STAGES) if stage == rules.CLOSED else rules.STAGES.index(stage)
    parts = []
    for index, name in enumerate(rules.STAGES):
        label = pipeline_labels.stage(name, lg)
        parts.append(f"✓ {label}" if index < done else (f"**▶ {label}**" if index == done else f"○ {label}"))
    if stage == rules.CLOSED:
        parts.append(f"**✓ {pipeline_labels.stage(stage, lg)}**")
    return " → ".join(parts)


def _fields(project: ProjectDetail, lg: str) -> None:
    if project.summary:
        st.text(project.summary)
    catalogue = (f"{project.catalogue_code} {project.catalogue_name}（{_category(project, lg)}）"
                 if project.catalogue_code else t("pipe.catalogue.outside_label", service=project.off_catalogue_service or "—"))
    rows = [
        ("pipe.col.code", project.code), ("pipe.col.title", project.title), ("pipe.col.batch", project.batch),
        ("pipe.col.year", str(project.year)), ("pipe.col.domain", pipeline_labels.domain(project.domain, lg)),
        ("pipe.col.catalogue", catalogue), ("pipe.col.buyer", project.buyer),
        ("pipe.col.unit", f"{project.district_name} / {project.street_name}" +
         (f" / {project.unit_name}" if project.unit_name != project.street_name else "")),
        ("pipe.col.contractor", project.contractor_name or t("pipe.detail.no_contractor")),
        ("pipe.col.stage", pipeline_labels.stage(project.stage, lg)),
        ("pipe.col.stage_entered_on", formatting.day(project.stage_entered_on, lg)),
        ("pipe.col.stage_due", formatting.day(project.stage_due, lg)),
        ("pipe.col.budget", formatting.wan_yuan(project.budget, lg)),
        ("pipe.col.contract_amount", formatting.wan_yuan(project.contract_amount, lg)),
        ("pipe.col.disbursed", formatting.wan_yuan(project.disbursed, lg)),
        ("pipe.col.personnel_cost", f"{formatting.wan_yuan(project.personnel_cost, lg)}"
                                    f"（{formatting.percent(project.personnel_cost / project.budget, lg)}）"),
        ("pipe.col.management_fee", f"{formatting.wan_yuan(project.management_fee, lg)}"
                                    f"（{formatting.percent(project.management_fee / project.budget, lg)}）"),
        ("pipe.col.started_on", formatting.day(project.started_on, lg)),
        ("pipe.col.ended_on", formatting.day(project.ended_on, lg)),
        ("pipe.col.target_beneficiaries", formatting.number(project.target_beneficiaries, lg)),
        ("pipe.col.actual_beneficiaries", formatting.number(project.actual_beneficiaries, lg)),
        ("pipe.col.rating_exception", project.rating_exception or "—"),
        ("pipe.col.termination_reason", project.termination_reason or "—"),
        ("pipe.col.updated_at", formatting.moment(project.updated_at, lg)),
    ]
    frame = pd.DataFrame([{"field": t(key), "value": value} for key, value in rows])
    st.dataframe(tables.labelled(frame, {"field": "pipe.detail.field", "value": "pipe.detail.value"}),
                 hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3)


def _from_proposal(actor: Actor, project: ProjectDetail, lg: str) -> None:
    """The residents' proposal the project came from (社区营造), with the council's vote: linked both ways."""
    if not actor.may("community.read"):
        return
    link = community_data.proposal_for_project(store.url(), actor, int(project.id))
    if link is None:
        return
    with st.container(border=True):
        st.markdown(t("cm.project.from", title=md_escape(link.title)))
        line = community_labels.decision(link.held_on, "adopted" if link.held_on else None, link.votes_for,
                                         link.votes_against, link.votes_abstain, lg)
        st.caption(md_escape(" · ".join(filter(None, (link.community, line, t(
            "cm.project.funding", source=community_labels.funding(link.funding_source, lg)))))))
        st.page_link("pages/proposals.py", label=t("cm.project.open"), icon=":material/inbox:",
                     query_params={"proposal": str(link.id)})


def _category(project: ProjectDetail, lg: str) -> str:
    return project.category_name if lg == "zh" or not project.category_name_en else project.category_name_en


def _timeline(actor: Actor, project: ProjectDetail, lg: str) -> None:
    frame = projects.timeline(store.engine(), actor=actor, project_id=project.id)
    frame["when"] = [formatting.moment(v, lg) for v in frame["at"]]
    frame["who"] = frame["display_name"]
    frame["action"] = [t(f"pipe.event.{kind}") for kind in frame["kind"]]
    frame["from_label"] = [pipeline_labels.stage(s, lg) for s in frame["from_stage"]]  # NaN on the creation row
    frame["to_label"] = [pipeline_labels.stage(s, lg) for s in frame["to_stage"]]
    frame["note"] = frame["note"].fillna("")
    st.dataframe(tables.labelled(frame, TIMELINE_HEADINGS), hide_index=True, width="stretch", key="pipe_timeline")


def _contractor(actor: Actor, project: ProjectDetail, lg: str) -> None:
    if project.contractor_org_id is None:
        st.info(t("pipe.detail.no_contractor"))
        return
    status = project.contractor_status
    st.text(f"{t('pipe.col.contractor')}: {project.contractor_name}\n"
            f"{t('pipe.org.col.grade')}: {pipeline_labels.grade(project.contractor_grade)}"
            f" · {t('pipe.org.col.valid_until')}: {formatting.day(project.contractor_valid_until, lg)}\n"
            f"{t('pipe.org.col.status')}: {pipeline_labels.rating_status(status, lg)}")
    if status != "ok" and project.rating_exception:
        st.info(t("pipe.detail.rating_exception", reason=md_escape(project.rating_exception)))
    elif status != "ok":
        st.warning(t("pipe.detail.rating_not_eligible", min_grade=pipeline_labels.grade(rules.MIN_GRADE)))
    history = social_orgs.rating_history(store.engine(), actor=actor, org_id=project.contractor_org_id) \
        if _org_visible(actor, project) else pd.DataFrame()
    if not history.empty:
        history["grade_label"] = [pipeline_labels.grade(g) for g in history["grade"]]
        history["rated"] = [formatting.day(d, lg) for d in history["rated_on"]]
        history["valid"] = [formatting.day(d, lg) for d in history["valid_until"]]
        st.dataframe(tables.labelled(history, {"grade_label": "pipe.org.col.grade", "score": "pipe.org.col.score",
                                               "rated": "pipe.org.col.rated_on", "valid": "pipe.org.col.valid_until"}),
                     hide_index=True, width="stretch")


def _org_visible(actor: Actor, project: ProjectDetail) -> bool:
    """The rating history is read through the organizations' scope (a contractor from elsewhere is not)."""
    try:
        social_orgs.get_org(store.engine(), actor=actor, org_id=project.contractor_org_id)
    except NotFound:
        return False
    return True


def _checks(actor: Actor, project: ProjectDetail, lg: str) -> None:
    results = compliance.project_checks(store.engine(), actor=actor, code=project.code, today=clock.today())
    st.dataframe(checks_table(results, lg), hide_index=True, width="stretch", key="pipe_checks")


def evaluation_section(actor: Actor, project: ProjectDetail) -> None:
    """The project's third-party evaluation rounds (事前论证 / 事中评价 / 事后评估), from the scorecards
    area; before any round exists and before the evaluation stage, say when it comes."""
    if project.stage not in ("evaluation", "follow_up", rules.CLOSED) and not eval_data.project_rounds(
            store.url(), actor, int(project.id)).shape[0]:
        st.info(t("pipe.detail.evaluation_later", stage=pipeline_labels.stage("evaluation", lang())))
        return
    render_project_evaluations(actor, project.id)