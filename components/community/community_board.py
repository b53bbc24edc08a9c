"""社区营造公示: what anyone can read, on a phone, without an account. A community's proposals (picked district →
street → community, ?community=<code>) with their state, the official answer, the council's decision with its
votes, and the project that carries it out with its stage and money; and one proposal found by its tracking
code (?track=<code>). Residents' text is shown only as text (st.text), never as markdown or HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, url_state
from components.community import data as community_data
from components.community import labels, picker
from components.i18n import lang, t
from components.safe_text import md_escape
from db.community import public, rules

PAGE = 20  # cards per "show more"
ALL = ""


def render(_actor=None) -> None:
    st.title(t("cm.page.board"))
    st.caption(t("cm.board.intro"))
    url = store.url()
    _tracking()
    tree = community_data.community_tree(url)
    if tree.empty:
        st.info(t("cm.board.no_communities"))
        return
    community_id = picker.hierarchy(tree, key="cb_pick")
    if community_id is None:
        st.info(t("cm.board.pick"))
        return
    year, state = _filters(community_data.board_years(url, community_id))
    _figures(community_data.board_summary(url, community_id, year))
    rows = community_data.board(url, community_id, year, state)
    if rows.empty:
        st.info(t("cm.board.none"))
    else:
        _cards(rows)
    st.page_link("pages/propose.py", label=t("cm.board.to_propose"), icon=":material/edit_note:")


def _tracking() -> None:
    """A tracking code typed or opened by link: that proposal in full, with every decision on it."""
    raw = url_state.get("track") or ""
    st.session_state["cb_track"] = raw
    with st.expander(t("cm.board.track"), expanded=bool(raw), icon=":material/search:"):
        st.text_input(t("cm.field.tracking_code"), key="cb_track", max_chars=16,
                      on_change=url_state.from_widget, args=("cb_track", "track"),
                      placeholder=t("cm.board.track_hint"))
        if not raw:
            return
        found = public.tracked(store.engine(), code=raw)
        if found is None:
            st.warning(t("cm.board.not_found"))
            return
        row, decisions = found
        st.caption(md_escape(f"{row['street']} · {row['community']}"))
        _card(pd.Series(row), lang(), full=True, decisions=decisions, ratings=_ratings([int(row["id"])]),
              photos=community_data.photos(store.url(), (int(row["id"]),)))


def _filters(years: list[int]) -> tuple[int | None, str | None]:
    lg = lang()
    year_labels = {ALL: t("common.all"), **{str(y): str(y) for y in years}}
    states = {ALL: t("common.all"), **{s: labels.state(s, lg) for s in rules.STATES}}
    st.session_state["cb_year"] = url_state.read("year", year_labels, ALL)
    st.session_state["cb_state"] = url_state.read("state", states, ALL)
    left, right = st.columns(2)
    left.selectbox(t("cm.field.year"), list(year_labels), format_func=year_labels.get, key="cb_year",
                   on_change=url_state.from_widget, args=("cb_year", "year"), placeholder=t("common.choose"))
    right.selectbox(t("cm.field.state"), list(states), format_func=states.get, key="cb_state",
                    on_change=url_state.from_widget, args=("cb_state", "state"), placeholder=t("common.choose"))
    year = st.session_state["cb_year"]
    return (int(year) if year else None), (st.session_state["cb_state"] or None)


def _figures(summary) -> None:
    lg = lang()
    items = [("cm.metric.proposals", formatting.number(summary.total, lg)),
             ("cm.metric.adopted", formatting.number(summary.by_state["adopted"], lg)),
             ("cm.metric.carried_out", formatting.number(summary.carried_out, lg)),
             ("cm.metric.funded_amount", formatting.headline_money(summary.funded_amount, lg))]
    for pair in (items[:2], items[2:]):  # two by two: a phone's width
        for column, (key, value) in zip(st.columns(2), pair):
            column.metric(t(key), value)


def _cards(rows: pd.DataFrame) -> None:
    lg = lang()
    shown = st.session_state.get("cb_shown", PAGE)
    titles = dict(zip(rows["id"], rows["title"]))
    page = rows.head(shown)
    ratings = _ratings([int(i) for i, done in zip(page["id"], page["carried_out"]) if done])
    pictures = community_data.photos(store.url(), tuple(sorted(int(i) for i in page["id"])))
    for row in page.itertuples(index=False):
        _card(pd.Series(row._asdict()), lg, merged_title=titles.get(row.merged_into_id), ratings=ratings,
              photos=pictures)
    st.caption(t("cm.board.shown", n=min(shown, len(rows)), total=len(rows)))
    if len(rows) > shown:
        st.button(t("cm.board.more"), key="cb_more", on_click=lambda: st.session_state.update(
            cb_shown=shown + PAGE))


def _ratings(ids: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rating summaries and newest comments of the carried-out proposals among those shown."""
    url, key = store.url(), tuple(sorted(ids))
    return community_data.rating_summaries(url, key), community_data.rating_comments(url, key)


