"""What the scorecard pages share at city scale (27,000 evaluations): a table shows its first rows while
its downloads hold them all, a search narrows the rows, and a pick offers only the rows on screen plus
the one a link (?evaluation=) opened, even when the filters leave it out."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

from components import formatting, store, url_state
from components.i18n import t
from components.scorecards import data as eval_data
from db.access import Actor

LIMIT = 200  # rows on screen and choices in a pick; more is neither read nor sent well
FILTER_PARAMS = ("round", "status", "overdue", "domain", "street", "grade")


def default_year(years: list[int]) -> int | None:
    """A bare open shows the latest year with evaluations; a link that names filters but no year (the
    overview's ?grade=fail or ?status=open&overdue=1) keeps meaning every year."""
    if url_state.get("year") is not None or any(url_state.get(p) is not None for p in FILTER_PARAMS) or not years:
        return None
    return years[0]


def search_box(key: str, hint: str = "eval.search_hint") -> str:
    return (st.text_input(t("eval.search"), key=key, max_chars=60, placeholder=t(hint)) or "").strip()


def matching(frame: pd.DataFrame, text: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose columns contain the text (any case, literally)."""
    if not text or frame.empty:
        return frame
    hit = np.zeros(len(frame), dtype=bool)
    for column in columns:
        hit |= frame[column].fillna("").astype(str).str.contains(text, case=False, regex=False).to_numpy()
    return frame[hit]


def first_rows(frame: pd.DataFrame, lg: str) -> pd.DataFrame:
    """The rows a table shows, with a note saying how many more there are."""
    if len(frame) > LIMIT:
        st.caption(t("eval.first_rows", shown=formatting.number(LIMIT, lg), total=formatting.number(len(frame), lg)))
    return frame.head(LIMIT)


def label(code: str, title: str, round_name: str) -> str:
    return f"{code} · {title} · {round_name}"


def labels_of(frame: pd.DataFrame, rounds: dict[str, str]) -> dict[int, str]:
    return {int(i): label(c, title, rounds[r]) for i, c, title, r in
            zip(frame["id"], frame["project_code"], frame["project_title"], frame["round"])}


def evaluation_pick(actor: Actor, key: str, labels: dict[int, str], rounds: dict[str, str], *,
                    caption: str, on_change: Callable, args: tuple) -> int | None:
    """A selectbox over `labels` (the visible rows); ?evaluation= selects its evaluation even when it is
    not among them, provided it exists in the user's scope."""
    wanted = url_state.get("evaluation")
    wanted_id = int(wanted) if wanted and wanted.isdigit() else None
    outside = False
    if wanted_id is not None and wanted_id not in labels:
        facts = eval_data.evaluation_facts(store.url(), actor, wanted_id)
        if facts is not None:
            labels = {wanted_id: label(facts.project_code, facts.project_title, rounds[facts.round]), **labels}
            outside = True
    if not labels:
        return None
    if wanted_id in labels:
        st.session_state[key] = wanted_id
    elif st.session_state.get(key) not in labels:
        st.session_state[key] = None
    st.selectbox(caption, list(labels), format_func=labels.get, key=key, index=None,
                 placeholder=t("eval.results.pick_hint"), on_change=on_change, args=args)
    chosen = st.session_state[key]
    if outside and chosen == wanted_id:
        st.caption(t("eval.pick_outside"))
    return chosen
