"""The public vote page, phone first: the campaign and its rules, the case cards, and the vote
(notice and consent → number → CAPTCHA (a picture, or a sum in text) → one-time code → pick cases →
submit); after publication, the top ten.

Every case text is user-supplied: cards are containers of st.text and inert markdown only.

A voter who leaves to read the text message may come back to a new server session (Streamlit drops a
disconnected one after server.disconnectedSessionTTL, or the app restarted, or the reconnect reached
another instance). The send's flow token (random, never the number) is therefore kept in a cookie as
well, and a new session picks the flow up from it (db.voting.codes.flow_state); what the voter typed
or ticked is in the browser's widgets and comes back with the next rerun.
"""

from __future__ import annotations

import re

import streamlit as st

from components import caching, formatting, store, url_state
from components.i18n import error_text, lang, t
from components.safe_text import md_escape
from components.voting import captcha as vote_captcha
from components.voting import data as voting_data
from components.voting import objections_public
from db import clock
from db.errors import DomainError
from db.models.voting import THEMES
from db.voting import ballot as vote_ballot
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import delivery as vote_delivery
from db.voting import rules as vote_rules

THEME_LABELS = {theme: f"vote.theme.{theme}" for theme in THEMES}
# vote_token: the send's flow token in the code step, the ballot ticket after it; never the number
_FLOW_KEYS = ("vote_step", "vote_sent", "vote_token", "vote_token_until", "vote_flow_campaign")
FLOW_COOKIE = "cpme_vote"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,100}")  # secrets.token_urlsafe: safe inside a script


def _client_address() -> str | None:
    """The connection's address (a reverse proxy's X-Forwarded-For when one sits in front)."""
    try:
        address = st.context.ip_address
    except Exception:  # no real connection (AppTest, some hosts)
        return None
    return address if isinstance(address, str) and address else None


def _say(kind: str, text: str, where: str = "panel") -> None:
    """Queue a message for the next run, shown beside the control that caused it (not off-screen)."""
    st.session_state.setdefault(f"vote_messages_{where}", []).append((kind, text))


def _show_messages(where: str) -> None:
    for kind, text in st.session_state.pop(f"vote_messages_{where}", []):
        getattr(st, kind)(text)


def _reset_next_run(**values) -> None:
    """Widget values set as the next run starts (render): a widget drawn already in this run cannot be changed,
    and the code step's and the ballot's buttons are read after their widgets, not in callbacks."""
    st.session_state.setdefault("vote_resets", {}).update(values)


def _fail(err: DomainError, where: str = "panel") -> None:
    _say("error", error_text(err, field_prefix="vote.field."), where)


def _reset_flow() -> None:
    for key in _FLOW_KEYS:
        st.session_state.pop(key, None)
    st.session_state["vote_step"] = "phone"
    st.session_state["vote_forget_token"] = True  # and in the browser


# --- the flow token in the browser ----------------------------------------------------------------

def browser_token() -> str | None:
    """The flow token the browser sent when this session's connection opened, if it looks like one."""
    try:
        value = st.context.cookies.get(FLOW_COOKIE)
    except Exception:  # no real connection (AppTest)
        return None
    return value if isinstance(value, str) and _TOKEN_SHAPE.fullmatch(value) else None


def _resume(campaign_id: int) -> None:
    """A session without a flow: go on with the one whose token the browser kept, if it still can."""
    token = browser_token()
    state = vote_codes.flow_state(store.engine(), token=token) if token else None
    if state is None or state.campaign_id != campaign_id:
        return
    st.session_state.update(vote_step=state.step, vote_token=token, vote_token_until=state.expires_at,
                            vote_flow_campaign=campaign_id, vote_sent=None)
    _say("info", t("vote.resumed"))


