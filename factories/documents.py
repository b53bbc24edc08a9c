"""What the tests read back from an office file: a Word document's 公文 page and type (GB/T 9704), and a
workbook's print setup, title row and number formats. Each returns the problems it finds, so a test
asserts an empty list and a failure says what is wrong."""

from __future__ import annotations

import re
from datetime import date, datetime

from docx.oxml.ns import qn

from components.exports import DAY_FORMAT, MOMENT_FORMAT, WAN_FORMAT, WAN_MARKERS

PAGE_MM = {"page_width": 210, "page_height": 297, "top_margin": 37, "bottom_margin": 35, "left_margin": 28,
           "right_margin": 26}
FONTS = {"Normal": ("仿宋", 16), "Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16), "Heading 2": ("楷体", 16)}
THEME_FONTS = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme")
# a cell that is a date written as text (what the tables show, and ISO) instead of an Excel date
DATE_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月\d{1,2}日)( \d{1,2}:\d{2}(:\d{2})?)?$")


def word_problems(document) -> list[str]:
    """A python-docx Document against the 公文 layout: A4 and its margins (to the millimetre), the fonts and
    sizes of the body, title and headings named for East Asian text with no theme font left in any style,
    and the page number as — 1 — on odd and even pages."""
    found = []
    for index, section in enumerate(document.sections):
        for name, mm in PAGE_MM.items():
            if round(getattr(section, name).mm) != mm:
                found.append(f"section {index}: {name} {getattr(section, name).mm:.1f} mm, not {mm}")
        for footer in (section.footer, section.even_page_footer):
            xml = footer._element.xml
            if "PAGE" not in xml or footer.paragraphs[0].text.strip() != "—  —":
                found.append(f"section {index}: no — PAGE — page number in a footer")
    if not document.settings.odd_and_even_pages_header_footer:
        found.append("odd and even pages share one footer")
    for name, (font, size) in FONTS.items():
        style = document.styles[name]
        fonts = style.element.rPr.rFonts
        if fonts.get(qn("w:eastAsia")) != font:
            found.append(f"{name}: East Asian font {fonts.get(qn('w:eastAsia'))}, not {font}")
        if style.font.size is None or style.font.size.pt != size:
            found.append(f"{name}: {style.font.size and style.font.size.pt} pt, not {size}")
    themed = [f"{fonts.getparent().getparent().get(qn('w:styleId')) or 'defaults'}: {attribute}"
              for fonts in document.styles.element.iter(qn("w:rFonts")) for attribute in THEME_FONTS
              if fonts.get(qn(f"w:{attribute}")) is not None]
    return found + [f"theme font left in {where}" for where in themed]


def sheet_problems(book, today_text: str) -> list[str]:
    """Every sheet of an openpyxl workbook: A4, one page wide, rows repeated on every page, a title row
    naming `today_text` (the day as the app writes it), amounts in 万元 as #,##0.00, dates as Excel dates."""
    found = []
    for sheet in book.worksheets:
        where = sheet.title
        setup = sheet.page_setup
        if str(setup.paperSize) != str(sheet.PAPERSIZE_A4):
            found.append(f"{where}: paper {setup.paperSize}, not A4")
        if not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage
                and int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0):
            found.append(f"{where}: not fitted to the page's width")
        if not sheet.print_title_rows:
            found.append(f"{where}: no rows repeated on every printed page")
        if today_text not in str(sheet["A1"].value or ""):
            found.append(f"{where}: no title row naming {today_text}: {sheet['A1'].value!r}")
        for column in sheet.iter_cols(min_row=2):
            money = False  # under a 万元 heading: the last text above a number in its column names its unit
            for cell in column:
                value = cell.value
                if isinstance(value, str) and DATE_TEXT.match(value.strip()):
                    found.append(f"{where}!{cell.coordinate}: date as text {value!r}")
                elif isinstance(value, str):
                    money = any(m in value for m in WAN_MARKERS)
                elif isinstance(value, (date, datetime)) and cell.number_format not in (DAY_FORMAT, MOMENT_FORMAT):
                    found.append(f"{where}!{cell.coordinate}: date formatted {cell.number_format!r}")
                elif money and isinstance(value, (int, float)) and not isinstance(value, bool) \
                        and cell.number_format != WAN_FORMAT:
                    found.append(f"{where}!{cell.coordinate}: 万元 amount formatted {cell.number_format!r}")
    return found
