"""File downloads officials open in Excel: .xlsx through openpyxl, CSV as UTF-8 with a BOM.

Every spreadsheet the app offers goes through this module, which neutralises formula injection
(OWASP "CSV injection"): a text cell that begins with = + - @ tab or carriage return is stored as
text and shown exactly as typed, never evaluated. Numbers and dates stay numbers and dates."""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook

# what Excel, LibreOffice and Sheets may read as the start of a formula
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")  # openpyxl refuses these in a sheet name


def is_dangerous(value) -> bool:
    """Text (only text: -5 as a number is harmless) that a spreadsheet could take for a formula."""
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def csv_text(value):
    """A CSV field: dangerous text gets a leading apostrophe, so Excel shows it as text."""
    return "'" + value if is_dangerous(value) else value


def neutralise_workbook(book: Workbook) -> Workbook:
    """Every dangerous text cell becomes a plain string cell with Excel's quote prefix: openpyxl has
    typed any str starting with '=' as a formula, and the prefix keeps '+1'/'-1'/'@x' text even when
    someone edits the cell. The app never writes formulas, so no formula survives."""
    for sheet in book.worksheets:
        # the stored cells only: iter_rows() would create every empty cell of the rectangle, ~6x slower
        for cell in sheet._cells.values():
            if is_dangerous(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
    return book


def workbook_bytes(book: Workbook) -> bytes:
    """The one way a workbook leaves the app: neutralised, then saved."""
    neutralise_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str) -> str:
    """A name Excel accepts: no []:*?/\\, no apostrophe at either end, at most 31 characters. Sheet
    names carry user text (a grid's name), which would otherwise make openpyxl refuse the file."""
    title = _BAD_SHEET_CHARS.sub("_", str(name))[:31].strip("'")
    return title or "Sheet"


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, headings as given, columns widened to their content."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet_name = sheet_title(name)
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            for index, column in enumerate(frame.columns, start=1):
                values = [str(column)] + [str(v) for v in frame[column].head(200).tolist()]
                width = max(_display_width(v) for v in values) + 2
                sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 60)
            sheet.freeze_panes = "A2"
        neutralise_workbook(writer.book)  # before the writer saves on leaving the block
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows reads the Chinese correctly; text columns and headings
    neutralised, numeric, boolean and date columns written as they are."""
    safe = frame.rename(columns=csv_text)
    for index in range(safe.shape[1]):
        column = safe.iloc[:, index]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            safe.isetitem(index, column.astype(object).map(csv_text))
    # CRLF rows (RFC 4180): the csv module then quotes any field holding a bare CR, which with "\n" rows
    # it leaves unquoted and Excel splits the row there
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
