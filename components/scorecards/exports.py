"""An evaluation's score sheet (评分表) as Excel, and the pieces it shares with the Word report
(components/scorecards/report.py): the score table, the facts, the result line. Pure functions of the
evaluation's data and a language, no Streamlit, so a download button can build them on click and tests can
open them."""

from __future__ import annotations

from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from components import exports, formatting
from components.pipeline.labels import domain as domain_label
from components.texts import translate
from db import clock
from db.scorecards import rules
from db.scorecards.results import ReportFacts, ResultPublic, side_by_side


def score_table(scores: pd.DataFrame, lang: str, wide: tuple[pd.DataFrame, list[str]] | None = None
                ) -> tuple[list[str], list[list], list[str]]:
    """Headings, rows (one per indicator, then the totals) and the evaluator columns of the score table;
    `wide` is side_by_side(scores) when the caller already has it."""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    wide, evaluators = wide or side_by_side(scores)
    headings = [tr("eval.col.group"), tr("eval.col.code"), tr("eval.col.indicator"), tr("eval.col.max_points"),
                *evaluators, tr("eval.col.mean")]
    groups = {g: tr(f"eval.group.{g}") for g in rules.GROUPS}
    names = wide["name"] if lang == "zh" else wide["name_en"]
    points = wide[evaluators].to_numpy().tolist()
    rows = [[groups[g], code, name, int(top), *[_num(v) for v in values], _num(mean)]
            for g, code, name, top, values, mean in zip(wide["group"], wide["code"], names, wide["max_points"],
                                                        points, wide["mean"])]
    if rows:
        totals = [_num(wide[c].sum()) for c in evaluators]
        # the mean of the totals, not the sum of the rounded indicator means
        rows.append([tr("eval.export.total"), "", "", int(wide["max_points"].sum()), *totals,
                     _num(wide[evaluators].sum().mean())])
    return headings, rows, evaluators


def _num(value):
    if value is None or pd.isna(value):
        return None
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def facts_table(facts: ReportFacts, lang: str) -> list[tuple[str, str, str]]:
    """(name, label, value) of each fact the files open with (基本情况); the name is what a report template
    calls it ({{ fact.project_title }})."""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    period = f"{formatting.day(facts.started_on, lang)} – {formatting.day(facts.ended_on, lang)}"
    return [
        ("project_code", tr("eval.col.project_code"), facts.project_code),
        ("project_title", tr("eval.col.project"), facts.project_title),
        ("batch", tr("eval.export.batch"), facts.batch),
        ("domain", tr("eval.export.domain"), domain_label(facts.domain, lang)),
        ("street", tr("eval.export.street"), facts.street_name),
        ("contractor", tr("eval.export.contractor"), facts.contractor_name or "—"),
        ("budget", tr("eval.export.budget"), formatting.wan_yuan(facts.budget, lang)),
        ("contract", tr("eval.export.contract"), formatting.wan_yuan(facts.contract_amount, lang)),
        ("period", tr("eval.export.period"), period), ("round", tr("eval.col.round"), tr(f"eval.round.{facts.round}")),
        ("agency", tr("eval.col.agency"), facts.agency),
        ("template", tr("eval.export.template"), f"{facts.template_name} v{facts.template_version}"),
        ("due_on", tr("eval.col.due_on"), formatting.day(facts.due_on, lang)),
    ]


def result_line(result: ResultPublic, lang: str) -> str:
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    if result.result is None:
        return tr("eval.export.no_result")
    method = tr("eval.result.trimmed" if result.trimmed else "eval.result.mean", n=result.scorecards)
    return tr("eval.export.result_line", result=formatting.number(result.result, lang, 1), method=method,
              grade=tr(f"eval.grade.{result.grade}"))


def score_sheet_xlsx(facts: ReportFacts, result: ResultPublic, scores: pd.DataFrame, lang: str,
                     today: date | None = None) -> bytes:
    """评分表: the evaluation's facts, every submitted scorecard side by side, the result; comments on a second sheet."""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    day = formatting.day(today or clock.today(), lang)
    book = Workbook()
    sheet = book.active
    sheet.title = tr("eval.export.sheet_scores")[:31]
    name = tr("eval.export.sheet_title", project=facts.project_title, round=tr(f"eval.round.{facts.round}"))
    sheet.append([tr("common.file_title", name=name, scope=facts.street_name, day=day)])
    sheet["A1"].font = Font(bold=True, size=14)
    for key, label, value in facts_table(facts, lang):
        sheet.append([label, facts.due_on if key == "due_on" else value])  # a date Excel can sort and filter
        if key == "due_on":
            sheet.cell(row=sheet.max_row, column=2).number_format = exports.DAY_FORMAT
    sheet.append([])
    headings, rows, _ = score_table(scores, lang)
    sheet.append(headings)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F0")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    if rows:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([tr("eval.export.result"), result_line(result, lang)])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    for index, width in enumerate([14, 8, 30, 8] + [16] * (len(headings) - 4), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    notes = book.create_sheet(tr("eval.export.sheet_comments")[:31])
    exports.title_row(notes, tr("common.file_title", name=f"{name} · {tr('eval.export.sheet_comments')}",
                                scope=facts.street_name, day=day))
    notes.append([tr("eval.col.evaluator"), tr("eval.col.code"), tr("eval.col.indicator"), tr("eval.col.points"),
                  tr("eval.col.comment")])
    for cell in notes[2]:
        cell.font = Font(bold=True)
    notes.print_title_rows = "1:2"
    for row in scores[scores["comment"].fillna("").str.strip() != ""].itertuples():
        notes.append([row.evaluator_name, row.code, row.name if lang == "zh" else row.name_en, _num(row.points),
                      row.comment])
    for index, width in enumerate([20, 8, 30, 8, 60], start=1):
        notes.column_dimensions[get_column_letter(index)].width = width
    return exports.workbook_bytes(book)  # the shared writer neutralises formula-like text


def file_stem(facts: ReportFacts, kind: str, lang: str) -> str:
    return f"{facts.project_code}-{translate(f'eval.round.{facts.round}', lang)}-{translate(kind, lang)}"
