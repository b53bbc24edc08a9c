"""An evaluation's files for officials: the score sheet (评分表) as Excel and the evaluation report (评价报告)
as an editable Word document. Pure functions of the evaluation's data and a language, no Streamlit, so a
download button can build them on click and tests can open them."""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from components import exports, formatting
from components.pipeline.labels import domain as domain_label
from components.texts import translate
from db.scorecards import rules
from db.scorecards.evaluations import EvaluationPublic
from db.scorecards.results import ReportFacts, ResultPublic, side_by_side

BODY_FONT = "SimSun"  # 宋体: what Word on officials' machines has; LibreOffice falls back to Noto CJK
HEADING_FONT = "SimHei"  # 黑体


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


def _facts_lines(facts: ReportFacts, lang: str) -> list[tuple[str, str]]:
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    period = f"{formatting.day(facts.started_on, lang)} – {formatting.day(facts.ended_on, lang)}"
    return [
        (tr("eval.col.project_code"), facts.project_code), (tr("eval.col.project"), facts.project_title),
        (tr("eval.export.batch"), facts.batch), (tr("eval.export.domain"), domain_label(facts.domain, lang)),
        (tr("eval.export.street"), facts.street_name), (tr("eval.export.contractor"), facts.contractor_name or "—"),
        (tr("eval.export.budget"), formatting.wan_yuan(facts.budget, lang)),
        (tr("eval.export.contract"), formatting.wan_yuan(facts.contract_amount, lang)),
        (tr("eval.export.period"), period), (tr("eval.col.round"), tr(f"eval.round.{facts.round}")),
        (tr("eval.col.agency"), facts.agency),
        (tr("eval.export.template"), f"{facts.template_name} v{facts.template_version}"),
        (tr("eval.col.due_on"), formatting.day(facts.due_on, lang)),
    ]


def _result_line(result: ResultPublic, lang: str) -> str:
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    if result.result is None:
        return tr("eval.export.no_result")
    method = tr("eval.result.trimmed" if result.trimmed else "eval.result.mean", n=result.scorecards)
    return tr("eval.export.result_line", result=formatting.number(result.result, lang, 1), method=method,
              grade=tr(f"eval.grade.{result.grade}"))


def score_sheet_xlsx(facts: ReportFacts, result: ResultPublic, scores: pd.DataFrame, lang: str) -> bytes:
    """评分表: the evaluation's facts, every submitted scorecard side by side, the result; comments on a second sheet."""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    book = Workbook()
    sheet = book.active
    sheet.title = tr("eval.export.sheet_scores")[:31]
    sheet.append([tr("eval.export.sheet_title", project=facts.project_title, round=tr(f"eval.round.{facts.round}"))])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in _facts_lines(facts, lang):
        sheet.append([label, value])
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
    sheet.append([tr("eval.export.result"), _result_line(result, lang)])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for index, width in enumerate([14, 8, 30, 8] + [16] * (len(headings) - 4), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    notes = book.create_sheet(tr("eval.export.sheet_comments")[:31])
    notes.append([tr("eval.col.evaluator"), tr("eval.col.code"), tr("eval.col.indicator"), tr("eval.col.points"),
                  tr("eval.col.comment")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in scores[scores["comment"].fillna("").str.strip() != ""].itertuples():
        notes.append([row.evaluator_name, row.code, row.name if lang == "zh" else row.name_en, _num(row.points),
                      row.comment])
    for index, width in enumerate([20, 8, 30, 8, 60], start=1):
        notes.column_dimensions[get_column_letter(index)].width = width
    return exports.workbook_bytes(book)  # the shared writer neutralises formula-like text


def _east_asian(element, font: str) -> None:
    """Name the East Asian font on a style or run, dropping the theme font that would override it."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:ascii"), font)
    fonts.set(qn("w:hAnsi"), font)


def _heading(document, text: str, level: int) -> None:
    paragraph = document.add_heading(level=level)
    run = paragraph.add_run(text)
    _east_asian(run._element, HEADING_FONT)
    if level == 0:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _paragraphs(document, text: str, empty: str, numbered: bool = False) -> None:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for index, line in enumerate(lines or [empty], start=1):
        paragraph = document.add_paragraph(f"{index}. {line}" if numbered and lines else line)
        paragraph.paragraph_format.first_line_indent = Pt(21)


def report_docx(facts: ReportFacts, evaluation: EvaluationPublic, result: ResultPublic, scores: pd.DataFrame,
                lang: str) -> bytes:
    """评价报告: 基本情况, 评价结论, 主要问题, 整改建议, then the score table; officials edit it in Word."""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    document = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        _east_asian(style.element, BODY_FONT if style_name in ("Normal", "Table Grid") else HEADING_FONT)
    document.styles["Normal"].font.size = Pt(12)
    _heading(document, tr("eval.export.report_title", project=facts.project_title,
                          round=tr(f"eval.round.{facts.round}")), 0)
    _heading(document, tr("eval.export.section_basic"), 1)
    for label, value in _facts_lines(facts, lang):
        document.add_paragraph(f"{label}：{value}" if lang == "zh" else f"{label}: {value}")
    _paragraphs(document, evaluation.summary, "")
    _heading(document, tr("eval.export.section_conclusion"), 1)
    document.add_paragraph(_result_line(result, lang))
    _paragraphs(document, evaluation.conclusion, "")
    _heading(document, tr("eval.export.section_findings"), 1)
    _paragraphs(document, evaluation.findings, tr("eval.export.none"), numbered=True)
    _heading(document, tr("eval.export.section_recommendations"), 1)
    _paragraphs(document, evaluation.recommendations, tr("eval.export.none"), numbered=True)
    _heading(document, tr("eval.export.section_scores"), 1)
    headings, rows, _ = score_table(scores, lang)
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = "" if value is None else str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_stem(facts: ReportFacts, kind: str, lang: str) -> str:
    return f"{facts.project_code}-{translate(f'eval.round.{facts.round}', lang)}-{translate(kind, lang)}"
