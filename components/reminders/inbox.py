"""The inbox (消息提醒): the signed-in user's own notifications, unread ones by default (?show=read|all), each
worded in the user's language with a link to where it is handled; mark some or all as read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import lang, t
from components.pipeline import labels as pipeline_labels
from components.writes import attempt, show_flash
from db.access import Actor
from db.errors import DomainError
from db.reminders import delivery, inbox

FLASH = "notice_flash"
ALL = "all"
HEADINGS = {"created": "notice.col.created", "text": "notice.col.text", "due": "notice.col.due",
            "status": "notice.col.status", "link": "notice.col.link"}
# where each kind is handled: the page (its URL name) and the query that opens the thing itself
PAGES = {"assignment": "my_assignments", "org_unit": "grid_entry", "grid_report": "grid_entry",
         "project": "project_detail", "campaign": "vote_review", "rectification": "rectifications",
         "campaign_objections": "objections", "proposal": "proposals"}


def text_of(kind: str, params: dict, lg: str) -> str:
    """A notification's sentence: coded values and dates in the user's language; typed text kept as typed."""
    shown = dict(params)
    if "round" in shown:
        shown["round"] = t(f"eval.round.{shown['round']}")
    if "stage" in shown:
        shown["stage"] = pipeline_labels.stage(shown["stage"], lg)
    if "due" in shown:
        shown["due"] = formatting.day(pd.Timestamp(shown["due"]).date(), lg)
    return t(f"notice.kind.{kind}", **shown)


def link_of(entity: str, entity_id: int, params: dict) -> str:
    page = PAGES.get(entity, "")
    query = {"assignment": f"?assignment={entity_id}", "project": f"?project={params.get('project', '')}",
             "campaign": f"?c={entity_id}", "campaign_objections": f"?c={entity_id}", "rectification": "?status=open",
             "proposal": f"?proposal={entity_id}"}.get(entity, "")
    return f"{page}{query}"


def render(actor: Actor) -> None:
    lg, engine = lang(), store.engine()
    st.title(t("notice.title"))
    st.caption(t("notice.caption"))
    show_flash(FLASH)
    _contact(actor)
    shows = {"unread": t("notice.status.unread"), "read": t("notice.status.read"), ALL: t("common.all")}
    st.session_state["notice_show"] = url_state.read("show", shows, "unread")
    st.radio(t("notice.show"), list(shows), format_func=shows.get, horizontal=True, key="notice_show",
             on_change=url_state.from_widget, args=("notice_show", "show", (*url_state.EMPTY, "unread")))
    show = st.session_state["notice_show"]
    frame = inbox.notifications(engine, actor=actor, status=None if show == ALL else show)
    if frame.empty:
        st.info(t("notice.none"))
        return
    frame["text"] = [text_of(k, p, lg) for k, p in zip(frame["kind"], frame["params"])]
    shown = frame.assign(
        created=[formatting.moment(v, lg) for v in frame["created_at"]],
        due=[formatting.day(d, lg) if pd.notna(d) else "—" for d in frame["due_on"]],
        status=[t("notice.status.read" if pd.notna(r) else "notice.status.unread") for r in frame["read_at"]],
        link=[link_of(e, i, p) for e, i, p in zip(frame["entity"], frame["entity_id"], frame["params"])])
    st.dataframe(tables.labelled(shown, HEADINGS), hide_index=True, width="stretch", key="notice_table",
                 column_config={t("notice.col.link"): st.column_config.LinkColumn(display_text=t("notice.open"))})
    unread = frame[frame["read_at"].isna()]
    if unread.empty:
        return
    labels = {int(r.id): r.text[:80] for r in unread.itertuples()}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.multiselect(t("notice.mark"), list(labels), format_func=labels.get, key="notice_pick",
                              placeholder=t("notice.mark_hint"))
    if left.button(t("notice.mark_button"), key="notice_mark", disabled=not chosen):
        attempt(lambda: inbox.mark_read(engine, actor=actor, ids=chosen), area="reminders", flash_key=FLASH,
                field_prefix="notice.field.", done=lambda n: t("notice.marked", n=n))
    if right.button(t("notice.mark_all"), key="notice_mark_all"):
        attempt(lambda: inbox.mark_all_read(engine, actor=actor), area="reminders", flash_key=FLASH,
                done=lambda n: t("notice.marked", n=n))



def _contact(actor: Actor) -> None:
    """The user's own contact for the daily digest outside the app (db.reminders.delivery)."""
    engine = store.engine()
    with st.expander(t("notice.contact.title"), icon=":material/forward_to_inbox:"):
        st.caption(t("notice.contact.caption"))
        try:
            off = delivery.mode() == "off"
        except DomainError:
            off = True
        if off:
            st.caption(t("notice.contact.off_here"))
        channel, address = delivery.contact(engine, actor=actor)
        channels = {"": t("notice.contact.none"), "sms": t("notice.contact.sms"), "email": t("notice.contact.email")}
        with st.form("notice_contact_form"):
            picked = st.radio(t("notice.field.channel"), list(channels), index=list(channels).index(channel),
                              format_func=channels.get, horizontal=True, key="notice_contact_channel")
            typed = st.text_input(t("notice.field.address"), value=address, max_chars=120, key="notice_contact_address")
            saved = st.form_submit_button(t("notice.contact.save"))
        if saved:
            attempt(lambda: delivery.set_contact(engine, actor=actor, data={"channel": picked, "address": typed}),
                    area="reminders", flash_key=FLASH, field_prefix="notice.field.", done=t("notice.contact.saved"))
