"""The briefing files: the workbook (one sheet per area, amounts in 万元, Chinese headings) and the Word
领导简报 (headline table, alerts, the charts as PNG images, what needs attention), a 公文 filled from the
office's template or the built-in one written here. Built from the same tables the home page shows
(components/overview/briefing.py); no Streamlit, so a download button can build them on click and tests can
open them."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import altair as alt
import pandas as pd
import vl_convert
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from components import exports, formatting
from components.office import builder, templates
from components.overview.briefing import (
    alert_lines,
    alerts_table,
    chart_list,
    community_rows,
    contractor_table,
    failed_table,
    has_grid_data,
    has_linkage_data,
    headline_table,
    linkage_rows,
    money_table,
    reporting_table,
    scope_title,
    stage_table,
    tr_for,
    vote_rows,
    weakest_table,
    weakest_title,
)
from db import clock
from db.overview.headline import Overview

CHART_WIDTH = Cm(15.5)  # the 版心 is 15.6 cm wide


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
        tr("ov.sheet.community"): [(tr("ov.sec.community", year=ov.year), community_rows(ov, lang))],
        tr("ov.sheet.linkage"): [(tr("ov.sec.linkage", year=ov.year), linkage_rows(ov, lang))],
        tr("ov.sheet.alerts"): [(tr("ov.sec.alerts"), alerts_table(ov, lang))],
    }


def workbook(ov: Overview, lang: str) -> bytes:
    """One sheet per area under the file's title row; a sheet of one table repeats its headings on every
    printed page, a sheet of several repeats the title."""
    tr = tr_for(lang)
    book = Workbook()
    book.remove(book.active)
    title = tr("common.file_title", name=tr("ov.brief.title"), scope=scope_title(ov, lang),
               day=formatting.day(ov.today, lang))
    for sheet_name, blocks in sections(ov, lang).items():
        sheet = book.create_sheet(exports.sheet_title(sheet_name))
        exports.title_row(sheet, title)
        row, widths = 3, {}
        for block_title, frame in blocks:
            sheet.cell(row=row, column=1, value=block_title).font = Font(bold=True, size=12)
            last = exports.write_table(sheet, frame, row + 1, widths)
            if len(blocks) == 1:
                sheet.print_title_rows = f"1:{row + 1}"
            row = last + 3
        if len(blocks) > 1:
            sheet.print_title_rows = "1:1"
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = min(width, 48)
    return exports.workbook_bytes(book)  # the shared writer neutralises formula-like text


@dataclass(frozen=True)
class Briefing:
    """The 领导简报's content, ready for a template: texts, tables, the charts as PNG."""

    title: str
    meta: str
    issuer: str
    date: str
    labels: dict[str, str]
    figures: pd.DataFrame
    alerts: list[str]
    charts: list[bytes]
    attention: list[tuple[str, pd.DataFrame]]
    campaign: pd.DataFrame  # the year's top-ten vote


def briefing_content(ov: Overview, lang: str) -> Briefing:
    """The briefing of an overview: the headline table, the alerts, the charts and what needs attention."""
    tr, day = tr_for(lang), formatting.day(ov.today, lang)
    attention = [(heading, frame) for heading, frame in (
        (tr("ov.sec.failed"), failed_table(ov, lang)), (tr("ov.sec.contractors"), contractor_table(ov, lang).head(5)),
        (weakest_title(ov, lang), weakest_table(ov, lang).head(5) if has_grid_data(ov) else None),
        (tr("ov.sec.community", year=ov.year), community_rows(ov, lang)),
        (tr("ov.sec.linkage", year=ov.year), linkage_rows(ov, lang) if has_linkage_data(ov) else None))
        if frame is not None and not frame.empty]
    return Briefing(
        title=tr("ov.brief.title"), meta=tr("ov.brief.meta", scope=scope_title(ov, lang), day=day),
        issuer=tr("level.root") if ov.scope.level == "root" else ov.scope.name, date=day,
        labels=_labels(lang), figures=headline_table(ov, lang), alerts=alert_lines(ov, lang) or [tr("ov.alert.none")],
        charts=[chart_png(chart) for chart in chart_list(ov, lang)], attention=attention, campaign=vote_rows(ov, lang))