def _keep_token_in_browser(step: str) -> None:
    """Write the flow token into a cookie (gone when the token would be refused anyway), or clear it.
    Max-Age, not Expires: the browser's clock need not agree with the server's. SameSite=Strict: a
    link from elsewhere does not carry it."""
    token, until = st.session_state.get("vote_token"), st.session_state.get("vote_token_until")
    if step in ("code", "ballot") and token and until and _TOKEN_SHAPE.fullmatch(token):
        value, max_age = token, max(int((until - clock.utcnow()).total_seconds()), 1)
    elif st.session_state.get("vote_forget_token") or browser_token():
        value, max_age = "", 0
    else:
        return
    st.html(f"<script>document.cookie = '{FLOW_COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict'"
            " + (location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)


# --- callbacks (run before the script, so they may reset widget values) -------------------------
# Not writes.attempt: each step moves the resident's flow on (phone → code → ballot) and its notice
# stays with the step's panel; nothing here is a staff write that clears an area and reruns.

def _send(campaign_id: int) -> None:
    if not st.session_state.get("vote_consent"):  # nothing is done with the number before the tick
        _say("error", t("vote.error.consent"))
        return
    typed = st.session_state.get("vote_captcha_input", "")
    st.session_state["vote_captcha_input"] = ""
    kind = vote_captcha.mode()
    if not vote_captcha.passed(typed):
        _say("error", t("vote.error.captcha_wrong" if kind == "image" else "vote.error.sum_wrong"))
        return
    try:
        sent = vote_codes.request_code(store.engine(), campaign_id=campaign_id,
                                       phone=st.session_state.get("vote_phone", ""), client_address=_client_address())
    except DomainError as err:
        _fail(err)
        return
    # From here the page holds the token, not the number (the number's widget is gone from the code step).
    st.session_state.update(vote_step="code", vote_sent=sent, vote_token=sent.token, vote_token_until=sent.expires_at,
                            vote_flow_campaign=campaign_id, vote_code="")


def _verify(campaign_id: int) -> None:
    code = st.session_state.get("vote_code", "")
    _reset_next_run(vote_code="")
    try:
        ballot = vote_codes.verify_code(store.engine(), campaign_id=campaign_id,
                                        token=st.session_state.get("vote_token", ""), code=code)
    except DomainError as err:
        _fail(err)
        if err.code in ("vote.error.code_expired", "vote.error.code_locked", "vote.error.code_missing"):
            _reset_flow()  # back to the number; the browser forgets the dead token too
        return
    st.session_state.update(vote_step="ballot", vote_token=ballot.ticket, vote_token_until=ballot.expires_at)
    _say("success", t("vote.verified"))


def _submit(campaign_id: int, titles: dict[int, str]) -> None:
    picked = [case_id for case_id in titles if st.session_state.get(f"vote_pick_{case_id}")]
    if not picked:
        _say("warning", t("vote.error.nothing_picked"), "submit")
        return
    engine, ticket = store.engine(), st.session_state.get("vote_token", "")
    try:
        # the ticks reach the server only with the submit (a form), so the day's limit is told here, before
        # anything is counted, rather than the ballot counting some and refusing the rest
        ballot = vote_codes.ballot_state(engine, ticket=ticket)
        left = max(ballot.per_day - ballot.used_today, 0)
        new = [case_id for case_id in picked if case_id not in ballot.voted_today]  # the rest: "already voted"
        if len(new) > left:
            _say("warning", t("vote.error.too_many", n=len(picked), left=left, extra=len(new) - left)
                 if left else t("vote.error.day_used"), "submit")
            return
        outcomes = vote_ballot.cast_votes(engine, ticket=ticket, case_ids=picked, client_address=_client_address())
    except DomainError as err:
        _fail(err, "panel" if err.code == "vote.error.session_expired" else "submit")
        if err.code == "vote.error.session_expired":
            _reset_flow()
        return
    caching.clear("voting.votes")
    by_result: dict[str, list[str]] = {}
    _reset_next_run(**{f"vote_pick_{outcome.case_id}": False for outcome in outcomes})
    for outcome in outcomes:
        by_result.setdefault(outcome.result, []).append(md_escape(titles.get(outcome.case_id, "")))
    opening, closing, joiner = ("「", "」", "、") if lang() == "zh" else ("“", "”", ", ")

    def listed(result: str) -> str:
        return joiner.join(opening + title + closing for title in by_result[result])

    if "counted" in by_result:
        _say("success", t("vote.counted", n=len(by_result["counted"]), cases=listed("counted")), "submit")
    if "already_voted" in by_result:
        _say("warning", t("vote.already_voted", cases=listed("already_voted")), "submit")
    if "quota_used" in by_result:
        _say("warning", t("vote.quota_used", cases=listed("quota_used")), "submit")
    if "unknown_case" in by_result:
        _say("error", t("vote.error.unknown_case"), "submit")


# --- the page -----------------------------------------------------------------------------------

def _pick_campaign(campaigns: list[voting.CampaignPublic]) -> voting.CampaignPublic:
    by_id = {c.id: c for c in campaigns}
    requested = url_state.get("c")
    current = int(requested) if requested and requested.isdigit() and int(requested) in by_id else campaigns[0].id
    if len(campaigns) > 1:
        labels = {c.id: c.title for c in campaigns}
        current = st.selectbox(t("vote.pick_campaign"), list(labels), index=list(labels).index(current),
                               format_func=labels.get, key=f"vote_campaign_{current}", placeholder=t("common.choose"))
    url_state.write("c", current)
    return by_id[current]


def render(_actor=None) -> None:
    st.session_state.update(st.session_state.pop("vote_resets", {}))  # before any widget is drawn
    st.title(t("vote.page.public"))
    url = store.url()
    campaigns = voting_data.public_campaigns(url)
    if not campaigns:
        st.info(t("vote.no_campaign"))
        return
    campaign = _pick_campaign(campaigns)
    if st.session_state.get("vote_flow_campaign") not in (None, campaign.id):
        _reset_flow()
    phase = vote_rules.phase(campaign.status, campaign.opens_at, campaign.closes_at, clock.utcnow())
    _header(campaign, phase)
    cases = voting_data.public_cases(url, campaign.id)
    if phase == "published":
        _results(url, campaign)
        objections_public.render(url, campaign)  # 公示: the answers, voided cases, and filing while it runs
        return
    ballot = None
    if phase == "open":
        ballot = _vote_panel(campaign)
    tally = voting_data.public_tally(url, campaign.id) if phase == "open" and campaign.show_live_tally else None
    shown = _filters(cases, campaign.id)
    if ballot is None:
        _cards(shown, tally, None)
        return
    # The cards and the submit are one form: a tick stays in the phone until the voter submits, so ticking
    # sends nothing and reruns nothing (a rerun redraws every card: about 1 s a tick on a phone at 40 cards).
    with st.form("vote_ballot", border=False, enter_to_submit=False):
        _cards(shown, tally, ballot)
        titles = dict(zip(cases["id"].astype(int), cases["title"]))
        st.caption(t("vote.how_to_submit", left=max(ballot.per_day - ballot.used_today, 0)))
        _show_messages("submit")
        # The button's value, not on_click: a voter back from reading elsewhere may submit into a new session,
        # whose first run calls no callback (it has not met the button yet) but gets the press and the ticks.
        if st.form_submit_button(t("vote.submit"), key="vote_submit", type="primary",
                                 icon=":material/how_to_vote:", width="stretch"):
            _submit(campaign.id, titles)
            st.rerun()


def _header(campaign: voting.CampaignPublic, phase: str) -> None:
    lg = lang()
    st.markdown("#### " + md_escape(campaign.title))
    if campaign.description:
        st.text(campaign.description)
    st.caption(t("vote.window", start=formatting.minute(campaign.opens_at, lg), end=formatting.minute(campaign.closes_at, lg)))
    st.caption(t("vote.rules", per_day=campaign.per_voter_per_day, per_case=campaign.per_case_per_day))
    notices = {"upcoming": ("info", "vote.phase.upcoming"), "open": ("success", "vote.phase.open"),
               "ended": ("info", "vote.phase.ended"), "closed": ("info", "vote.phase.ended")}
    if phase in notices:
        kind, key = notices[phase]
        getattr(st, kind)(t(key))


def _vote_panel(campaign: voting.CampaignPublic):
    """The steps before the cards; returns the ballot state once the number is verified."""
    if "vote_step" not in st.session_state:  # a new session: perhaps the old one was dropped mid-flow
        _resume(campaign.id)
    step = st.session_state.setdefault("vote_step", "phone")
    with st.container(border=True):
        _show_messages("panel")
        ballot = _steps(campaign, step)
        _keep_token_in_browser(st.session_state.get("vote_step", step))
    return ballot


def _steps(campaign: voting.CampaignPublic, step: str):
    lg = lang()
    if step == "ballot":
        try:
            ballot = vote_codes.ballot_state(store.engine(), ticket=st.session_state.get("vote_token", ""))
        except DomainError as err:
            _fail(err)
            _reset_flow()
            st.rerun()
        sent = st.session_state.get("vote_sent")
        st.markdown(t("vote.step3"))
        left = max(ballot.per_day - ballot.used_today, 0)
        st.caption(t("vote.ballot_status", number=sent.number, left=left, per_day=ballot.per_day) if sent else
                   t("vote.ballot_status_resumed", left=left, per_day=ballot.per_day))
        st.button(t("vote.change_number"), key="vote_change_number", on_click=_reset_flow)
        return ballot
    if step == "code":
        sent = st.session_state.get("vote_sent")
        if sent and sent.demo_code:
            st.warning(t("vote.demo_banner", code=sent.demo_code), icon=":material/science:")
        st.markdown(t("vote.step2"))
        minutes = int(vote_codes.CODE_TTL.total_seconds() // 60)
        st.caption(t("vote.code_sent", number=sent.number, minutes=minutes) if sent else
                   t("vote.code_sent_resumed", until=formatting.minute(st.session_state["vote_token_until"], lg)))
        st.text_input(t("vote.code"), key="vote_code", max_chars=6, type="phone", autocomplete="one-time-code",
                      placeholder=t("vote.code_placeholder"), icon=":material/sms:")
        # the button's value, not on_click, as for the submit: the voter most often presses it coming back from
        # reading the text message, into a new session whose first run would call no callback
        if st.button(t("vote.verify"), key="vote_verify", type="primary"):
            _verify(campaign.id)
            st.rerun()
        st.button(t("vote.resend"), key="vote_restart", on_click=_reset_flow)
        return None
    st.markdown(t("vote.step1"))
    _notice()
    st.checkbox(t("vote.consent"), key="vote_consent")
    st.text_input(t("vote.phone"), key="vote_phone", max_chars=20, type="phone", autocomplete="tel",
                  placeholder=t("vote.phone_placeholder"), icon=":material/smartphone:")
    answer_label = vote_captcha.show()
    st.text_input(answer_label, key="vote_captcha_input", max_chars=8)
    st.button(t("vote.send_code"), key="vote_send", type="primary", on_click=_send, args=(campaign.id,))
    return None


def _notice() -> None:
    """What PIPL art. 17 asks to be told before the number is given: what is kept, how long, for what."""
    try:
        sms = vote_delivery.delivery_mode() != "demo"
    except DomainError:  # misconfigured: sending refuses, but say what a working setup would do
        sms = True
    st.markdown(t("vote.notice.summary"))  # the gist in sight, the whole of it one tap away (a phone's screen)
    with st.expander(t("vote.notice.title"), icon=":material/privacy_tip:"):
        st.markdown(t("vote.notice.body", ticket_minutes=int(vote_codes.TICKET_TTL.total_seconds() // 60))
                    + "\n" + t("vote.notice.sms" if sms else "vote.notice.demo"))


def _filters(cases, campaign_id: int):
    themes = [theme for theme in THEMES if theme in set(cases["theme"])]
    labels = {"": t("common.all"), **{theme: t(THEME_LABELS[theme]) for theme in themes}}
    theme = st.selectbox(t("vote.filter_theme"), list(labels), format_func=labels.get,
                         key=f"vote_theme_{campaign_id}", placeholder=t("common.choose"))
    query = (st.text_input(t("vote.search"), key="vote_search", max_chars=40) or "").strip()
    shown = cases
    if theme:
        shown = shown[shown["theme"] == theme]
    if query:
        needle = query.lower()
        hit = [needle in f"{a} {b} {c}".lower() for a, b, c in zip(shown["title"], shown["organization"], shown["summary"])]
        shown = shown[hit]
    st.caption(t("vote.shown", n=len(shown), total=len(cases)))
    return shown


def _cards(cases, tally: dict[int, int] | None, ballot) -> None:
    lg = lang()
    if tally is not None:
        st.caption(t("vote.tally_total", n=formatting.number(sum(tally.values()), lg)))
    for row in cases.itertuples():
        case_id = int(row.id)
        with st.container(border=True):
            st.markdown("**" + md_escape(row.title) + "**")
            st.caption(md_escape(row.organization) + " · " + md_escape(t(THEME_LABELS.get(row.theme, row.theme))))
            if row.summary:
                st.text(row.summary)
            if tally is not None:
                st.caption(t("vote.tally", n=formatting.number(tally.get(case_id, 0), lg)))
            if ballot is not None:
                if case_id in ballot.voted_today:
                    st.caption(t("vote.voted_today"))
                else:
                    st.checkbox(t("vote.pick"), key=f"vote_pick_{case_id}")


def _results(url: str, campaign: voting.CampaignPublic) -> None:
    lg = lang()
    results = voting_data.public_results(url, campaign.id)
    if results is None or results.empty:
        st.info(t("vote.phase.ended"))
        return
    today = clock.today()
    if campaign.notice_until and campaign.notice_until >= today:
        st.info(t("vote.notice_running", until=formatting.day(campaign.notice_until, lg)))
    elif campaign.notice_until:
        st.success(t("vote.notice_over", until=formatting.day(campaign.notice_until, lg)))
    st.subheader(t("vote.top_ten"), anchor=False)
    for row in results[results["winner"]].itertuples():
        with st.container(border=True):
            st.markdown(f"**{int(row.rank)}\\. " + md_escape(row.title) + "**")
            st.caption(md_escape(row.organization) + " · " + md_escape(t(THEME_LABELS.get(row.theme, row.theme))))
            st.caption(t("vote.result_line", score=formatting.number(row.combined, lg, 2),
                         expert=formatting.number(row.expert_score, lg, 1), votes=formatting.number(row.votes, lg)))
    with st.expander(t("vote.full_ranking")):
        table = results.assign(theme=results["theme"].map(lambda v: t(THEME_LABELS.get(v, v))),
                               winner=results["winner"].map(lambda v: t("common.yes") if v else t("common.no")))
        headings = {"rank": "vote.col.rank", "title": "vote.col.title", "organization": "vote.col.organization",
                    "theme": "vote.col.theme", "expert_score": "vote.col.expert_score", "votes": "vote.col.votes",
                    "combined": "vote.col.combined", "winner": "vote.col.winner"}
        st.dataframe(table[list(headings)].rename(columns={k: t(v) for k, v in headings.items()}),
                     hide_index=True, width="stretch")
