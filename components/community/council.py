"""议事会 (staff): the council meetings of the staff member's scope (?community=&year=), their Excel/CSV download,
one meeting (?meeting=<id>) with who took part, the minutes and the agenda with each decision; recording a
held meeting with its agenda, and a decision with its votes. The quorum and the majority rule are checked by
the db layer, which refuses with the rule's message. Leaders read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.community import data as community_data
from components.community import labels, picker
from components.i18n import lang, t
from components.safe_text import md_escape
from components.writes import attempt, show_flash
from db import clock
from db.access import Actor
from db.community import councils, rules
from db.errors import NotFound
from db.validation import DATE_MIN

FLASH = "cc_flash"
FIELD_PREFIX = "cm.field."
ALL = ""
SHOWN = 200
HEADINGS = {"held": "cm.col.held_on", "place_line": "cm.col.community", "place": "cm.col.place",
            "present": "cm.col.present", **{kind: f"cm.participant.{kind}" for kind in rules.PARTICIPANTS},
            "items": "cm.col.items", "decided": "cm.col.decided", "adopted": "cm.col.adopted"}


def render(actor: Actor) -> None:
    st.title(t("cm.page.council"))
    st.caption(t("cm.council.caption", quorum=rules.council_quorum(),
                 majority=t(f"cm.majority.{rules.majority_base()}")))
    show_flash(FLASH)
    url = store.url()
    communities = community_data.staff_communities(url, actor)
    if communities.empty:
        st.info(t("cm.no_communities"))
        return
    community_id = picker.in_scope(communities, key="cc_community")
    years = {ALL: t("common.all"), **{str(y): str(y) for y in community_data.staff_years(url, actor)}}
    st.session_state["cc_year"] = url_state.read("year", years, ALL)
    st.selectbox(t("cm.field.year"), list(years), format_func=years.get, key="cc_year",
                 on_change=url_state.from_widget, args=("cc_year", "year"), placeholder=t("common.choose"))
    year = int(st.session_state["cc_year"]) if st.session_state["cc_year"] else None
    meetings = community_data.meetings(url, actor, community_id, year, SHOWN)  # all of them only for a download
    lg = lang()
    if meetings.empty:
        st.info(t("cm.council.none"))
    else:
        tables.first_rows(meetings, lambda frame: _table(frame, lg), shown=SHOWN, name=t("cm.page.council"),
                          key="cc", height=300, total=community_data.meeting_count(url, actor, community_id, year),
                          every=lambda: community_data.meetings(url, actor, community_id, year))
    _meeting(actor, meetings)
    if actor.may("community.council"):
        _record(actor, community_id)


def _table(meetings: pd.DataFrame, lg: str) -> pd.DataFrame:
    shown = meetings.assign(held=[formatting.day(d, lg) for d in meetings["held_on"]],
                            place_line=meetings["street"] + " · " + meetings["community"])
    return tables.labelled(shown, HEADINGS)


def _meeting(actor: Actor, meetings: pd.DataFrame) -> None:
    lg = lang()
    choices = {int(r.id): f"{formatting.day(r.held_on, lg)} · {r.community}" for r in meetings.itertuples()}
    wanted = url_state.record_pick("meeting", "cc_pick", choices, label=t("cm.council.pick"),
                                   placeholder=t("cm.council.pick_hint"))
    if wanted is None:
        return
    try:
        meeting, items = councils.get_meeting(store.engine(), actor=actor, meeting_id=wanted)
    except NotFound:
        st.warning(t("cm.council.not_found"))
        return
    with st.container(border=True):
        st.markdown(f"**{md_escape(meeting.community)} · {md_escape(formatting.day(meeting.held_on, lg))}**")
        st.text(meeting.place)
        st.caption(md_escape(" · ".join(f"{labels.participant(kind, lg)} {getattr(meeting, kind)}"
                                        for kind in rules.PARTICIPANTS)
                             + " · " + t("cm.council.present", n=meeting.present)))
        st.caption(md_escape(t("cm.field.minutes")))
        st.text(meeting.minutes)
        agenda = items.assign(
            theme_label=[labels.theme(v, lg) for v in items["theme"]],
            state_label=[labels.state(v, lg) for v in items["state"]],
            decision=[labels.decision(meeting.held_on, r.outcome, r.votes_for, r.votes_against, r.votes_abstain, lg)
                      for r in items.itertuples()],
            note=items["note"].fillna(""))
        st.dataframe(tables.labelled(agenda, {"position": "cm.col.position", "title": "cm.col.title",
                                              "theme_label": "cm.col.theme", "state_label": "cm.col.state",
                                              "decision": "cm.col.decision", "note": "cm.col.note"}),
                     hide_index=True, width="stretch", key="cc_agenda")
    pending = items[items["outcome"].isna()]
    if not pending.empty and actor.may("community.council"):
        _decide(actor, meeting.id, pending)


def _decide(actor: Actor, meeting_id: int, pending: pd.DataFrame) -> None:
    """The decision on one agenda item still open, with its votes."""
    lg = lang()
    st.markdown(t("cm.council.decide"))
    options = {int(r.proposal_id): f"No.{int(r.proposal_id)} · {r.title}" for r in pending.itertuples()}
    proposal_id = st.selectbox(t("cm.field.proposal_id"), list(options), format_func=options.get,
                               key=f"cc_item_{meeting_id}", placeholder=t("common.choose"))
    outcomes = {code: t(f"cm.outcome.{code}") for code in rules.OUTCOMES}
    outcome = st.radio(t("cm.field.outcome"), list(outcomes), format_func=outcomes.get, horizontal=True,
                       key=f"cc_outcome_{meeting_id}")
    votes = {}
    for column, field in zip(st.columns(3), ("votes_for", "votes_against", "votes_abstain")):
        votes[field] = column.number_input(t(f"cm.field.{field}"), min_value=0, step=1, value=0,
                                           key=f"cc_{field}_{meeting_id}")
    note = st.text_input(t("cm.field.note"), key=f"cc_note_{meeting_id}", max_chars=rules.NOTE_MAX)
    if st.button(t("cm.council.decide_button"), key="cc_decide_btn", type="primary"):
        data = {"outcome": outcome, **votes, "note": note}
        attempt(lambda: councils.record_decision(store.engine(), actor=actor, meeting_id=meeting_id,
                                                 proposal_id=proposal_id, data=data),
                area="community", flash_key=FLASH, field_prefix=FIELD_PREFIX,
                done=lambda p: t("cm.council.decided", outcome=labels.state(p.state, lg)))


def _record(actor: Actor, community_id: int | None) -> None:
    """A held meeting: when, where, who took part by kind, the minutes and the agenda of proposals sent to it."""
    with st.expander(t("cm.council.new"), icon=":material/add:"):
        if community_id is None:
            st.info(t("cm.council.pick_community"))
            return
        candidates = councils.agenda_candidates(store.engine(), actor=actor, community_id=community_id)
        if candidates.empty:
            st.info(t("cm.council.nothing_to_decide"))
            return
        key = f"cc_new_{community_id}"
        held_on = st.date_input(t("cm.field.held_on"), value=clock.today(), min_value=DATE_MIN,
                                max_value=clock.today(), key=f"{key}_held_on")
        place = st.text_input(t("cm.field.place"), key=f"{key}_place", max_chars=rules.PLACE_LENGTH[1])
        lg = lang()
        counts = {}
        for column, kind in zip(st.columns(len(rules.PARTICIPANTS)), rules.PARTICIPANTS):
            counts[kind] = column.number_input(labels.participant(kind, lg), min_value=0, step=1, value=0,
                                               key=f"{key}_{kind}")
        st.caption(t("cm.council.quorum_rule", quorum=rules.council_quorum()))
        minutes = st.text_area(t("cm.field.minutes"), key=f"{key}_minutes", max_chars=rules.MINUTES_LENGTH[1])
        options = {int(r.id): f"No.{int(r.id)} · {r.title}（{labels.state(r.state, lg)}）" for r in candidates.itertuples()}
        agenda = st.multiselect(t("cm.field.agenda"), list(options), format_func=options.get,
                                key=f"{key}_agenda", max_selections=rules.AGENDA_MAX,
                                placeholder=t("common.choose_many"))
        if st.button(t("cm.council.save"), key="cc_save_btn", type="primary"):
            data = {"community_id": community_id, "held_on": held_on, "place": place, **counts, "minutes": minutes,
                    "agenda": agenda}
            attempt(lambda: councils.create_meeting(store.engine(), actor=actor, data=data), area="community",
                    flash_key=FLASH, field_prefix=FIELD_PREFIX, done=t("cm.council.saved"),
                    before_rerun=lambda meeting_id: url_state.write("meeting", meeting_id))
