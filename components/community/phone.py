"""A resident's phone check, shared by 我要提建议 and 居民评事: number → the vote's image CAPTCHA → a one-time
code (db/community/verification.py), after which the session holds a ticket (cm_ticket) for either page. The
flow's state lives under cm_* keys, so a resident verified on one page is verified on the other."""

from __future__ import annotations

import streamlit as st

from components import store
from components.i18n import error_text, t
from components.safe_text import md_escape
from components.voting import captcha as vote_captcha
from db.community import verification
from db.errors import DomainError
from db.voting import codes as vote_codes

FIELD_PREFIX = "cm.field."
FLOW_KEYS = ("cm_step", "cm_sent", "cm_phone_sent", "cm_ticket")
# the vote's own refusals of a ticket or a code that mean "start again from the number"
START_AGAIN = ("vote.error.session_expired", "vote.error.code_expired", "vote.error.code_locked",
               "vote.error.code_missing")


def client_address() -> str | None:
    """The connection's address (a reverse proxy's X-Forwarded-For when one sits in front), for the throttle."""
    try:
        address = st.context.ip_address
    except Exception:  # no real connection (AppTest, some hosts)
        return None
    return address if isinstance(address, str) and address else None


def say(kind: str, text: str) -> None:
    st.session_state.setdefault("cm_messages", []).append((kind, text))


def show_messages() -> None:
    for kind, text in st.session_state.pop("cm_messages", []):
        getattr(st, kind)(text)


def reset_flow() -> None:
    for key in FLOW_KEYS:
        st.session_state.pop(key, None)
    st.session_state["cm_step"] = "phone"


def step() -> str:
    """phone, code or form (verified)."""
    return st.session_state.setdefault("cm_step", "phone")


def ticket() -> str | None:
    return st.session_state.get("cm_ticket")


def lapsed(err: DomainError) -> bool:
    """A refusal that means the verification lapsed: back to the number, keeping what was typed."""
    if err.code in START_AGAIN:
        st.session_state["cm_step"] = "phone"
        st.session_state.pop("cm_ticket", None)
        return True
    return False


def _send() -> None:
    typed = st.session_state.get("cm_captcha_input", "")
    st.session_state["cm_captcha_input"] = ""
    if not vote_captcha.passed(typed):
        say("error", t("vote.error.captcha_wrong"))
        return
    phone = st.session_state.get("cm_phone", "")
    try:
        sent = verification.request_code(store.engine(), phone=phone, client_address=client_address())
    except DomainError as err:
        say("error", error_text(err, field_prefix=FIELD_PREFIX))
        return
    st.session_state.update(cm_step="code", cm_sent=sent, cm_phone_sent=phone, cm_code="")


def _verify(done_key: str) -> None:
    code = st.session_state.get("cm_code", "")
    st.session_state["cm_code"] = ""
    try:
        issued = verification.verify_code(store.engine(), phone=st.session_state.get("cm_phone_sent", ""), code=code)
    except DomainError as err:
        say("error", error_text(err, field_prefix=FIELD_PREFIX))
        if err.code in START_AGAIN:
            reset_flow()
        return
    st.session_state.update(cm_step="form", cm_ticket=issued.ticket)
    say("success", t(done_key))


def phone_step(intro_key: str) -> None:
    st.markdown(t(intro_key))
    st.text_input(t("cm.field.phone"), key="cm_phone", max_chars=20, type="phone", autocomplete="tel",
                  placeholder=t("vote.phone_placeholder"), icon=":material/smartphone:")
    label = vote_captcha.show() or t("vote.captcha")  # the vote's CAPTCHA: the same check before a code is sent
    st.text_input(label, key="cm_captcha_input", max_chars=8)
    st.button(t("vote.send_code"), key="cm_send", type="primary", on_click=_send)


def code_step(intro_key: str, done_key: str) -> None:
    sent = st.session_state["cm_sent"]
    if sent.demo_code:
        st.warning(t("vote.demo_banner", code=sent.demo_code), icon=":material/science:")
    st.markdown(t(intro_key))
    st.caption(t("vote.code_sent", number=md_escape(sent.number),
                 minutes=int(vote_codes.CODE_TTL.total_seconds() // 60)))
    st.text_input(t("cm.field.code"), key="cm_code", max_chars=6, type="phone", autocomplete="one-time-code",
                  placeholder=t("vote.code_placeholder"), icon=":material/sms:")
    st.button(t("cm.propose.verify"), key="cm_verify", type="primary", on_click=_verify, args=(done_key,))
    st.button(t("vote.resend"), key="cm_restart", on_click=reset_flow)


def verified_number() -> str:
    sent = st.session_state.get("cm_sent")
    return md_escape(sent.number if sent else "")
