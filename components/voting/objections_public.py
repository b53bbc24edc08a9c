"""公示期异议 on the public vote page of a published campaign, phone first: the cases whose result was voided, the
answered objections (grounds and answer, as plain text), and while the notice runs, filing an objection: notice
and consent → number → CAPTCHA → one-time code (the vote's own checks and throttles) → case and grounds.

Callbacks move the objector's flow on, as on the vote page; the page holds the send's token and then the ticket,
never the number once the code is sent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import caching, formatting, store
from components.i18n import error_text, lang, t
from components.safe_text import md_escape
from components.voting import captcha as vote_captcha
from components.voting import objections_data
from db import clock
from db.errors import DomainError
from db.models.voting import CampaignPublic
from db.voting import codes as vote_codes
from db.voting import objections, rules

FIELD_PREFIX = "obj.field."
_FLOW_KEYS = ("obj_step", "obj_sent", "obj_token", "obj_campaign")
# the vote's refusals of a code or a ticket that mean "start again from the number"
_START_AGAIN = ("vote.error.session_expired", "vote.error.code_expired", "vote.error.code_locked",
                "vote.error.code_missing")


def _client_address() -> str | None:
    """The connection's address (a reverse proxy's X-Forwarded-For when one sits in front), for the throttle."""
    try:
        address = st.context.ip_address
    except Exception:  # no real connection (AppTest, some hosts)
        return None
    return address if isinstance(address, str) and address else None


def _say(kind: str, text: str) -> None:
    st.session_state.setdefault("obj_messages", []).append((kind, text))


def _reset() -> None:
    for key in _FLOW_KEYS:
        st.session_state.pop(key, None)
    st.session_state["obj_step"] = "phone"


def _fail(err: DomainError) -> None:
    _say("error", error_text(err, field_prefix=FIELD_PREFIX))
    if err.code in _START_AGAIN:
        _reset()


# --- callbacks ---------------------------------------------------------------------------------------

def _send(campaign_id: int) -> None:
    if not st.session_state.get("obj_consent"):  # nothing is done with the number before the tick
        _say("error", t("vote.error.consent"))
        return
    typed = st.session_state.get("obj_captcha_input", "")
    st.session_state["obj_captcha_input"] = ""
    if not vote_captcha.passed(typed):
        _say("error", t("vote.error.captcha_wrong" if vote_captcha.mode() == "image" else "vote.error.sum_wrong"))
        return
    try:
        sent = objections.request_code(store.engine(), campaign_id=campaign_id,
                                       phone=st.session_state.get("obj_phone", ""), client_address=_client_address())
    except DomainError as err:
        _fail(err)
        return
    st.session_state.update(obj_step="code", obj_sent=sent, obj_token=sent.token, obj_campaign=campaign_id,
                            obj_code="", obj_phone="")


def _verify(campaign_id: int) -> None:
    code = st.session_state.get("obj_code", "")
    st.session_state["obj_code"] = ""
    try:
        ballot = objections.verify_code(store.engine(), campaign_id=campaign_id,
                                        token=st.session_state.get("obj_token", ""), code=code)
    except DomainError as err:
        _fail(err)
        return
    st.session_state.update(obj_step="form", obj_token=ballot.ticket)
    _say("success", t("obj.verified"))


def _file() -> None:
    try:
        receipt = objections.file_objection(store.engine(), ticket=st.session_state.get("obj_token", ""), data={
            "case_id": st.session_state.get("obj_case"), "grounds": st.session_state.get("obj_grounds", "")})
    except DomainError as err:
        _fail(err)
        return
    caching.clear("voting.objections")
    st.session_state["obj_grounds"] = ""
    _say("success", t("obj.filed", id=receipt.objection_id))


# --- the section -------------------------------------------------------------------------------------

def render(url: str, campaign: CampaignPublic) -> None:
    """The objections section under a published campaign's results."""
    st.subheader(t("obj.public.title"), anchor=False)
    st.caption(t("obj.public.caption"))
    published = objections_data.public_objections(url, campaign.id)
    if published is None:
        return
    for row in published["voided"].itertuples():
        st.warning(t("obj.public.voided", title=md_escape(row.title), organization=md_escape(row.organization),
                     reason=md_escape(row.void_reason or "")), icon=":material/block:")
    if rules.notice_running(campaign.status, campaign.notice_until, clock.today()):
        if st.session_state.get("obj_campaign") not in (None, campaign.id):
            _reset()
        with st.expander(t("obj.public.file"), icon=":material/report:",
                         expanded=st.session_state.get("obj_step", "phone") != "phone"):
            for kind, text in st.session_state.pop("obj_messages", []):
                getattr(st, kind)(text)
            _steps(url, campaign)
    else:
        st.caption(t("obj.public.closed"))
    _answered(published["answered"])


