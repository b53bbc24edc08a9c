"""我要提建议: a resident proposes a project for their community, on a phone, with no account. The number is
verified as the public vote verifies it (number → image CAPTCHA → one-time code), then the proposal is
written; the resident gets a tracking code to follow it on the public board (community_board).

Everything the resident types goes to the db as typed and comes back only as text (st.text, tables)."""

from __future__ import annotations

import streamlit as st

from components import store
from components.community import data as community_data
from components.community import labels, picker
from components.i18n import error_text, lang, t
from components.safe_text import md_escape
from components.voting import captcha as vote_captcha
from components.writes import attempt, show_flash
from db.community import proposals, rules, verification
from db.errors import DomainError
from db.voting import codes as vote_codes

FLASH = "cm_propose_flash"
FIELD_PREFIX = "cm.field."
_FLOW_KEYS = ("cm_step", "cm_sent", "cm_phone_sent", "cm_ticket")
_FORM_KEYS = ("cm_theme", "cm_title", "cm_problem", "cm_suggestion", "cm_estimate")
# the vote's own refusals of a ticket or a code that mean "start again from the number"
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
    st.session_state.setdefault("cm_messages", []).append((kind, text))


def _reset_flow() -> None:
    for key in _FLOW_KEYS:
        st.session_state.pop(key, None)
    st.session_state["cm_step"] = "phone"


# --- the verification steps (callbacks, as on the vote page: each moves the resident's flow on and its
# notice stays beside the panel; the proposal itself is a write through writes.attempt) -------------------

def _send() -> None:
    typed = st.session_state.get("cm_captcha_input", "")
    st.session_state["cm_captcha_input"] = ""
    if not vote_captcha.passed(typed):
        _say("error", t("vote.error.captcha_wrong"))
        return
    phone = st.session_state.get("cm_phone", "")
    try:
        sent = verification.request_code(store.engine(), phone=phone, client_address=_client_address())
    except DomainError as err:
        _say("error", error_text(err, field_prefix=FIELD_PREFIX))
        return
    st.session_state.update(cm_step="code", cm_sent=sent, cm_phone_sent=phone, cm_code="")


def _verify() -> None:
    code = st.session_state.get("cm_code", "")
    st.session_state["cm_code"] = ""
    try:
        ticket = verification.verify_code(store.engine(), phone=st.session_state.get("cm_phone_sent", ""), code=code)
    except DomainError as err:
        _say("error", error_text(err, field_prefix=FIELD_PREFIX))
        if err.code in _START_AGAIN:
            _reset_flow()
        return
    st.session_state.update(cm_step="form", cm_ticket=ticket.ticket)
    _say("success", t("cm.propose.verified"))


def _phone_step() -> None:
    st.markdown(t("cm.propose.step1"))
    st.text_input(t("cm.field.phone"), key="cm_phone", max_chars=20, type="phone", autocomplete="tel",
                  placeholder="13800138000")
    label = vote_captcha.show() or t("vote.captcha")  # the vote's CAPTCHA: the same check before a code is sent
    st.text_input(label, key="cm_captcha_input", max_chars=8)
    st.button(t("vote.send_code"), key="cm_send", type="primary", on_click=_send)


def _code_step() -> None:
    sent = st.session_state["cm_sent"]
    if sent.demo_code:
        st.warning(t("vote.demo_banner", code=sent.demo_code), icon=":material/science:")
    st.markdown(t("cm.propose.step2"))
    st.caption(t("vote.code_sent", number=md_escape(sent.number),
                 minutes=int(vote_codes.CODE_TTL.total_seconds() // 60)))
    st.text_input(t("cm.field.code"), key="cm_code", max_chars=6, type="phone", autocomplete="one-time-code")
    st.button(t("cm.propose.verify"), key="cm_verify", type="primary", on_click=_verify)
    st.button(t("vote.resend"), key="cm_restart", on_click=_reset_flow)


# --- the proposal ---------------------------------------------------------------------------------------

def _explain(err: DomainError) -> str:
    if err.code in _START_AGAIN:  # the verification lapsed while they wrote: keep the text, verify again
        st.session_state["cm_step"] = "phone"
        st.session_state.pop("cm_ticket", None)
    return error_text(err, field_prefix=FIELD_PREFIX)


def _submitted(receipt: proposals.Receipt) -> None:
    st.session_state.setdefault("cm_receipts", []).append((receipt.code, st.session_state.get("cm_title", "")))
    for key in _FORM_KEYS:
        st.session_state.pop(key, None)


def _form() -> None:
    st.markdown(t("cm.propose.step3"))
    sent = st.session_state.get("cm_sent")
    st.caption(t("cm.propose.verified_as", number=md_escape(sent.number if sent else ""),
                 per_day=rules.proposals_per_day()))
    tree = community_data.community_tree(store.url())
    community_id = picker.hierarchy(tree, key="cm_pick")
    lg = lang()
    themes = {code: labels.theme(code, lg) for code in rules.THEMES}
    theme = st.selectbox(t("cm.field.theme"), list(themes), format_func=themes.get, index=None, key="cm_theme",
                         placeholder=t("cm.pick.placeholder"))
    title = st.text_input(t("cm.field.title"), key="cm_title", max_chars=rules.TITLE_LENGTH[1],
                          placeholder=t("cm.propose.title_hint"))
    problem = st.text_area(t("cm.field.problem"), key="cm_problem", max_chars=rules.TEXT_LENGTH[1],
                           placeholder=t("cm.propose.problem_hint"))
    suggestion = st.text_area(t("cm.field.suggestion"), key="cm_suggestion", max_chars=rules.TEXT_LENGTH[1],
                              placeholder=t("cm.propose.suggestion_hint"))
    estimate = st.number_input(t("cm.field.estimate"), key="cm_estimate", value=None, min_value=0,
                               max_value=rules.ESTIMATE_MAX, step=1000, placeholder=t("cm.propose.estimate_hint"))
    if st.button(t("cm.propose.submit"), key="cm_submit", type="primary", icon=":material/send:",
                 width="stretch"):
        data = {"community_id": community_id, "theme": theme, "title": title, "problem": problem,
                "suggestion": suggestion, "estimate": estimate}
        attempt(lambda: proposals.submit_proposal(store.engine(), ticket=st.session_state.get("cm_ticket"), data=data),
                area="community", flash_key=FLASH, field_prefix=FIELD_PREFIX, explain=_explain,
                done=lambda r: t("cm.propose.done", left=r.left_today), before_rerun=_submitted)
    st.button(t("vote.change_number"), key="cm_change_number", on_click=_reset_flow)


def _receipts() -> None:
    """The tracking codes of what this visitor submitted in this session, each with its link."""
    for code, title in st.session_state.get("cm_receipts", []):
        with st.container(border=True):
            st.markdown(t("cm.propose.receipt", code=code))
            st.text(title)
            st.page_link("pages/community_board.py", label=t("cm.propose.follow"), icon=":material/search:",
                         query_params={"track": code})


def render(_actor=None) -> None:
    st.title(t("cm.page.propose"))
    st.caption(t("cm.propose.intro"))
    show_flash(FLASH)
    _receipts()
    step = st.session_state.setdefault("cm_step", "phone")
    with st.container(border=True):
        for kind, text in st.session_state.pop("cm_messages", []):
            getattr(st, kind)(text)
        if step == "form":
            _form()
        elif step == "code":
            _code_step()
        else:
            _phone_step()
    st.page_link("pages/community_board.py", label=t("cm.propose.to_board"), icon=":material/campaign:")
