"""What the builders of the built-in templates share: a 公文 document to write into, and the docxtpl tags for
a paragraph per item of a list, a table whose columns and rows come from the context, and the closing lines
(the issuing unit and the date). Every tag is plain text in Word, so an office edits it like any other."""

from __future__ import annotations

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from components.office import layout

TABLE_TEXT = "Table Text"  # the paragraph style of table cells (五号, single spaced, centred)


def new_document() -> Document:
    """An empty document with the 公文 page and styles, and the style table cells use."""
    document = Document()
    layout.apply(document)
    styles = document.styles
    if TABLE_TEXT not in [style.name for style in styles]:
        cells = styles.add_style(TABLE_TEXT, 1)  # WD_STYLE_TYPE.PARAGRAPH
        cells.base_style = styles["Normal"]
        cells.font.size = layout.TABLE_SIZE
        form = cells.paragraph_format
        form.first_line_indent = Pt(0)
        form.line_spacing_rule = WD_LINE_SPACING.SINGLE
        form.space_before = form.space_after = Pt(2)
        form.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def paragraph(document, text: str = "", style: str | None = None, *, centred: bool = False, indent: bool = True):
    """One paragraph; without `indent` it starts at the margin (a 公文 body line is indented two characters)."""
    added = document.add_paragraph(text, style=style)
    if centred:
        added.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not indent or centred:
        added.paragraph_format.first_line_indent = Pt(0)
    return added


def for_each(document, item: str, source: str, text: str, style: str | None = None, **form) -> None:
    """A paragraph `text` for every `item` in `source` (docxtpl's {%p for %}: the tag paragraphs vanish)."""
    document.add_paragraph(f"{{%p for {item} in {source} %}}")
    paragraph(document, text, style, **form)
    document.add_paragraph("{%p endfor %}")


def table(document, source: str) -> None:
    """A ruled table of `source`.headings over `source`.rows (lists of text), as many columns as headings:
    docxtpl's {%tc %} repeats the middle cell of a row, {%tr %} the middle row."""
    grid = document.add_table(rows=4, cols=3)
    grid.style = document.styles["Table Grid"]
    texts = [[f"{{%tc for heading in {source}.headings %}}", "{{ heading }}", "{%tc endfor %}"],
             [f"{{%tr for row in {source}.rows %}}", "", ""],
             ["{%tc for value in row %}", "{{ value }}", "{%tc endfor %}"],
             ["{%tr endfor %}", "", ""]]
    header = OxmlElement("w:tblHeader")  # the headings again at the top of every page the table runs onto
    header.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(header)
    for index, (row, values) in enumerate(zip(grid.rows, texts)):
        for cell, text in zip(row.cells, values):
            cell.paragraphs[0].style = document.styles[TABLE_TEXT]
            cell.paragraphs[0].add_run(text).bold = True if index == 0 else None  # the headings


def closing(document) -> None:
    """An empty line, then the issuing unit and the date at the right, four characters in (成文日期右空四字)."""
    paragraph(document, "")
    for text in ("{{ issuer }}", "{{ date }}"):
        line = paragraph(document, text, indent=False)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.paragraph_format.right_indent = layout.CHAR * 4


def table_data(frame) -> dict:
    """A DataFrame as a template's table: headings and rows of text, an empty value shown as —."""
    rows = [["—" if pd.isna(value) else str(value) for value in values] for values in frame.itertuples(index=False)]
    return {"headings": [str(column) for column in frame.columns], "rows": rows}
