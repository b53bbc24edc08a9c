"""Drawing supervisors: every draw in scope (?draw= opens one: its members, every candidate with the load the
workload rule read, everyone excluded and why, the seed and whether the recorded panel reproduces; admins
redraw it with a reason), and a new draw for an open evaluation (?evaluation= from the evaluations page), an
organization's annual inspection or an enforcement check."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import lang, t
from components.safe_text import md_escape
from components.supervisors import data as sup_data
from components.supervisors import labels as sup_labels
from components.writes import attempt, show_flash
from db import clock
from db.access import Actor
from db.pipeline import rules as pipeline_rules
from db.supervisors import draws, rules
from db.supervisors.pool import PoolFilter

FLASH = "draw_flash"
FIELDS = "sup.field."
LIST_HEADINGS = {"id": "sup.col.draw", "purpose_label": "sup.col.purpose", "subject_label": "sup.col.subject",
                 "day": "sup.col.drawn_on", "size": "sup.col.size", "members": "sup.col.members",
                 "status_label": "sup.col.draw_status", "username": "sup.col.drawn_by", "reason_text": "sup.col.reason"}
PEOPLE_HEADINGS = {"position": "sup.col.position", "code": "sup.col.code", "name": "sup.col.name",
                   "agency_shown": "sup.col.agency", "specialty_labels": "sup.col.specialties", "load": "sup.col.load"}
EXCLUDED_HEADINGS = {"code": "sup.col.code", "name": "sup.col.name", "why": "sup.col.excluded_reason"}


def _subject_label(row) -> str:
    if row.purpose == "evaluation":
        return t("sup.draw.subject.evaluation", project=row.project_code or "", title=row.project_title or "")
    if row.purpose == "inspection":
        return t("sup.draw.subject.inspection", org=row.org_name or "", year=row.year)
    return t("sup.draw.subject.enforcement", org=row.org_name or "", reference=row.reference or "")


def _open_draw(draw_id: int) -> None:
    """The list opens the draw just made (its pick follows the URL)."""
    url_state.write("draw", draw_id)


def render(actor: Actor) -> None:
    lg = lang()
    st.title(t("sup.draw.title"))
    st.caption(t("sup.draw.caption"))
    show_flash(FLASH)
    names = [t("sup.draw.tab.list")]
    if actor.may("supervisors.manage"):
        names.append(t("sup.draw.tab.new"))
    asked = url_state.get("evaluation") is not None and len(names) > 1
    tabs = st.tabs(names, key="draw_tab", on_change="rerun", default=names[-1] if asked else names[0])
    if tabs[0].open:
        with tabs[0]:
            _list(actor, lg)
    if len(tabs) > 1 and tabs[1].open:
        with tabs[1]:
            _new(actor, lg)


def _list(actor: Actor, lg: str) -> None:
    frame = sup_data.draw_list(store.url(), actor)
    if frame.empty:
        st.info(t("sup.draw.none"))
        return
    shown = frame.assign(
        purpose_label=[t(f"sup.purpose.{p}") for p in frame["purpose"]],
        subject_label=[_subject_label(r) for r in frame.itertuples()],
        day=[formatting.day(d, lg) for d in frame["drawn_on"]],
        status_label=[t(f"sup.draw_status.{s}") for s in frame["status"]],
        reason_text=frame["reason"].fillna(""))
    st.dataframe(tables.labelled(shown, LIST_HEADINGS), hide_index=True, width="stretch", height=300, key="draw_table")
    tables.downloads(lambda: tables.labelled(shown, LIST_HEADINGS), name=t("sup.draw.tab.list"), key="draw_list")
    labels = {int(r.id): f"#{r.id} · {r.purpose_label} · {r.subject_label}" for r in shown.itertuples()}
    st.session_state["draw_pick"] = url_state.read("draw", [int(i) for i in labels], st.session_state.get("draw_pick"))
    draw_id = st.selectbox(t("sup.draw.pick"), list(labels), format_func=labels.get, index=None, key="draw_pick",
                           placeholder=t("sup.draw.pick_hint"), on_change=url_state.from_widget,
                           args=("draw_pick", "draw"))
    if draw_id is not None:
        _one(actor, int(draw_id), lg)


def _people(actor: Actor, ids: list[int]) -> pd.DataFrame:
    """The named supervisors' codes, agencies and specialties (from the whole pool, deactivated ones too)."""
    everyone = sup_data.supervisors(store.url(), actor, PoolFilter(status=None))
    return sup_labels.people(everyone[everyone["id"].isin(ids)])


