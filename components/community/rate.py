"""居民评事: a resident rates a carried-out proposal's project (?proposal=<id>, linked from each such card of the
public board), 1-5 with an optional comment, after the same phone check as a proposal (components/community/
phone.py: one verification serves both pages). Only a number that proposed in the project's community, or that
declares living there (picked and confirmed here, kept one community per number), may rate: the db decides
(db.community.ratings.standing, rate); this page only asks. One rating per number and project, kept by the
database. The proposal, the rating and every comment are shown as text."""

from __future__ import annotations

import streamlit as st

from components import store, url_state
from components.community import data as community_data
from components.community import labels, phone, picker
from components.i18n import error_text, lang, t
from components.safe_text import md_escape
from components.writes import attempt, show_flash
from db.community import ratings, rules
from db.errors import DomainError

FLASH = "cm_rate_flash"


def render(_actor=None) -> None:
    st.title(t("cm.page.rate"))
    st.caption(t("cm.rate.intro"))
    show_flash(FLASH)
    url = store.url()
    proposal_id = url_state.record_id("proposal")
    row = community_data.rateable(url, proposal_id) if proposal_id else None
    if row is None:
        st.info(t("cm.rate.pick"))
        st.page_link("pages/community_board.py", label=t("cm.propose.to_board"), icon=":material/campaign:")
        return
    _proposal(url, row)
    if proposal_id in st.session_state.get("cm_rated", ()):
        st.success(t("cm.rate.thanks"))
    else:
        with st.container(border=True):
            phone.show_messages()
            step = phone.step()
            if step == "form":
                _form(proposal_id)
            elif step == "code":
                phone.code_step("cm.propose.step2", "cm.rate.verified")
            else:
                phone.phone_step("cm.rate.step1")
    st.page_link("pages/community_board.py", label=t("cm.propose.to_board"), icon=":material/campaign:")


def _proposal(url: str, row: dict) -> None:
    lg = lang()
    with st.container(border=True):
        st.markdown(f"**{md_escape(row['title'])}**")
        st.caption(" · ".join(md_escape(part) for part in (
            t("cm.board.number", id=int(row["id"])), f"{row['street']} · {row['community']}",
            labels.theme(row["theme"], lg))))
        project = labels.project(row["route"], row["funding_source"], row["funding_amount"], row["pipeline_stage"],
                                 row["community_stage"], row["project_code"], lg)
        if project:
            st.text(project)
        summary = community_data.rating_summaries(url, (int(row["id"]),))
        st.text(labels.rating_line(summary, int(row["id"]), lg) or t("cm.rate.none_yet"))


def _explain(err: DomainError) -> str:
    phone.lapsed(err)
    return error_text(err, field_prefix=phone.FIELD_PREFIX)


def _rated(receipt: ratings.RatingReceipt) -> None:
    st.session_state.setdefault("cm_rated", []).append(receipt.proposal_id)
    for key in ("cm_score", "cm_comment", "cm_resident"):
        st.session_state.pop(key, None)


def _standing(proposal_id: int) -> ratings.Standing | None:
    """Whether this verified number may rate the project, asked of the db on every run (a ticket is per session)."""
    try:
        return ratings.standing(store.engine(), ticket=phone.ticket(), proposal_id=proposal_id)
    except DomainError as err:
        if phone.lapsed(err):  # verify again
            phone.say("error", error_text(err, field_prefix=phone.FIELD_PREFIX))
            st.rerun()
        st.error(error_text(err, field_prefix=phone.FIELD_PREFIX))
        return None


def _residence(standing: ratings.Standing) -> dict | None:
    """The proposer's or known resident's footing, or the declaration asked of anyone else; None: may not rate."""
    community = md_escape(standing.community)
    if standing.basis == rules.PROPOSER:
        st.caption(t("cm.rate.as_proposer", community=community))
        return {}
    if standing.basis == rules.RESIDENT:
        st.caption(t("cm.rate.as_resident", community=community))
        return {}
    if standing.locked_until is not None:
        st.warning(t("cm.rate.declared_elsewhere", community=md_escape(standing.declared or ""),
                     day=standing.locked_until.isoformat()))
        return None
    st.markdown(t("cm.rate.residence_intro", community=community))
    tree = community_data.community_tree(store.url())
    residence = picker.hierarchy(tree, key="cm_home", param=None, field="cm.field.residence_id")
    resident = st.checkbox(t("cm.rate.resident_confirm"), key="cm_resident")
    st.caption(t("cm.rate.residence_note", days=rules.RESIDENCE_DAYS))
    return {"residence_id": residence, "resident": resident}


def _form(proposal_id: int) -> None:
    standing = _standing(proposal_id)
    if standing is None:
        return
    if standing.rated:
        st.success(t("cm.rate.thanks"))
        st.button(t("vote.change_number"), key="cm_change_number", on_click=phone.reset_flow)
        return
    st.markdown(t("cm.rate.step3"))
    st.caption(t("cm.rate.verified_as", number=phone.verified_number()))
    residence = _residence(standing)
    if residence is None:
        st.button(t("vote.change_number"), key="cm_change_number", on_click=phone.reset_flow)
        return
    stars = {score: "★" * score + "☆" * (rules.SCORES[-1] - score) + f" {score}" for score in rules.SCORES}
    score = st.radio(t("cm.field.score"), list(stars), format_func=stars.get, index=None, key="cm_score")
    comment = st.text_area(t("cm.field.comment"), key="cm_comment", max_chars=rules.RATING_COMMENT_MAX,
                           placeholder=t("cm.rate.comment_hint"))
    if st.button(t("cm.rate.submit"), key="cm_rate_submit", type="primary", icon=":material/star:",
                 width="stretch"):
        data = {"proposal_id": proposal_id, "score": score, "comment": comment, **residence}
        attempt(lambda: ratings.rate(store.engine(), ticket=phone.ticket(), data=data), area="community",
                flash_key=FLASH, field_prefix=phone.FIELD_PREFIX, explain=_explain, done=t("cm.rate.done"),
                before_rerun=_rated)
    st.button(t("vote.change_number"), key="cm_change_number", on_click=phone.reset_flow)
