"""The briefing files: the workbook (one sheet per area, amounts in 万元, Chinese headings) and the Word
领导简报 (headline table, alerts, the charts as PNG images, what needs attention). Built from the same
tables the home page shows (components/overview/briefing.py); no Streamlit, so a download button can build them
on click and tests can open them."""

from __future__ import annotations

import io
import math

import altair as alt
import pandas as pd
import vl_convert
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from components import exports, formatting
from components.overview.briefing import (
    alert_lines,
    alerts_table,
    chart_list,
    contractor_table,
    failed_table,
    has_grid_data,
    headline_table,
    money_table,
    reporting_table,
    scope_title,
    stage_table,
    tr_for,
    vote_rows,
    weakest_table,
    weakest_title,
)
from components.scorecards.exports import BODY_FONT, HEADING_FONT
from db.overview.headline import Overview


def chart_png(chart: alt.Chart) -> bytes:
    """Rendered offline by vl-convert (it finds the system's Noto CJK fonts for Chinese labels)."""
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=2)


def sections(ov: Overview, lang: str) -> dict[str, list[tuple[str, pd.DataFrame]]]:
    """Sheet name -> titled tables, one sheet per area (the same tables the Word file and the page use)."""
    tr = tr_for(lang)
    grid = ([(tr("ov.sec.reporting"), reporting_table(ov, lang)), (weakest_title(ov, lang), weakest_table(ov, lang))]
            if has_grid_data(ov) else [(tr("ov.grid.none", year=ov.year), pd.DataFrame())])
    return {
        tr("ov.sheet.summary"): [(scope_title(ov, lang), headline_table(ov, lang))],
        tr("ov.sheet.projects"): [(tr("ov.sec.money_domain"), money_table(ov.by_domain, "domain", lang)),
                                  (tr("ov.sec.money_street"), money_table(ov.by_street, "street", lang)),
                                  (tr("ov.sec.stages"), stage_table(ov, lang))],
        tr("ov.sheet.evaluations"): [(tr("ov.sec.contractors"), contractor_table(ov, lang)),
                                     (tr("ov.sec.failed"), failed_table(ov, lang))],
        tr("ov.sheet.vote"): [(tr("ov.sec.vote"), vote_rows(ov, lang))],
        tr("ov.sheet.grid"): grid,
        tr("ov.sheet.alerts"): [(tr("ov.sec.alerts"), alerts_table(ov, lang))],
    }


def workbook(ov: Overview, lang: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for sheet_name, blocks in sections(ov, lang).items():
        sheet = book.create_sheet(sheet_name[:31])
        row, widths = 1, {}
        for title, frame in blocks:
            sheet.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
            row += 1
            for col, heading in enumerate(frame.columns, start=1):
                cell = sheet.cell(row=row, column=col, value=str(heading))
                cell.font, cell.fill = bold, fill
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                widths[col] = max(widths.get(col, 0), _width(str(heading)))
            for values in frame.itertuples(index=False):
                row += 1
                for col, value in enumerate(values, start=1):
                    value = None if isinstance(value, float) and math.isnan(value) else value
                    sheet.cell(row=row, column=col, value=value.item() if hasattr(value, "item") else value)
                    widths[col] = max(widths.get(col, 0), _width(str(value)))
            row += 2
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = min(width + 2, 48)
    return exports.workbook_bytes(book)  # the shared writer neutralises formula-like text


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def word(ov: Overview, lang: str) -> bytes:
    """领导简报: title, the headline table, the charts, the alert list and what needs attention."""
    tr = tr_for(lang)
    doc = Document()
    _fonts(doc)
    title = doc.add_heading(tr("ov.brief.title"), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(tr("ov.brief.meta", scope=scope_title(ov, lang), day=formatting.day(ov.today, lang)))
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading(tr("ov.brief.h_figures"), level=1)
    _table(doc, headline_table(ov, lang))
    doc.add_heading(tr("ov.brief.h_alerts"), level=1)
    for line in alert_lines(ov, lang) or [tr("ov.alert.none")]:
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading(tr("ov.brief.h_charts"), level=1)
    for chart in chart_list(ov, lang):
        doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15.5))
    doc.add_heading(tr("ov.brief.h_attention"), level=1)
    for heading, frame in ((tr("ov.sec.failed"), failed_table(ov, lang)),
                           (tr("ov.sec.contractors"), contractor_table(ov, lang).head(5)),
                           (weakest_title(ov, lang), weakest_table(ov, lang).head(5) if has_grid_data(ov) else None)):
        if frame is None or frame.empty:
            continue
        doc.add_heading(heading, level=2)
        _table(doc, frame)
    doc.add_heading(tr("ov.sec.vote"), level=2)
    _table(doc, vote_rows(ov, lang))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _fonts(doc) -> None:
    for style_name, font in (("Normal", BODY_FONT), ("Title", HEADING_FONT), ("Heading 1", HEADING_FONT),
                             ("Heading 2", HEADING_FONT)):
        style = doc.styles[style_name]
        style.font.name = font
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    doc.styles["Normal"].font.size = Pt(11)


def _table(doc, frame: pd.DataFrame) -> None:
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, frame.columns):
        cell.text = str(heading)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "—" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
