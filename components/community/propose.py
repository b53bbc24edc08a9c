"""我要提建议: a resident proposes a project for their community, on a phone, with no account. The number is
verified as the public vote verifies it (number → image CAPTCHA → one-time code), then the proposal is
written; the resident gets a tracking code to follow it on the public board (community_board).

Everything the resident types goes to the db as typed and comes back only as text (st.text, tables)."""

from __future__ import annotations

import streamlit as st

from components import store
from components.community import data as community_data
from components.community import labels, phone, picker
from components.i18n import error_text, lang, t
from components.writes import attempt, show_flash
from db.community import proposals, rules
from db.errors import DomainError

FLASH = "cm_propose_flash"
FIELD_PREFIX = phone.FIELD_PREFIX
_FORM_KEYS = ("cm_theme", "cm_title", "cm_problem", "cm_suggestion", "cm_estimate", "cm_photos")


# --- the proposal ---------------------------------------------------------------------------------------

def _explain(err: DomainError) -> str:
    phone.lapsed(err)  # the verification lapsed while they wrote: keep the text, verify again
    return error_text(err, field_prefix=FIELD_PREFIX)


def _submitted(receipt: proposals.Receipt) -> None:
    st.session_state.setdefault("cm_receipts", []).append((receipt.code, st.session_state.get("cm_title", "")))
    for key in _FORM_KEYS:
        st.session_state.pop(key, None)


def _form() -> None:
    st.markdown(t("cm.propose.step3"))
    st.caption(t("cm.propose.verified_as", number=phone.verified_number(), per_day=rules.proposals_per_day()))
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
    files = st.file_uploader(t("cm.field.photos"), type=["jpg", "jpeg", "png", "webp"], accept_multiple_files=True,
                             key="cm_photos")
    if st.button(t("cm.propose.submit"), key="cm_submit", type="primary", icon=":material/send:",
                 width="stretch"):
        data = {"community_id": community_id, "theme": theme, "title": title, "problem": problem,
                "suggestion": suggestion, "estimate": estimate}
        sent = [upload.getvalue() for upload in files or []]
        attempt(lambda: proposals.submit_proposal(store.engine(), ticket=phone.ticket(), data=data, photos=sent),
                area="community", flash_key=FLASH, field_prefix=FIELD_PREFIX, explain=_explain,
                done=lambda r: t("cm.propose.done", left=r.left_today), before_rerun=_submitted)
    st.button(t("vote.change_number"), key="cm_change_number", on_click=phone.reset_flow)


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
    step = phone.step()
    with st.container(border=True):
        phone.show_messages()
        if step == "form":
            _form()
        elif step == "code":
            phone.code_step("cm.propose.step2", "cm.propose.verified")
        else:
            phone.phone_step("cm.propose.step1")
    st.page_link("pages/community_board.py", label=t("cm.propose.to_board"), icon=":material/campaign:")