def _one(actor: Actor, draw_id: int, lg: str) -> None:
    drawn = sup_data.draw(store.url(), actor, draw_id)
    labels = sup_labels.specialties()
    st.caption(t("sup.draw.facts", id=drawn.id, purpose=t(f"sup.purpose.{drawn.purpose}"),
                 drawn_on=formatting.day(drawn.drawn_on, lg), by=drawn.username,
                 specialties="、".join(labels.get(c, c) for c in drawn.specialties), years=drawn.conflict_years))
    if drawn.replaces_id:
        st.caption(t("sup.draw.replaces", id=drawn.replaces_id, reason=drawn.reason or ""))
    if drawn.status != "current":
        st.warning(t("sup.draw.superseded_note"))
    metrics = [("sup.draw.metric.candidates", formatting.number(len(drawn.candidates), lg)),
               ("sup.draw.metric.excluded", formatting.number(len(drawn.excluded), lg)),
               ("sup.draw.metric.seed", str(drawn.seed)),
               ("sup.draw.metric.check", t("sup.draw.check_ok" if drawn.reproduces else "sup.draw.check_bad"))]
    for column, (key, value) in zip(st.columns(4), metrics):
        column.metric(t(key), value, help=t("sup.draw.check_help") if key.endswith("check") else None)
    loads = dict(drawn.candidates)
    people = _people(actor, list(drawn.names))
    members = people.set_index("id").loc[[i for i in drawn.members if i in set(people["id"])]].reset_index()
    members = members.assign(position=range(1, len(members) + 1), load=[loads.get(i, 0) for i in members["id"]])
    st.markdown(f"**{t('sup.draw.members')}**")
    st.dataframe(tables.labelled(members, PEOPLE_HEADINGS), hide_index=True, width="stretch", key="draw_members")
    candidates = people[people["id"].isin(loads)].assign(position="", load=lambda f: [loads[i] for i in f["id"]])
    with st.expander(t("sup.draw.candidates")):
        st.dataframe(tables.labelled(candidates.sort_values(["load", "code"]), PEOPLE_HEADINGS), hide_index=True,
                     width="stretch")
    reasons = dict(drawn.excluded)
    excluded = people[people["id"].isin(reasons)]
    excluded = excluded.assign(why=[t(f"sup.exclusion.{reasons[i]}") for i in excluded["id"]])
    with st.expander(t("sup.draw.excluded")):
        st.dataframe(tables.labelled(excluded, EXCLUDED_HEADINGS), hide_index=True, width="stretch")
    if drawn.evaluation_id is not None:
        st.page_link("pages/evaluations.py", label=t("sup.draw.open_evaluation"), icon=":material/fact_check:",
                     query_params={"evaluation": str(drawn.evaluation_id), "year": "all"})
    if actor.may("supervisors.manage") and drawn.status == "current":
        _redraw(actor, drawn, members)


def _redraw(actor: Actor, drawn: draws.DrawPublic, members: pd.DataFrame) -> None:
    names = {int(r.id): r.name for r in members.itertuples()}
    with st.expander(t("sup.draw.redraw"), icon=":material/refresh:"):
        with st.form(f"draw_redraw_{drawn.id}"):
            reason = st.text_input(t("sup.draw.redraw_reason"), max_chars=500, key=f"draw_reason_{drawn.id}")
            set_aside = st.multiselect(t("sup.field.set_aside"), list(names), format_func=names.get,
                                       key=f"draw_set_aside_{drawn.id}", placeholder=t("common.choose_many"))
            submitted = st.form_submit_button(t("sup.draw.redraw_button"), type="primary",
                                              key=f"draw_redraw_submit_{drawn.id}")
        if submitted:
            attempt(lambda: draws.redraw(store.engine(), actor=actor, draw_id=drawn.id, reason=reason,
                                         set_aside=set_aside),
                    area="supervisors", flash_key=FLASH, field_prefix=FIELDS,
                    before_rerun=lambda made: _open_draw(made.id), done=lambda made: t("sup.draw.redrawn", id=made.id))


