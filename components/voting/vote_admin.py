"""Campaign administration: create and edit a campaign and its rules, add cases (from a project or by
hand), enter expert scores, open and close. The db layer refuses rule changes after the first vote."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import streamlit as st

from components import formatting, store, tables
from components.i18n import lang, t
from components.safe_text import md_escape
from components.voting import data as voting_data
from components.voting import poster
from components.writes import attempt, show_flash
from db import clock, org_units, settings
from db.access import Actor
from db.models.voting import THEMES
from db.voting import campaigns as voting

STATUS_LABELS = ("draft", "open", "closed", "published")
CAMPAIGN_HEADINGS = {"title": "vote.col.campaign", "year": "vote.col.year", "status_label": "vote.col.status",
                     "opens": "vote.col.opens", "closes": "vote.col.closes", "org_unit": "vote.col.org_unit",
                     "cases": "vote.col.cases", "frozen": "vote.col.frozen"}
CASE_HEADINGS = {"sort_order": "vote.col.no", "title": "vote.col.title", "organization": "vote.col.organization",
                 "theme_label": "vote.col.theme", "expert_score": "vote.col.expert_score", "summary": "vote.col.summary"}


def _attempt(write, done_key: str) -> None:
    attempt(write, area="voting", flash_key="vote_admin_flash", done=t(done_key), field_prefix="vote.field.")


def render(actor: Actor) -> None:
    st.title(t("vote.page.admin"))
    st.caption(t("vote.admin.caption"))
    show_flash("vote_admin_flash")
    lg = lang()
    frame = voting_data.campaigns(store.url(), actor)
    if not frame.empty:
        frame = frame.assign(
            status_label=frame["status"].map(lambda s: t(f"vote.status.{s}")),
            opens=frame["opens_at"].map(lambda v: formatting.minute(v, lg)),
            closes=frame["closes_at"].map(lambda v: formatting.minute(v, lg)),
            frozen=frame["rules_frozen_at"].map(lambda v: t("common.yes") if v is not None and v == v else t("common.no")))
        st.dataframe(tables.labelled(frame, CAMPAIGN_HEADINGS), hide_index=True, width="stretch")
    labels = {0: t("vote.admin.new"), **{int(r.id): f"{r.title} · {r.status_label}" for r in frame.itertuples()}}
    pending = st.session_state.pop("vote_admin_pending", None)
    if pending in labels:
        st.session_state["vote_admin_campaign"] = pending
    choice = st.selectbox(t("vote.admin.pick"), list(labels), index=1 if len(labels) > 1 else 0,
                          format_func=labels.get, key="vote_admin_campaign", placeholder=t("common.choose"))
    if not choice:
        _campaign_form(actor, None)
        return
    engine = store.engine()
    campaign = voting.get_campaign(engine, actor=actor, campaign_id=choice)
    _actions(actor, campaign)
    if campaign.status in ("draft", "open"):
        _poster(actor, campaign)
    with st.expander(t("vote.admin.edit"), expanded=campaign.status == "draft"):
        _campaign_form(actor, campaign)
    _cases(actor, campaign)


def _actions(actor: Actor, campaign: voting.CampaignPublic) -> None:
    lg = lang()
    st.subheader(t("vote.admin.status", status=t(f"vote.status.{campaign.status}")), anchor=False)
    if campaign.rules_frozen_at:
        st.info(t("vote.admin.frozen", at=formatting.minute(campaign.rules_frozen_at, lg)))
    engine = store.engine()
    if campaign.status == "draft" and st.button(t("vote.admin.open"), key="vote_admin_open", type="primary"):
        _attempt(lambda: voting.open_campaign(engine, actor=actor, campaign_id=campaign.id), "vote.admin.opened")
    if campaign.status == "open" and st.button(t("vote.admin.close"), key="vote_admin_close", type="primary"):
        _attempt(lambda: voting.close_campaign(engine, actor=actor, campaign_id=campaign.id), "vote.admin.closed")
    if campaign.status in ("closed", "published"):
        st.page_link("pages/vote_review.py", label=t("vote.admin.to_review"), icon=":material/fact_check:")


def _public_base() -> tuple[str | None, bool]:
    """(the address residents reach the app at, whether it is APP_PUBLIC_URL): without the setting, the
    address this browser uses, less the page's own path (right only if residents use it too)."""
    configured = settings.public_url()
    if configured:
        return configured, True
    try:
        here = st.context.url
    except Exception:  # no real connection (AppTest)
        here = None
    return (here.rsplit("/", 1)[0] if isinstance(here, str) and "://" in here else None), False


