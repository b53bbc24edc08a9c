"""提案办理 (staff): the proposals of the staff member's scope with their figures, filters kept in the URL
(?community=&state=&theme=&year=&q=), the list with its Excel/CSV download, and one proposal (?proposal=<id>)
with what can be done with it now: triage a submitted one (send to the council, merge, decline with an
answer), carry an adopted one out (into the pipeline or by the community itself), move the community's own
project on. Leaders read."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from components import caching, formatting, store, tables, url_state
from components.community import data as community_data
from components.community import labels, picker
from components.i18n import lang, t
from components.safe_text import md_escape
from components.writes import attempt, show_flash
from db.access import Actor
from db.community import adoption, rules, triage
from db.community import proposals as proposal_reads
from db.community.proposals import ProposalDetail, ProposalFilter
from db.errors import NotFound

FLASH = "cm_staff_flash"
FIELD_PREFIX = "cm.field."
ALL = ""
SHOWN = 200  # rows drawn in the table; the download holds every filtered row
HEADINGS = {"code": "cm.col.code", "id": "cm.col.number", "submitted": "cm.col.submitted_on",
            "place": "cm.col.community", "theme_label": "cm.col.theme", "title": "cm.col.title",
            "state_label": "cm.col.state", "decision": "cm.col.decision",
            "project": "cm.col.project", "answer": "cm.col.answer"}


def render(actor: Actor) -> None:
    st.title(t("cm.page.proposals"))
    st.caption(t("cm.proposals.caption"))
    show_flash(FLASH)
    url = store.url()
    communities = community_data.staff_communities(url, actor)
    if communities.empty:
        st.info(t("cm.no_communities"))
        return
    filters = _filters(communities, community_data.staff_years(url, actor))
    _figures(community_data.staff_summary(url, actor, filters))
    # the newest SHOWN rows for the screen; every filtered row (a city's 50,000) is read only for a download
    rows = community_data.staff_list(url, actor, filters, SHOWN)
    lg = lang()
    if rows.empty:
        st.info(t("common.no_rows"))
    else:
        tables.first_rows(rows, lambda frame: _table(frame, lg), shown=SHOWN, name=t("cm.page.proposals"), key="cm",
                          height=360, total=community_data.staff_count(url, actor, filters),
                          every=lambda: community_data.staff_list(url, actor, filters))
    _detail(actor, rows)


def _filters(communities: pd.DataFrame, years: list[int]) -> ProposalFilter:
    lg = lang()
    community_id = picker.in_scope(communities, key="cm_f_community")
    choices = {
        "state": {ALL: t("common.all"), **{s: labels.state(s, lg) for s in rules.STATES}},
        "theme": {ALL: t("common.all"), **{s: labels.theme(s, lg) for s in rules.THEMES}},
        "year": {ALL: t("common.all"), **{str(y): str(y) for y in years}},
    }
    for column, (param, options) in zip(st.columns(3), choices.items()):
        key = f"cm_f_{param}"
        st.session_state[key] = url_state.read(param, options, ALL)
        column.selectbox(t(f"cm.field.{param}"), list(options), format_func=options.get, key=key,
                         on_change=url_state.from_widget, args=(key, param), placeholder=t("common.choose"))
    st.session_state["cm_f_q"] = url_state.get("q") or ""
    st.text_input(t("cm.proposals.search"), key="cm_f_q", max_chars=60, on_change=url_state.from_widget,
                  args=("cm_f_q", "q"), placeholder=t("cm.proposals.search_hint"))
    year = st.session_state["cm_f_year"]
    return ProposalFilter(community_id=community_id, state=st.session_state["cm_f_state"] or None,
                          theme=st.session_state["cm_f_theme"] or None, year=int(year) if year else None,
                          search=st.session_state["cm_f_q"].strip() or None)


def _figures(summary: proposal_reads.ProposalSummary) -> None:
    lg = lang()
    waiting = summary.by_state[rules.TO_COUNCIL] + summary.by_state[rules.DEFERRED]
    items = [("cm.metric.proposals", formatting.number(summary.total, lg)),
             ("cm.metric.submitted", formatting.number(summary.by_state[rules.SUBMITTED], lg)),
             ("cm.metric.to_council", formatting.number(waiting, lg)),
             ("cm.metric.adopted", formatting.number(summary.by_state[rules.ADOPTED], lg)),
             ("cm.metric.carried_out", formatting.number(summary.carried_out, lg)),
             ("cm.metric.funded_amount", formatting.headline_money(summary.funded_amount, lg))]
    for row in (items[:3], items[3:]):  # three a row: 万元 figures stay whole in a narrow window
        for column, (key, value) in zip(st.columns(3), row):
            column.metric(t(key), value)


def _table(rows: pd.DataFrame, lg: str) -> pd.DataFrame:
    # each distinct value labelled once, from the columns it needs: a download of a city's 50,000 rows shares a few
    # thousand days, decisions and sums, and Babel's formatting and a walk over every column cost ~2 s per file
    day = functools.cache(lambda d: formatting.day(d, lg))
    decision = functools.cache(lambda *values: labels.decision(*values, lg))
    project = functools.cache(lambda *values: labels.project(*values, lg))

    def columns(*names):
        return zip(*(rows[name].tolist() for name in names))

    shown = rows.assign(
        submitted=[day(d) for d in rows["submitted_on"].tolist()],
        place=rows["street"] + " · " + rows["community"],
        theme_label=[labels.theme(v, lg) for v in rows["theme"].tolist()],
        state_label=[labels.state(v, lg) for v in rows["state"].tolist()],
        decision=[decision(*r) for r in columns("held_on", "outcome", "votes_for", "votes_against", "votes_abstain")],
        project=[project(*r) for r in columns("route", "funding_source", "funding_amount", "pipeline_stage",
                                              "community_stage", "project_code")],
        answer=rows["answer"].fillna(""))
    return tables.labelled(shown, HEADINGS)


# --- one proposal ---------------------------------------------------------------------------------------

def _detail(actor: Actor, rows: pd.DataFrame) -> None:
    st.subheader(t("cm.proposals.detail"), anchor=False)
    choices = {int(i): f"No.{int(i)} · {title}" for i, title in zip(rows["id"], rows["title"])}
    wanted = url_state.record_pick("proposal", "cm_pick", choices, label=t("cm.proposals.pick"),
                                   placeholder=t("cm.proposals.pick_hint"), unlisted="No.{id}")
    if wanted is None:
        return
    try:
        proposal = proposal_reads.get_proposal(store.engine(), actor=actor, proposal_id=wanted)
    except NotFound:
        st.warning(t("cm.proposals.not_found"))
        return
    _show(actor, proposal)
    _actions(actor, proposal)


def _show(actor: Actor, proposal: ProposalDetail) -> None:
    lg = lang()
    with st.container(border=True):
        st.markdown(f"**{md_escape(proposal.title)}**")
        st.caption(" · ".join(md_escape(part) for part in (
            f"No.{proposal.id}", proposal.code, f"{proposal.street} · {proposal.community}",
            labels.theme(proposal.theme, lg), formatting.day(proposal.submitted_on, lg),
            labels.state(proposal.state, lg))))
        for heading, text in ((t("cm.field.problem"), proposal.problem),
                              (t("cm.field.suggestion"), proposal.suggestion)):
            st.caption(md_escape(heading))
            st.text(text)
        if proposal.estimate is not None:
            st.caption(t("cm.board.estimate", amount=formatting.number(proposal.estimate, lg)))
        if proposal.answer:
            st.caption(md_escape(t("cm.board.answer")))
            st.text(proposal.answer)
        decisions = proposal_reads.decisions(store.engine(), actor=actor, proposal_id=proposal.id)
        for item in decisions.itertuples(index=False):
            st.text(labels.decision(item.held_on, item.outcome, item.votes_for, item.votes_against,
                                    item.votes_abstain, lg) + (f"  {item.note}" if isinstance(item.note, str) else ""))
        project = labels.project(proposal.route, proposal.funding_source, proposal.funding_amount,
                                 proposal.pipeline_stage, proposal.community_stage, proposal.project_code, lg)
        if project:
            st.text(project)
        if proposal.project_code and actor.may("pipeline.read"):
            st.page_link("pages/project_detail.py", label=t("cm.proposals.open_project"),
                         icon=":material/description:", query_params={"project": proposal.project_code})


def _actions(actor: Actor, proposal: ProposalDetail) -> None:
    if proposal.state == rules.SUBMITTED and actor.may("community.triage"):
        _triage(actor, proposal)
    elif proposal.state == rules.ADOPTED and proposal.route is None and actor.may("community.projects"):
        _fund(actor, proposal)
    elif (proposal.route == "community" and proposal.community_stage != rules.PROJECT_STAGES[-1]
          and actor.may("community.projects")):
        _advance(actor, proposal)


def _write(write, done_key: str, **extra) -> None:
    attempt(write, area="community", flash_key=FLASH, done=t(done_key), field_prefix=FIELD_PREFIX, **extra)


def _triage(actor: Actor, proposal: ProposalDetail) -> None:
    engine = store.engine()
    send_tab, merge_tab, decline_tab = st.tabs([t("cm.triage.send"), t("cm.triage.merge"),
                                                t("cm.triage.decline")])
    with send_tab:
        answer = st.text_area(t("cm.field.answer_optional"), key=f"cm_send_answer_{proposal.id}", max_chars=rules.TEXT_LENGTH[1])
        if st.button(t("cm.triage.send_button"), key="cm_send_btn", type="primary"):
            _write(lambda: triage.send_to_council(engine, actor=actor, proposal_id=proposal.id, answer=answer),
                   "cm.triage.sent")
    with merge_tab:
        targets = proposal_reads.merge_targets(engine, actor=actor, proposal_id=proposal.id)
        if targets.empty:
            st.info(t("cm.triage.no_targets"))
        else:
            lg = lang()
            options = {int(r.id): f"No.{int(r.id)} · {r.title}（{labels.state(r.state, lg)}）" for r in targets.itertuples()}
            into = st.selectbox(t("cm.field.into_id"), list(options), format_func=options.get, index=None,
                                key=f"cm_merge_into_{proposal.id}", placeholder=t("cm.pick.placeholder"))
            note = st.text_area(t("cm.field.answer_optional"), key=f"cm_merge_answer_{proposal.id}",
                                max_chars=rules.TEXT_LENGTH[1])
            if st.button(t("cm.triage.merge_button"), key="cm_merge_btn", type="primary"):
                _write(lambda: triage.merge(engine, actor=actor, proposal_id=proposal.id, into_id=into, answer=note),
                       "cm.triage.merged")
    with decline_tab:
        st.caption(t("cm.triage.decline_help"))
        answer = st.text_area(t("cm.field.answer"), key=f"cm_decline_answer_{proposal.id}", max_chars=rules.TEXT_LENGTH[1])
        if st.button(t("cm.triage.decline_button"), key="cm_decline_btn", type="primary"):
            _write(lambda: triage.decline(engine, actor=actor, proposal_id=proposal.id, answer=answer),
                   "cm.triage.declined")


def _fund(actor: Actor, proposal: ProposalDetail) -> None:
    lg = lang()
    st.markdown(t("cm.fund.title"))
    routes = {code: t(f"cm.route.{code}_choice") for code in rules.ROUTES}
    route = st.radio(t("cm.field.route"), list(routes), format_func=routes.get, key=f"cm_fund_route_{proposal.id}")
    sources = {code: labels.funding(code, lg) for code in rules.FUNDING_SOURCES}
    source = st.selectbox(t("cm.field.funding_source"), list(sources), format_func=sources.get,
                          key=f"cm_fund_source_{proposal.id}", placeholder=t("common.choose"))
    amount = st.number_input(t("cm.field.funding_amount"), key=f"cm_fund_amount_{proposal.id}", value=proposal.estimate,
                             min_value=0, step=1000)
    if st.button(t("cm.fund.button"), key="cm_fund_btn", type="primary"):
        data = {"route": route, "funding_source": source, "funding_amount": amount}
        # a pipeline project is registered in the same write: the pipeline's pages and the overview change too
        _write(lambda: adoption.fund(store.engine(), actor=actor, proposal_id=proposal.id, data=data),
               "cm.fund.done", before_rerun=lambda _: caching.clear("pipeline"))


def _advance(actor: Actor, proposal: ProposalDetail) -> None:
    lg = lang()
    stage = proposal.community_stage
    target = rules.PROJECT_STAGES[rules.PROJECT_STAGES.index(stage) + 1]
    st.caption(t("cm.advance.now", stage=labels.project_stage(stage, lg)))
    if st.button(t("cm.advance.button", stage=labels.project_stage(target, lg)), key="cm_advance_btn",
                 type="primary"):
        _write(lambda: adoption.advance(store.engine(), actor=actor, proposal_id=proposal.id, expected_stage=stage),
               "cm.advance.done")