def _new(actor: Actor, lg: str) -> None:
    url = store.url()
    purposes = {p: t(f"sup.purpose.{p}") for p in rules.PURPOSES}
    purpose = st.radio(t("sup.draw.new_purpose"), list(purposes), format_func=purposes.get, horizontal=True,
                       key="draw_purpose")
    data: dict = {"purpose": purpose}
    domain = None
    if purpose == "evaluation":
        frame = sup_data.open_evaluations(url, actor)
        rounds = {r: t(f"eval.round.{r}") for r in ("pre", "mid", "post")}
        labels = {int(r.id): f"{r.project_code} · {r.project_title} · {rounds.get(r.round, r.round)}"
                  for r in frame.itertuples()}
        wanted = url_state.read("evaluation", list(labels))
        if wanted is not None and st.session_state.get("draw_evaluation") is None:
            st.session_state["draw_evaluation"] = wanted
        data["evaluation_id"] = st.selectbox(t("sup.draw.evaluation"), list(labels), format_func=labels.get,
                                             index=None, key="draw_evaluation",
                                             placeholder=t("sup.draw.evaluation_hint"))
        if data["evaluation_id"] is not None:
            row = frame[frame["id"] == data["evaluation_id"]].iloc[0]
            domain = row["domain"]
            if pd.notna(row["drawn"]):
                st.info(t("sup.draw.evaluation_drawn", id=int(row["drawn"])))
    else:
        orgs = sup_data.organizations(url, actor)
        orgs = orgs[orgs["active"]]
        names = {int(r.id): r.name for r in orgs.itertuples()}
        data["org_id"] = st.selectbox(t("sup.draw.org"), list(names), format_func=names.get, index=None,
                                      key="draw_org", placeholder=t("sup.draw.org_hint"))
        if data["org_id"] is not None:
            domain = orgs.loc[orgs["id"] == data["org_id"], "domain"].iloc[0]
        if purpose == "inspection":
            data["year"] = st.number_input(t("sup.field.year"), min_value=2000, max_value=2100, step=1,
                                           value=clock.today().year - 1, key="draw_year")
        else:
            data["reference"] = st.text_input(t("sup.field.reference"), max_chars=60, key="draw_reference")
    labels = sup_labels.specialties()
    default = list(rules.wanted_specialties(purpose, domain)) if domain in pipeline_rules.DOMAINS else []
    # the default follows the subject: a new subject resets the choice
    marker = (purpose, data.get("evaluation_id"), data.get("org_id"))
    if st.session_state.get("draw_specialties_for") != marker:
        st.session_state["draw_specialties_for"] = marker
        st.session_state["draw_specialties"] = default
    data["specialties"] = st.multiselect(t("sup.field.specialties"), list(labels), format_func=labels.get,
                                         key="draw_specialties", help=t("sup.draw.specialties_help"),
                                         placeholder=t("common.choose_many"))
    data["size"] = st.number_input(t("sup.field.size"), min_value=1, max_value=rules.MAX_PANEL, step=1,
                                   value=rules.DEFAULT_PANEL, key="draw_size")
    if st.button(t("sup.draw.button"), key="draw_button", type="primary", icon=":material/casino:"):
        def done(made: draws.DrawPublic) -> str:
            text = t("sup.draw.done", n=len(made.members), id=made.id,
                     names="、".join(md_escape(made.names[i]) for i in made.members))
            return text + ("\n\n" + t("sup.draw.evaluation_note") if made.evaluation_id else "")

        attempt(lambda: draws.draw(store.engine(), actor=actor, data=data), area="supervisors", flash_key=FLASH,
                field_prefix=FIELDS, before_rerun=lambda made: _open_draw(made.id), done=done)