def _poster(actor: Actor, campaign: voting.CampaignPublic) -> None:
    """The printable poster: the campaign's title, time and rules, the QR code of its vote page, how to vote."""
    with st.expander(t("vote.poster.title"), icon=":material/qr_code_2:"):
        st.caption(t("vote.poster.caption"))
        base, configured = _public_base()
        if base is None:
            st.info(t("vote.poster.no_url"))
            return
        try:
            url = poster.vote_url(base, campaign.id)
        except poster.BadPublicUrl:
            st.error(t("vote.poster.bad_url"))
            return
        if not configured:
            st.warning(t("vote.poster.guessed_url", base=md_escape(base)))
        st.caption(t("vote.poster.url"))
        st.code(url, language=None)
        if poster.font_file() is None:
            st.warning(t("vote.poster.no_font"))
        lg = lang()
        districts = org_units.units_in_scope(store.engine(), actor=actor, levels=("district",))
        organiser = dict(zip(districts["id"].astype(int), districts["name"])).get(campaign.org_unit_id, "")
        text = poster.PosterText(
            band=t("vote.poster.band"), title=campaign.title,
            lines=(t("vote.window", start=formatting.minute(campaign.opens_at, lg),
                     end=formatting.minute(campaign.closes_at, lg)),
                   t("vote.rules", per_day=campaign.per_voter_per_day, per_case=campaign.per_case_per_day)),
            how=t("vote.poster.how"), steps=(t("vote.poster.step1"), t("vote.poster.step2"), t("vote.poster.step3")),
            or_open=t("vote.poster.or_open"), footer=t("vote.poster.organiser", name=organiser) if organiser else "")
        name = f"{t('vote.poster.file')}-{campaign.id}"
        left, right = st.columns(2)
        # built on click: a poster takes about 0.3 s
        tables.download_button(left, t("vote.poster.png"), data=partial(poster.png, text, url),
                               file_name=f"{name}.png", mime="image/png", key="vote_poster_png",
                               icon=":material/image:")
        tables.download_button(right, t("vote.poster.pdf"), data=partial(poster.pdf, text, url),
                               file_name=f"{name}.pdf", mime="application/pdf", key="vote_poster_pdf",
                               icon=":material/picture_as_pdf:")


def _campaign_form(actor: Actor, campaign: voting.CampaignPublic | None) -> None:
    engine = store.engine()
    tz = ZoneInfo(settings.timezone())
    suffix = campaign.id if campaign else "new"
    frozen = bool(campaign and campaign.rules_frozen_at)
    units = org_units.units_in_scope(engine, actor=actor, levels=("district",))
    unit_labels = dict(zip(units["id"].astype(int), units["name"]))
    today = clock.today()
    opens = campaign.opens_at.astimezone(tz) if campaign else datetime.combine(today + timedelta(days=7), time(9), tz)
    closes = campaign.closes_at.astimezone(tz) if campaign else datetime.combine(today + timedelta(days=21), time(18), tz)
    with st.form(f"vote_campaign_form_{suffix}"):
        title = st.text_input(t("vote.field.title_campaign"), value=campaign.title if campaign else "", max_chars=120,
                              key=f"vote_c_title_{suffix}")
        description = st.text_area(t("vote.field.description"), value=(campaign.description or "") if campaign else "",
                                   max_chars=1000, key=f"vote_c_desc_{suffix}")
        left, right = st.columns(2)
        year = left.number_input(t("vote.field.year"), 2000, 2100, campaign.year if campaign else today.year,
                                 key=f"vote_c_year_{suffix}", disabled=frozen)
        unit_ids = list(unit_labels)
        unit = right.selectbox(t("vote.field.org_unit_id"), unit_ids, format_func=unit_labels.get, disabled=frozen,
                               index=unit_ids.index(campaign.org_unit_id) if campaign and campaign.org_unit_id in unit_ids else 0,
                               key=f"vote_c_unit_{suffix}", placeholder=t("common.choose"))
        open_day = left.date_input(t("vote.field.opens_at"), opens.date(), key=f"vote_c_od_{suffix}", disabled=frozen)
        open_time = right.time_input(t("vote.field.opens_time"), opens.time(), key=f"vote_c_ot_{suffix}", disabled=frozen)
        close_day = left.date_input(t("vote.field.closes_at"), closes.date(), key=f"vote_c_cd_{suffix}", disabled=frozen)
        close_time = right.time_input(t("vote.field.closes_time"), closes.time(), key=f"vote_c_ct_{suffix}",
                                      disabled=frozen)
        numbers = {}
        for column, field, low, high, default in (
                (left, "per_voter_per_day", 1, 30, 3), (right, "per_case_per_day", 1, 5, 1),
                (left, "expert_weight", 0, 100, 70), (right, "public_weight", 0, 100, 30),
                (left, "notice_days", 1, 30, 7)):
            numbers[field] = column.number_input(t(f"vote.field.{field}"), low, high,
                                                 getattr(campaign, field) if campaign else default,
                                                 key=f"vote_c_{field}_{suffix}", disabled=frozen)
        tally = right.checkbox(t("vote.field.show_live_tally"), campaign.show_live_tally if campaign else False,
                               key=f"vote_c_tally_{suffix}", disabled=frozen)
        submitted = st.form_submit_button(t("common.save"), type="primary")
    if not submitted:
        return
    data = {"title": title, "description": description or None, "year": year, "org_unit_id": unit,
            "opens_at": datetime.combine(open_day, open_time, tz), "closes_at": datetime.combine(close_day, close_time, tz),
            "show_live_tally": tally, **numbers}
    if frozen:  # disabled inputs: send the stored rules back unchanged
        data.update({f: getattr(campaign, f) for f in (*voting.RULE_FIELDS, "org_unit_id", "year")})
    if campaign:
        _attempt(lambda: voting.update_campaign(engine, actor=actor, campaign_id=campaign.id, data=data),
                 "vote.admin.saved")
        return
    attempt(lambda: voting.create_campaign(engine, actor=actor, data=data), area="voting",
            flash_key="vote_admin_flash", done=t("vote.admin.created"), field_prefix="vote.field.",
            before_rerun=lambda created: st.session_state.update(vote_admin_pending=created.id))  # selected next


