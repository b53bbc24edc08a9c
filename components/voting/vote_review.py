"""Review and results (admin decides, leader reads): votes per hour, anomaly flags with their reason,
voiding with a reason, the combined ranking with every column, publication, the Excel workbook."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components import charts, empty_states, exports, formatting, store, tables, url_state
from components.i18n import lang, t
from components.texts import translate
from components.voting import data as voting_data
from components.writes import attempt, show_flash
from db.access import Actor
from db.voting import results as vote_results
from db.voting import review as vote_review

# rank and case, then the combined score and the outcome a leader came for, then how they were made up
RANKING_HEADINGS = {
    "rank": "vote.col.rank", "title": "vote.col.title", "combined": "vote.col.combined", "winner_label": "vote.col.winner",
    "organization": "vote.col.organization", "theme_label": "vote.col.theme", "expert_score": "vote.col.expert_score",
    "expert_weight": "vote.col.expert_weight", "expert_part": "vote.col.expert_part", "votes": "vote.col.votes",
    "top_votes": "vote.col.top_votes", "public_index": "vote.col.public_index", "public_weight": "vote.col.public_weight",
    "public_part": "vote.col.public_part",
}
FLAG_HEADINGS = {"kind_label": "vote.col.flag", "title": "vote.col.title", "when": "vote.col.when",
                 "address": "vote.col.address", "votes": "vote.col.votes", "valid": "vote.col.valid",
                 "case_votes": "vote.col.case_votes", "reason": "vote.col.reason"}


def hourly_chart(frame: pd.DataFrame, *, title: str, x_title: str, y_title: str) -> alt.Chart:
    """Valid votes per hour as a line (a few hundred points for a two-week campaign)."""
    return charts.finish(alt.Chart(frame, title=charts.heading(title), height=260).mark_line(color="#2f6f9f", interpolate="step-after")
            .encode(x=alt.X("at:T", title=x_title, axis=alt.Axis(format="%m-%d", labelAngle=0)),
                    y=alt.Y("valid:Q", title=y_title),
                    tooltip=[alt.Tooltip("at:T", title=x_title, format="%Y-%m-%d %H:00"),
                             alt.Tooltip("valid:Q", title=y_title)]))


def _labelled(frame: pd.DataFrame, headings: dict[str, str], lg: str) -> pd.DataFrame:
    """tables.labelled for a given language: the workbook is built on click, outside the script run."""
    return tables.dashes(frame[list(headings)]).rename(columns={col: translate(key, lg) for col, key in headings.items()})


def _reason(row, lg: str) -> str:
    if row.kind == "burst":
        return translate("vote.flag.burst_reason", lg, votes=formatting.number(row.votes, lg),
                         baseline=formatting.number(row.baseline, lg, 1), factor=vote_review.BURST_FACTOR)
    if row.kind == "address":
        return translate("vote.flag.address_reason", lg, share=formatting.percent(row.share, lg),
                         limit=formatting.percent(row.reference, lg, 0))
    return translate("vote.flag.night_reason", lg, share=formatting.percent(row.share, lg),
                     overall=formatting.percent(row.reference, lg))


def _when(row, lg: str) -> str:
    if row.kind == "burst":
        return f"{formatting.day(row.day, lg)} {int(row.hour):02d}:00"
    return translate("vote.flag.whole_period", lg)


def _flag_table(flags: pd.DataFrame, lg: str) -> pd.DataFrame:
    shown = flags.assign(kind_label=flags["kind"].map(lambda k: translate(f"vote.flag.{k}", lg)),
                         when=[_when(r, lg) for r in flags.itertuples()],
                         address=flags["ip_key"].map(lambda k: k[:8] if isinstance(k, str) else "—"),
                         reason=[_reason(r, lg) for r in flags.itertuples()])
    return shown


def render(actor: Actor) -> None:
    st.title(t("vote.page.review"))
    st.caption(t("vote.review.caption"))
    show_flash("vote_review_flash")
    url = store.url()
    frame = voting_data.campaigns(url, actor)
    frame = frame[frame["status"] != "draft"]
    if frame.empty:
        st.info(t("vote.review.none"))
        return
    labels = {int(r.id): f"{r.title} · {t('vote.status.' + r.status)}" for r in frame.itertuples()}
    requested = url_state.get("c")
    ids = list(labels)
    start = ids.index(int(requested)) if requested and requested.isdigit() and int(requested) in labels else 0
    campaign_id = st.selectbox(t("vote.review.pick"), ids, index=start, format_func=labels.get,
                               key=f"vote_review_campaign_{ids[start]}", placeholder=t("common.choose"))
    url_state.write("c", str(campaign_id))
    status = frame.loc[frame["id"] == campaign_id, "status"].iloc[0]
    if actor.role != "admin":
        st.caption(t("vote.review.read_only"))
    _metrics(url, actor, campaign_id)
    _hourly(url, actor, campaign_id)
    _flags(url, actor, campaign_id, status)
    _ranking(url, actor, campaign_id, status, labels[campaign_id])


def _metrics(url: str, actor: Actor, campaign_id: int) -> None:
    lg = lang()
    numbers = voting_data.summary(url, actor, campaign_id)
    for column, key in zip(st.columns(4), ("valid", "void", "voters", "addresses")):
        column.metric(t(f"vote.metric.{key}"), formatting.number(numbers[key], lg))


@st.fragment
def _hourly(url: str, actor: Actor, campaign_id: int) -> None:
    """The votes by hour, of every case or one: picking the case reruns this part alone (an st.fragment), not the
    figures, the flags and the ranking around it."""
    st.subheader(t("vote.review.hourly"), anchor=False)
    cases = voting_data.admin_cases(url, actor, campaign_id)
    labels = {0: t("vote.review.all_cases"), **dict(zip(cases["id"].astype(int), cases["title"]))}
    case_id = st.selectbox(t("vote.review.case"), list(labels), format_func=labels.get, key="vote_review_case",
                           placeholder=t("common.choose"))
    frame = voting_data.hourly(url, actor, campaign_id, case_id or None)
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    empty_states.chart(chart=hourly_chart(frame, title=t("vote.review.hourly_title"), x_title=t("vote.review.hour_axis"),
                                 y_title=t("vote.review.votes_axis")), width="stretch")


def _flags(url: str, actor: Actor, campaign_id: int, status: str) -> None:
    st.subheader(t("vote.review.flags"), anchor=False)
    flags = voting_data.anomalies(url, actor, campaign_id)
    if flags.empty:
        st.success(t("vote.review.no_flags"))
    else:
        flags = _flag_table(flags, lang())
        st.dataframe(tables.labelled(flags, FLAG_HEADINGS), hide_index=True, width="stretch")
        st.caption(t("vote.review.flags_note"))
    if actor.role != "admin":
        return
    if status != "closed":
        st.caption(t("vote.review.void_after_close"))
        return
    _void_form(url, actor, campaign_id, flags[flags["kind"].isin(["burst", "address"]) & (flags["valid"] > 0)])


@st.fragment
def _void_form(url: str, actor: Actor, campaign_id: int, voidable: pd.DataFrame) -> None:
    """Void a flagged bucket, or any case's votes in one hour; always with a reason. Switching between the two
    reruns the form alone (an st.fragment); a void reruns the page, whose figures it changes."""
    st.markdown(t("vote.review.void_title"))
    modes = {"flag": t("vote.review.void_by_flag"), "hour": t("vote.review.void_by_hour")}
    mode = st.radio(t("vote.review.void_mode"), list(modes) if not voidable.empty else ["hour"],
                    format_func=modes.get, horizontal=True, key="vote_void_mode")
    with st.form("vote_void_form"):
        if mode == "flag":
            options = {int(i): f"{r.title} · {r.kind_label} · {r.when} · {r.address}".replace(" · —", "")
                       for i, r in voidable.iterrows()}
            pick = st.selectbox(t("vote.review.void_pick"), list(options), format_func=options.get, key="vote_void_pick",
                                placeholder=t("common.choose"))
        else:
            cases = voting_data.admin_cases(url, actor, campaign_id)
            titles = dict(zip(cases["id"].astype(int), cases["title"]))
            case_id = st.selectbox(t("vote.field.case"), list(titles), format_func=titles.get, key="vote_void_case",
                                   placeholder=t("common.choose"))
            day = st.date_input(t("vote.field.day"), key="vote_void_day")
            hour = st.number_input(t("vote.field.hour"), 0, 23, 0, key="vote_void_hour")
        reason = st.text_input(t("vote.field.reason"), max_chars=200, key="vote_void_reason")
        submitted = st.form_submit_button(t("vote.review.void_button"), type="primary")
    if not submitted:
        return
    if mode == "flag":
        row = voidable.loc[pick]
        data = {"case_id": int(row["case_id"]), "kind": row["kind"], "reason": reason,
                "day": row["day"] if row["kind"] == "burst" else None,
                "hour": int(row["hour"]) if row["kind"] == "burst" else None,
                "ip_key": row["ip_key"] if row["kind"] == "address" else None}
    else:
        data = {"case_id": case_id, "kind": "burst", "day": day, "hour": int(hour), "reason": reason}
    attempt(lambda: vote_review.void_votes(store.engine(), actor=actor, campaign_id=campaign_id, data=data),
            area="voting.votes", flash_key="vote_review_flash", field_prefix="vote.field.",
            done=lambda count: t("vote.review.voided", n=formatting.number(count, lang())))


def _ranking_table(frame: pd.DataFrame, lg: str) -> pd.DataFrame:
    yes, no = translate("common.yes", lg), translate("common.no", lg)
    frame = frame.assign(theme_label=frame["theme"].map(lambda v: translate(f"vote.theme.{v}", lg)),
                         winner_label=frame["winner"].map(lambda v: yes if v else no))
    return _labelled(frame, RANKING_HEADINGS, lg)


def workbook(url: str, actor: Actor, campaign_id: int, lg: str, title: str | None = None) -> bytes:
    """The results workbook: ranking, votes per day, flags, voided votes (built when clicked)."""
    sheets = vote_results.result_frames(store.engine_for(url), actor=actor, campaign_id=campaign_id)
    daily = {"day": "vote.col.day", "votes": "vote.col.votes", "valid": "vote.col.valid"}
    voided = {"title": "vote.col.title", "void_reason": "vote.col.reason", "votes": "vote.col.votes",
              "voided_at": "vote.col.voided_at"}
    return exports.excel_bytes({
        translate("vote.sheet.ranking", lg): _ranking_table(sheets["ranking"], lg),
        translate("vote.sheet.daily", lg): _labelled(sheets["daily"], daily, lg),
        translate("vote.sheet.flags", lg): _labelled(_flag_table(sheets["anomalies"], lg), FLAG_HEADINGS, lg),
        translate("vote.sheet.voided", lg): _labelled(sheets["voided"], voided, lg),
    }, title=title)


def _ranking(url: str, actor: Actor, campaign_id: int, status: str, label: str) -> None:
    st.subheader(t("vote.review.ranking"), anchor=False)
    frame = voting_data.ranking(url, actor, campaign_id)
    lg = lang()
    # every case in view (30 at most in a campaign: the ranking is read whole, not scrolled)
    st.dataframe(_ranking_table(frame, lg), hide_index=True, width="stretch", height=min(35 * (len(frame) + 1) + 3, 1100))
    st.caption(t("vote.review.formula"))
    title = tables.file_title(f"{t('vote.review.excel_name')} · {label}", actor)
    tables.download_button(st, t("vote.review.excel"), data=lambda: workbook(url, actor, campaign_id, lg, title),
                           file_name=f"{t('vote.review.excel_name')}-{campaign_id}.xlsx", key="vote_results_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:")
    if actor.may("voting.manage") and status == "closed":
        if st.button(t("vote.review.publish"), key="vote_publish", type="primary"):
            attempt(lambda: vote_results.publish(store.engine(), actor=actor, campaign_id=campaign_id), area="voting",
                    flash_key="vote_review_flash", done=t("vote.review.published"), field_prefix="vote.field.")