def _steps(url: str, campaign: CampaignPublic) -> None:
    step = st.session_state.setdefault("obj_step", "phone")
    if step == "form":
        try:
            left, objected = objections.objections_left(store.engine(), ticket=st.session_state.get("obj_token", ""))
        except DomainError as err:
            _fail(err)
            st.rerun()
        if not left:
            st.info(t("obj.none_left"))
            return
        cases = objections_data.objectable_cases(url, campaign.id)
        choices = {int(r.case_id): f"{int(r.rank)}. {r.title}" for r in cases.itertuples() if r.case_id not in objected}
        st.markdown(t("obj.step3"))
        st.caption(t("obj.left", left=left))
        st.selectbox(t("obj.field.case_id"), list(choices), format_func=choices.get, key="obj_case",
                     placeholder=t("common.choose"))
        st.text_area(t("obj.field.grounds"), key="obj_grounds", max_chars=rules.GROUNDS_LENGTH[1],
                     help=t("obj.grounds_help", min=rules.GROUNDS_LENGTH[0], max=rules.GROUNDS_LENGTH[1]))
        st.button(t("obj.submit"), key="obj_submit", type="primary", on_click=_file, width="stretch")
        return
    if step == "code":
        sent = st.session_state.get("obj_sent")
        if sent and sent.demo_code:
            st.warning(t("vote.demo_banner", code=sent.demo_code), icon=":material/science:")
        st.markdown(t("obj.step2"))
        minutes = int(vote_codes.CODE_TTL.total_seconds() // 60)
        if sent:
            st.caption(t("vote.code_sent", number=sent.number, minutes=minutes))
        st.text_input(t("vote.code"), key="obj_code", max_chars=6, type="phone", autocomplete="one-time-code",
                      placeholder=t("vote.code_placeholder"), icon=":material/sms:")
        st.button(t("obj.verify"), key="obj_verify", type="primary", on_click=_verify, args=(campaign.id,))
        st.button(t("vote.resend"), key="obj_restart", on_click=_reset)
        return
    st.markdown(t("obj.step1"))
    st.markdown(t("obj.notice"))
    st.checkbox(t("obj.consent"), key="obj_consent")
    st.text_input(t("vote.phone"), key="obj_phone", max_chars=20, type="phone", autocomplete="tel",
                  placeholder=t("vote.phone_placeholder"), icon=":material/smartphone:")
    answer_label = vote_captcha.show()
    st.text_input(answer_label, key="obj_captcha_input", max_chars=8)
    st.button(t("vote.send_code"), key="obj_send", type="primary", on_click=_send, args=(campaign.id,))


def instant(value) -> pd.Timestamp:
    """A stored instant from a frame, aware (SQLite hands back naive UTC)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp


def _answered(frame: pd.DataFrame) -> None:
    lg = lang()
    st.markdown("**" + t("obj.public.answered") + "**")
    if frame.empty:
        st.caption(t("obj.public.none_answered"))
        return
    for row in frame.itertuples():
        with st.container(border=True):
            st.markdown("**" + t("obj.public.item", id=int(row.id), title=md_escape(row.title),
                                 decision=t(f"obj.decision.{row.decision}")) + "**")
            st.caption(t("obj.public.grounds"))
            st.text(row.grounds)
            st.caption(t("obj.public.answer", day=formatting.minute(instant(row.answered_at), lg)))
            st.text(row.answer)
            if row.voided_case:
                st.caption(t("obj.public.case_voided"))