def _cases(actor: Actor, campaign: voting.CampaignPublic) -> None:
    engine = store.engine()
    st.subheader(t("vote.admin.cases"), anchor=False)
    cases = voting_data.admin_cases(store.url(), actor, campaign.id)
    if cases.empty:
        st.info(t("vote.admin.no_cases"))
    else:
        lg = lang()
        shown = cases.assign(theme_label=cases["theme"].map(lambda v: t(f"vote.theme.{v}")),
                             expert_score=cases["expert_score"].map(
                                 lambda v: "—" if v is None or v != v else formatting.number(v, lg, 1)))
        st.dataframe(tables.labelled(shown, CASE_HEADINGS), hide_index=True, width="stretch")
    if campaign.status == "draft":
        _add_case(actor, campaign)
        if not cases.empty:
            labels = dict(zip(cases["id"].astype(int), cases["title"]))
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            doomed = left.selectbox(t("vote.admin.remove_pick"), list(labels), format_func=labels.get,
                                    key="vote_admin_remove_pick", placeholder=t("common.choose"))
            if right.button(t("vote.admin.remove"), key="vote_admin_remove"):
                _attempt(lambda: voting.remove_case(engine, actor=actor, case_id=doomed), "vote.admin.removed")
    else:
        st.caption(t("vote.admin.cases_locked"))
    if campaign.status != "published" and not cases.empty:
        _scores(actor, cases)


def _add_case(actor: Actor, campaign: voting.CampaignPublic) -> None:
    projects = voting.project_options(store.engine())
    themes = list(THEMES)
    theme_labels = {theme: t(f"vote.theme.{theme}") for theme in themes}
    with st.form("vote_case_form", clear_on_submit=True):
        st.markdown(t("vote.admin.add_case"))
        project = None
        if not projects.empty:
            project_labels = {0: t("vote.admin.by_hand"), **dict(zip(projects["id"].astype(int), projects["title"]))}
            project = st.selectbox(t("vote.field.project_id"), list(project_labels), format_func=project_labels.get,
                                   key="vote_case_project", placeholder=t("common.choose"))
        title = st.text_input(t("vote.label.case_title"), max_chars=80, key="vote_case_title")
        organization = st.text_input(t("vote.field.organization"), max_chars=60, key="vote_case_org")
        theme = st.selectbox(t("vote.field.theme"), themes, format_func=theme_labels.get, key="vote_case_theme",
                             placeholder=t("common.choose"))
        summary = st.text_area(t("vote.field.summary"), max_chars=600, key="vote_case_summary")
        submitted = st.form_submit_button(t("vote.admin.add_case_button"), type="primary")
    if not submitted:
        return
    if project:
        row = projects[projects["id"] == project].iloc[0]
        title = title or row["title"]
        organization = organization or (row["organization"] if isinstance(row["organization"], str) else "")
    data = {"title": title, "organization": organization, "theme": theme, "summary": summary,
            "project_id": project or None}
    _attempt(lambda: voting.add_case(store.engine(), actor=actor, campaign_id=campaign.id, data=data),
             "vote.admin.case_added")


def _scores(actor: Actor, cases) -> None:
    labels = dict(zip(cases["id"].astype(int), cases["title"]))
    with st.form("vote_score_form"):
        st.markdown(t("vote.admin.scores"))
        case_id = st.selectbox(t("vote.field.case"), list(labels), format_func=labels.get, key="vote_score_case",
                               placeholder=t("common.choose"))
        score = st.number_input(t("vote.field.expert_score"), 0.0, 100.0, 80.0, 0.5, key="vote_score_value")
        submitted = st.form_submit_button(t("common.save"))
    if submitted:
        _attempt(lambda: voting.set_expert_score(store.engine(), actor=actor, case_id=case_id, score=score),
                 "vote.admin.score_saved")