def _card(row: pd.Series, lg: str, *, full: bool = False, decisions: pd.DataFrame | None = None,
          merged_title: str | None = None, ratings: tuple[pd.DataFrame, pd.DataFrame] | None = None,
          photos: pd.DataFrame | None = None) -> None:
    """One proposal as published. Every text of the resident or an official goes through st.text."""
    with st.container(border=True):
        st.markdown(f"**{md_escape(row['title'])}**")
        st.caption(" · ".join(md_escape(part) for part in (
            t("cm.board.number", id=int(row["id"])), labels.theme(row["theme"], lg),
            formatting.day(row["submitted_on"], lg), labels.state(row["state"], lg))))
        mine = photos[photos["proposal_id"] == row["id"]] if photos is not None else None
        if full:
            _text(t("cm.field.problem"), row["problem"])
            _text(t("cm.field.suggestion"), row["suggestion"])
            _photos(mine)
        else:
            with st.expander(t("cm.board.read")):
                _text(t("cm.field.problem"), row["problem"])
                _text(t("cm.field.suggestion"), row["suggestion"])
                _photos(mine)
        if pd.notna(row["estimate"]):
            st.caption(t("cm.board.estimate", amount=formatting.number(int(row["estimate"]), lg)))
        if row["state"] == rules.MERGED:
            st.text(t("cm.board.merged", title=merged_title) if merged_title else t("cm.board.merged_elsewhere"))
        if isinstance(row["answer"], str) and row["answer"]:
            _text(t("cm.board.answer"), row["answer"])
        history = decisions if decisions is not None and not decisions.empty else None
        if history is not None:
            for item in history.itertuples(index=False):
                st.text(labels.decision(item.held_on, item.outcome, item.votes_for, item.votes_against,
                                        item.votes_abstain, lg))
                if isinstance(item.note, str) and item.note:
                    st.text(item.note)
        else:
            line = labels.decision(row["held_on"], row["outcome"], row["votes_for"], row["votes_against"],
                                   row["votes_abstain"], lg)
            if line:
                st.text(line)
        project = labels.project(row["route"], row["funding_source"], row["funding_amount"], row["pipeline_stage"],
                                 row["community_stage"], row["project_code"], lg)
        if project:
            st.text(project)
        if bool(row["carried_out"]) and row["state"] == rules.ADOPTED and ratings is not None:
            _rating(int(row["id"]), ratings, lg)


def _rating(proposal_id: int, ratings: tuple[pd.DataFrame, pd.DataFrame], lg: str) -> None:
    """居民评事 on a card: the mean and count, the newest comments (as text), and the way to rate it."""
    summaries, comments = ratings
    st.text(labels.rating_line(summaries, proposal_id, lg) or t("cm.rate.none_yet"))
    mine = comments[comments["proposal_id"] == proposal_id]
    if not mine.empty:
        st.caption(md_escape(t("cm.rate.comments")))
        for item in mine.itertuples(index=False):
            st.caption(md_escape(t("cm.rate.comment_line", stars="★" * int(item.score),
                                   day=formatting.day(item.rated_on, lg))))
            st.text(item.comment)
    st.page_link("pages/rate.py", label=t("cm.rate.link"), icon=":material/star:",
                 query_params={"proposal": str(proposal_id)})


def _photos(mine: pd.DataFrame | None) -> None:
    """The proposal's photos as the app re-encoded them (JPEG bytes), images only: no caption from the file."""
    if mine is not None and not mine.empty:
        st.caption(md_escape(t("cm.board.photos")))
        st.image(list(mine["content"]), width=160)


def _text(heading: str, value) -> None:
    st.caption(md_escape(heading))
    st.text(value if isinstance(value, str) else "")
