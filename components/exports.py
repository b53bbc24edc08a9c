"""File downloads officials open in Excel: .xlsx through openpyxl, CSV as UTF-8 with a BOM.

Every spreadsheet the app offers goes through this module, which neutralises formula injection
(OWASP "CSV injection"): a text cell that begins with = + - @ tab or carriage return is stored as
text and shown exactly as typed, never evaluated. Numbers and dates stay numbers and dates.

Every workbook also prints as officials file it: A4, fitted to the page's width (landscape when wide),
page numbers at the foot. A table written here has a title row naming what it holds, the scope and the
day above its headings, the headings repeated on every printed page, amounts in 万元 shown as #,##0.00
and dates as Excel dates (also those a table shows as text, e.g. 2026年11月12日)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from math import isnan
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from db import settings

# what Excel, LibreOffice and Sheets may read as the start of a formula
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")  # openpyxl refuses these in a sheet name
# a heading naming the unit marks a column of amounts in 万元 (the headings say so in both languages)
WAN_MARKERS = ("万元", "10k yuan")
WAN_FORMAT = "#,##0.00"
DAY_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADING_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=12)
LANDSCAPE_WIDTH = 100  # characters of column width a portrait A4 page holds legibly
# dates as the tables show them (formatting.day / moment / minute, both languages) and as ISO text
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")
_ZH = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_EN = ("%b %d, %Y", "%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %H:%M")
_EMPTY = ("", "—")


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
                _neutralise(cell)
    return book


def _neutralise(cell) -> None:
    """What neutralise_workbook does to a dangerous cell, also done by excel_bytes as it writes each one."""
    cell.data_type = "s"
    cell.quotePrefix = True


def workbook_bytes(book: Workbook) -> bytes:
    """The one way a workbook leaves the app: neutralised, made ready to print, then saved."""
    neutralise_workbook(book)
    for sheet in book.worksheets:
        print_ready(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str) -> str:
    """A name Excel accepts: no []:*?/\\, no apostrophe at either end, at most 31 characters. Sheet
    names carry user text (a grid's name), which would otherwise make openpyxl refuse the file."""
    title = _BAD_SHEET_CHARS.sub("_", str(name))[:31].strip("'")
    return title or "Sheet"


def excel_bytes(sheets: dict[str, pd.DataFrame], *, title: str | None = None) -> bytes:
    """One sheet per frame, headings as given, under the title row when there is a `title` (every download
    has one: see components.tables.file_title; a file without one is what a user's own file looks like).

    Written in openpyxl's write-only mode: each row goes to the file as it is appended, with no Cell kept per
    value: about a quarter less CPU for a city's 50,000 proposals (README). The cells, formats, widths and print
    set-up are those write_table and workbook_bytes give a workbook built cell by cell (tests/test_excel_writer.py
    holds the two to each other); so widths, print set-up and frozen rows are set before the first row, and
    dangerous text is neutralised as it is written, there being no going back to a cell."""
    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(sheet_title(name))
        heading_row = 2 if title else 1
        table = _Table(frame)
        for col, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(width, 60)
        sheet.freeze_panes = f"A{heading_row + 1}"
        # the importers read the headings from the last repeated row (db.spreadsheets.read_table)
        sheet.print_title_rows = f"1:{heading_row}"
        print_ready(sheet, max(len(table.headings), 1))
        # the <dimension> the workbook built cell by cell declared (openpyxl's read-only mode sizes a sheet by
        # it), down to the frozen row's first cell at least, which it created even under no rows
        extent = f"A1:{get_column_letter(max(len(table.headings), 1))}{heading_row + max(len(frame), 1)}"
        sheet.calculate_dimension = lambda extent=extent: extent
        if title:
            sheet.append([_written(WriteOnlyCell(sheet, title), font=TITLE_FONT)])
        if table.headings:
            sheet.append([_written(WriteOnlyCell(sheet, h), font=HEADING_FONT, fill=HEADING_FILL)
                          for h in table.headings])
            _append_rows(sheet, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append_rows(sheet, table: _Table) -> None:
    """The table's rows: plain values as they are (openpyxl binds them to one reused cell), a formatted or
    dangerous value through a cell of its column kept for it, re-bound on each row: a row is written out
    as soon as it is appended, so the cell is free again for the next."""
    formatted = [_written(WriteOnlyCell(sheet), number_format=f) if f else None for f in table.formats]
    quoted = [_written(WriteOnlyCell(sheet), number_format=f) for f in table.formats]
    for cell in quoted:
        cell.quotePrefix = True
    for row in zip(*table.columns):
        out = list(row)
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
                cell = quoted[col]
                cell.value = value
                cell.data_type = "s"  # bound as "f" when it begins with "="
                out[col] = cell
            elif formatted[col] is not None:
                formatted[col].value = value
                out[col] = formatted[col]
        sheet.append(out)


def _written(cell, *, font=None, fill=None, number_format=None):
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    if is_dangerous(cell.value):
        _neutralise(cell)
    return cell


def title_row(sheet, title: str, row: int = 1) -> None:
    sheet.cell(row=row, column=1, value=title).font = TITLE_FONT


class _Table:
    """A frame as the cells of a sheet: the headings as text, each column's values and number format
    (cell_values), and each column's width from the heading and the first 200 values as shown."""

    def __init__(self, frame: pd.DataFrame):
        self.headings = [str(heading) for heading in frame.columns]
        self.columns, self.formats, self.widths = [], [], []
        for col, heading in enumerate(self.headings):
            values, number_format = cell_values(frame.iloc[:, col], heading)
            self.columns.append(values)
            self.formats.append(number_format)
            shown = [heading] + [_shown(v, number_format) for v in values[:200]]
            self.widths.append(max(_display_width(v) for v in shown) + 2)


def write_table(sheet, frame: pd.DataFrame, heading_row: int, widths: dict[int, float] | None = None) -> int:
    """The frame's headings (bold) and rows from `heading_row` down, amounts in 万元 and dates formatted;
    columns widened to their content (or to `widths`, kept across the tables of one sheet). Returns the
    last row written. For a sheet built cell by cell (several tables, other rows): a single table per sheet
    is excel_bytes's, which writes the same cells in write-only mode."""
    own = widths is None
    widths = {} if own else widths
    table = _Table(frame)
    for col, heading in enumerate(table.headings, start=1):
        cell = sheet.cell(row=heading_row, column=col, value=heading)
        cell.font, cell.fill = HEADING_FONT, HEADING_FILL
        number_format = table.formats[col - 1]
        for offset, value in enumerate(table.columns[col - 1], start=1):
            cell = sheet.cell(row=heading_row + offset, column=col, value=value)
            if number_format and value is not None:
                cell.number_format = number_format
        widths[col] = max(widths.get(col, 0), table.widths[col - 1])
    if own:
        for col, width in widths.items():
            sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = min(width, 60)
    return heading_row + len(frame)


def cell_values(column: pd.Series, heading: str) -> tuple[list, str | None]:
    """A column as cell values and their number format: 万元 columns as #,##0.00, date columns (real or
    text) as Excel dates, everything else as it is (NaN as an empty cell)."""
    values = _plain_values(column)
    if pd.api.types.is_bool_dtype(column):
        return values, None
    if pd.api.types.is_numeric_dtype(column):
        return values, WAN_FORMAT if any(m in heading for m in WAN_MARKERS) else None
    dates = _as_dates(values)
    if dates is not None:
        timed = any(isinstance(v, datetime) and (v.hour, v.minute, v.second) != (0, 0, 0) for v in dates)
        return dates, MOMENT_FORMAT if timed else DAY_FORMAT
    if any(m in heading for m in WAN_MARKERS) and all(v is None or isinstance(v, (int, float)) for v in values):
        return values, WAN_FORMAT  # an object column of amounts (None where unknown)
    return values, None


_AS_IS = frozenset((str, int, bool))  # the types _plain returns unchanged (and float, but for NaN)


def _plain_values(column: pd.Series) -> list:
    """[_plain(v) for v in column]: a city's download has 500,000 values, most of them already plain."""
    return [v if v.__class__ in _AS_IS or (v.__class__ is float and not isnan(v)) else _plain(v) for v in column.tolist()]


def _plain(value):
    if value is None or (not isinstance(value, (str, bytes, list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones: the district's
        value = value.astimezone(ZoneInfo(settings.timezone())).replace(tzinfo=None)
    return value.item() if hasattr(value, "item") else value


def _as_dates(values: list) -> list | None:
    """The (plain) values as dates and times when every one is a date (or empty) and one at least is; else None."""
    out, found, parsed_text = [], False, {}  # a city's rows share a few thousand days: each parsed once
    for value in values:
        if value is None or (isinstance(value, str) and value.strip() in _EMPTY):
            out.append(None)
            continue
        if isinstance(value, date):
            parsed = value
        elif isinstance(value, str):
            parsed = parsed_text.get(value, False)
            if parsed is False:
                parsed = parsed_text[value] = _parse_date(value)
        else:
            parsed = None
        if parsed is None:
            return None
        out.append(parsed)
        found = True
    return out if found else None


def _parse_date(text: str) -> date | datetime | None:
    text = text.strip().replace("\u202f", " ")  # Babel puts a narrow space before AM/PM
    match = _ISO.match(text) or _ZH.match(text)
    if match:
        year, month, day_, hour, minute, second = (int(g) if g else None for g in match.groups())
        try:
            return date(year, month, day_) if hour is None else datetime(year, month, day_, hour, minute, second or 0)
        except ValueError:
            return None
    for pattern in _EN:
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return moment.date() if pattern == _EN[0] else moment
    return None


def _shown(value, number_format: str | None) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if number_format == WAN_FORMAT and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def print_ready(sheet, columns: int | None = None) -> None:
    """A4, one page wide (landscape when the columns are wide), page numbers at the foot, centred. A
    write-only sheet has no cells to count yet: `columns` says how many its rows will have."""
    setup = sheet.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    width = sum((sheet.column_dimensions[get_column_letter(c)].width or 8.43)
                for c in range(1, (columns or sheet.max_column) + 1))
    setup.orientation = "landscape" if width > LANDSCAPE_WIDTH else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0  # 0: as many pages down as the rows need
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties()
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "&P / &N"


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