def _labels(lang: str) -> dict[str, str]:
    tr = tr_for(lang)
    return {"figures": tr("ov.brief.h_figures"), "alerts": tr("ov.brief.h_alerts"), "charts": tr("ov.brief.h_charts"),
            "attention": tr("ov.brief.h_attention"), "vote": tr("ov.sec.vote")}


def context(content: Briefing, template: DocxTemplate) -> dict:
    """What a briefing template may name: {{ title }}, {% for line in alerts %}, {{ chart }} in a loop…"""
    return {
        "title": content.title, "meta": content.meta, "issuer": content.issuer, "date": content.date,
        "labels": content.labels, "figures": builder.table_data(content.figures), "alerts": content.alerts,
        "charts": [InlineImage(template, io.BytesIO(png), width=CHART_WIDTH) for png in content.charts],
        "attention": [{"title": title, "table": builder.table_data(frame)} for title, frame in content.attention],
        "campaign": builder.table_data(content.campaign),
    }


def build_template() -> Document:
    """The built-in 领导简报 template."""
    document = builder.new_document()
    builder.paragraph(document, "{{ title }}", "Title")
    builder.paragraph(document, "{{ meta }}", centred=True)
    builder.paragraph(document, "{{ labels.figures }}", "Heading 1")
    builder.table(document, "figures")
    builder.paragraph(document, "{{ labels.alerts }}", "Heading 1")
    builder.for_each(document, "line", "alerts", "{{ loop.index }}. {{ line }}")
    builder.paragraph(document, "{{ labels.charts }}", "Heading 1")
    document.add_paragraph("{%p for chart in charts %}")
    picture = builder.paragraph(document, "{{ chart }}", centred=True)
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would crop it
    document.add_paragraph("{%p endfor %}")
    builder.paragraph(document, "{{ labels.attention }}", "Heading 1")
    document.add_paragraph("{%p for block in attention %}")
    builder.paragraph(document, "{{ block.title }}", "Heading 2")
    builder.table(document, "block.table")
    document.add_paragraph("{%p endfor %}")
    builder.paragraph(document, "{{ labels.vote }}", "Heading 2")
    builder.table(document, "campaign")
    builder.closing(document)
    return document


# a white pixel stands for each chart in the sample (drawing real ones takes vl-convert a second)
_PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAFElEQVR4nGP8//8/AwwwMSABFA4Aby0DAyMY"
                          "AwQAAAAASUVORK5CYII=")


def sample(lang: str) -> Briefing:
    """A small briefing, for checking an uploaded template and for tests."""
    tr = tr_for(lang)
    day = formatting.day(clock.today(), lang)
    pairs = pd.DataFrame({tr("ov.col.item"): [tr("ov.vote.cases"), tr("ov.vote.valid")],
                          tr("ov.col.value"): ["30", "90,125"]})
    return Briefing(title=tr("ov.brief.title"), meta=tr("ov.brief.meta", scope="锦江区", day=day), issuer="锦江区",
                    date=day, labels=_labels(lang), figures=pairs, alerts=["3 个项目超过阶段办理时限"],
                    charts=[_PIXEL, _PIXEL], attention=[(tr("ov.sec.failed"), pairs)], campaign=pairs)


def _sample(lang: str, template: DocxTemplate) -> dict:
    return context(sample(lang), template)


BRIEFING = templates.DocumentKind(key="briefing", name="office.kind.briefing", build=build_template, sample=_sample)


def word(ov: Overview, lang: str, template: bytes | None = None) -> bytes:
    """领导简报 from the office's template (`template`, as stored) or the built-in one."""
    content = briefing_content(ov, lang)
    return templates.fill(BRIEFING, lambda document: context(content, document), template)
