"""One evaluation as the results and the evaluations pages show it: its figures, the scorecards side by
side, the project's rounds and the two files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import exports, formatting, store, tables
from components.i18n import t
from components.office import data as office_data
from components.safe_text import md_escape
from components.scorecards import data as eval_data
from components.scorecards import exports as eval_exports
from components.scorecards.report import REPORT, report_docx
from db.access import Actor


def evaluation_detail(actor: Actor, evaluation_id: int, lg: str) -> None:
    """One evaluation: result and grade, the scorecards side by side, the project's rounds, the two files."""
    detail = eval_data.evaluation_detail(store.url(), actor, evaluation_id)
    facts, result, scores = detail["facts"], detail["result"], detail["scores"]
    st.markdown(f"### {md_escape(facts.project_title)}")
    st.caption(" · ".join([md_escape(facts.project_code), t(f"eval.round.{facts.round}"), md_escape(facts.agency),
                           md_escape(facts.contractor_name or "—"), t(f"eval.status.{facts.status}")]))
    columns = st.columns(3)
    columns[0].metric(t("eval.col.result"), formatting.number(result.result, lg, 1))
    columns[1].metric(t("eval.col.grade"), t(f"eval.grade.{result.grade}") if result.grade else "—")
    columns[2].metric(t("eval.col.scorecards"), formatting.number(result.scorecards, lg))
    if result.result is not None:
        st.caption(t("eval.result.trimmed" if result.trimmed else "eval.result.mean", n=result.scorecards)
                   + ("" if result.complete else " · " + t("eval.result.provisional")))
    headings, rows, evaluators = eval_exports.score_table(scores, lg, detail["wide"])
    if rows:
        st.dataframe(pd.DataFrame(rows, columns=headings), hide_index=True, width="stretch",
                     height=35 * (len(rows) + 1) + 3)
    else:
        st.info(t("eval.results.no_scorecards"))
    rounds = eval_data.project_rounds(store.url(), actor, facts.project_id)
    if len(rounds) > 1:
        st.markdown(f"**{t('eval.project.rounds')}**")
        st.dataframe(rounds_table(rounds, lg), hide_index=True, width="stretch")
    template = office_data.template_in_use(actor, REPORT)  # says so when an upload no longer fits
    left, right = st.columns(2)
    tables.download_button(
        left, t("eval.export.score_sheet"), key=f"xlsx_{evaluation_id}", mime=exports.XLSX_MIME,
        file_name=eval_exports.file_stem(facts, "eval.export.score_sheet_file", lg) + ".xlsx",
        data=lambda: eval_exports.score_sheet_xlsx(facts, result, scores, lg), icon=":material/table_view:")
    tables.download_button(
        right, t("eval.export.report"), key=f"docx_{evaluation_id}", mime=exports.DOCX_MIME,
        file_name=eval_exports.file_stem(facts, "eval.export.report_file", lg) + ".docx",
        data=lambda: report_docx(facts, detail["evaluation"], result, scores, lg, template=template),
        icon=":material/description:")


def rounds_table(rounds: pd.DataFrame, lg: str) -> pd.DataFrame:
    shown = rounds.assign(
        round_label=rounds["round"].map(lambda r: t(f"eval.round.{r}")),
        template=[(n if lg == "zh" else e) + f" v{v}" for n, e, v in zip(rounds["template_name"],
                                                                      rounds["template_name_en"], rounds["version"])],
        due=rounds["due_on"].map(lambda d: formatting.day(d, lg)),
        status_label=rounds["status"].map(lambda s: t(f"eval.status.{s}")),
        result_text=rounds["result"].map(lambda v: formatting.number(v, lg, 1) if pd.notna(v) else "—"),
        grade_label=rounds["grade"].map(lambda g: t(f"eval.grade.{g}") if isinstance(g, str) else "—"))
    return tables.labelled(shown, {"round_label": "eval.col.round", "template": "eval.export.template",
                                   "agency": "eval.col.agency", "due": "eval.col.due_on",
                                   "status_label": "eval.col.status", "scorecards": "eval.col.scorecards",
                                   "result_text": "eval.col.result", "grade_label": "eval.col.grade"})
