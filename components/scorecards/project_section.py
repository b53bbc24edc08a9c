"""The evaluation section of the pipeline's project page: the project's rounds over time with result and
grade; leaders and admins get a link to each round on the results page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store
from components.i18n import lang, t
from components.scorecards import data as eval_data
from components.scorecards.detail import rounds_table
from db.access import Actor


def render_project_evaluations(actor: Actor, project_id: int) -> None:
    """Rounds of one project (事前论证 → 事中评价 → 事后评估) as they happened, newest grade on top."""
    lg = lang()
    rounds = eval_data.project_rounds(store.url(), actor, int(project_id))
    if rounds.empty:
        st.info(t("eval.project.none"))
        return
    done = rounds[rounds["status"] == "completed"]
    if not done.empty:
        latest = done.iloc[-1]
        columns = st.columns(3)
        columns[0].metric(t("eval.project.latest_round"), t(f"eval.round.{latest['round']}"))
        columns[1].metric(t("eval.col.result"), formatting.number(latest["result"], lg, 1))
        columns[2].metric(t("eval.col.grade"), t(f"eval.grade.{latest['grade']}") if isinstance(latest["grade"], str)
                          else "—")
    st.dataframe(rounds_table(rounds, lg), hide_index=True, width="stretch")
    if actor is not None and actor.may("scorecards.results"):
        for row in rounds.itertuples():
            if pd.notna(row.result):
                label = t("eval.project.open_round", round=t(f"eval.round.{row.round}"))
                st.page_link("pages/eval_results.py", label=label,
                             query_params={"evaluation": str(row.evaluation_id)}, icon=":material/open_in_new:")
