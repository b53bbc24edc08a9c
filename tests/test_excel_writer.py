"""The workbook writer behind every table download (components.exports.excel_bytes, issue 20): it streams rows
in openpyxl's write-only mode, and must still give the file the earlier writer gave, built cell by cell and
neutralised after. Held cell by cell against values written out here, and against write_table's workbook
(the cell-by-cell path the overview's briefing workbook still takes) for frames of every kind of column."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook

from components import exports

TITLE = "提案办理（全部辖区，截至 2026年11月18日）"
DAY, MOMENT, WAN = exports.DAY_FORMAT, exports.MOMENT_FORMAT, exports.WAN_FORMAT


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "名称": ["普通文本", '=HYPERLINK("http://evil.example","点我")', "+1+1", None],
        "数量": [1, -5, 3, 40],
        "金额（万元）": [1.5, float("nan"), -2.25, 0.0],
        "比例": [0.125, float("nan"), 1 / 3, 2.0],
        "日期": [date(2026, 3, 1), None, date(2026, 12, 31), date(2026, 1, 2)],
        "时间": [datetime(2026, 3, 1, 9, 30), datetime(2026, 3, 2), None, datetime(2026, 3, 3, 23, 59, 59)],
        "提交日期": ["2026年11月12日", "—", "2026-01-05", ""],
        "备注": [float("nan"), "@SUM(1,1)", "\t=1+1", "-"],
        "核实": [True, False, True, False],
        "=危险标题": ["a", "b", "c", "d"],
    })


# what the earlier writer (cell by cell, neutralised on save) gave for _frame(): (value, data type, number
# format) row by row, heading and body; quote-prefixed cells are those holding dangerous text
EXPECTED_ROWS = [
    [("名称", "s", "General"), ("数量", "s", "General"), ("金额（万元）", "s", "General"), ("比例", "s", "General"),
     ("日期", "s", "General"), ("时间", "s", "General"), ("提交日期", "s", "General"), ("备注", "s", "General"),
     ("核实", "s", "General"), ("=危险标题", "s", "General")],
    [("普通文本", "s", "General"), (1, "n", "General"), (1.5, "n", WAN), (0.125, "n", "General"),
     (datetime(2026, 3, 1), "d", DAY), (datetime(2026, 3, 1, 9, 30), "d", MOMENT),
     (datetime(2026, 11, 12), "d", DAY), (None, "n", "General"), (True, "b", "General"), ("a", "s", "General")],
    [('=HYPERLINK("http://evil.example","点我")', "s", "General"), (-5, "n", "General"), (None, "n", "General"),
     (None, "n", "General"), (None, "n", "General"), (datetime(2026, 3, 2), "d", MOMENT), (None, "n", "General"),
     ("@SUM(1,1)", "s", "General"), (False, "b", "General"), ("b", "s", "General")],
    [("+1+1", "s", "General"), (3, "n", "General"), (-2.25, "n", WAN), (1 / 3, "n", "General"),
     (datetime(2026, 12, 31), "d", DAY), (None, "n", "General"), (datetime(2026, 1, 5), "d", DAY),
     ("\t=1+1", "s", "General"), (True, "b", "General"), ("c", "s", "General")],
    [(None, "n", "General"), (40, "n", "General"), (0, "n", WAN), (2, "n", "General"),
     (datetime(2026, 1, 2), "d", DAY), (datetime(2026, 3, 3, 23, 59, 59), "d", MOMENT), (None, "n", "General"),
     ("-", "s", "General"), (False, "b", "General"), ("d", "s", "General")],
]
# the content's display width + 2 (CJK counts 2), from the heading and the first 200 values as shown
EXPECTED_WIDTHS = {"A": 42, "B": 6, "C": 14, "D": 20, "E": 12, "F": 18, "G": 12, "H": 11, "I": 7, "J": 11}


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_a_download_holds_the_cells_the_earlier_writer_gave():
    sheet = _load(exports.excel_bytes({"提案办理": _frame()}, title=TITLE))["提案办理"]
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].font.b, sheet["A1"].font.sz) == (TITLE, "s", True, 12)
    assert all(sheet.cell(row=1, column=c).value is None for c in range(2, 11))
    got = [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows(min_row=2, max_col=10)]
    assert got == EXPECTED_ROWS
    assert sheet.max_row == 6 and sheet.max_column == 10
    for cell in sheet[2]:  # headings: bold on the light blue fill
        assert cell.font.b and cell.fill.fgColor.rgb == "00DDEBF7" and cell.fill.fill_type == "solid", cell.coordinate
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            assert not cell.font.b and cell.fill.fill_type is None, cell.coordinate
    quoted = {c.coordinate for row in sheet.iter_rows() for c in row if c.quotePrefix}
    assert quoted == {"J2", "A4", "H4", "A5", "H5", "H6"}
    assert {letter: d.width for letter, d in sheet.column_dimensions.items() if d.width} == EXPECTED_WIDTHS
    assert (sheet.freeze_panes, sheet.print_title_rows) == ("A3", "$1:$2")
    setup = sheet.page_setup
    assert (str(setup.paperSize), setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("9", "landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_options.horizontalCentered
    assert sheet.oddFooter.center.text == "&P / &N"
    with zipfile.ZipFile(io.BytesIO(exports.excel_bytes({"提案办理": _frame()}, title=TITLE))) as archive:
        assert b'<dimension ref="A1:J6"/>' in archive.read("xl/worksheets/sheet1.xml")


def _cell_by_cell(sheets: dict[str, pd.DataFrame], title: str | None) -> bytes:
    """What excel_bytes did before it wrote in write-only mode, step for step, on write_table's cells."""
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(exports.sheet_title(name))
        heading_row = 1
        if title:
            exports.title_row(sheet, title)
            heading_row = 2
        exports.write_table(sheet, frame, heading_row)
        sheet.freeze_panes = sheet.cell(row=heading_row + 1, column=1)
        sheet.print_title_rows = f"1:{heading_row}"
    return exports.workbook_bytes(book)


def _described(data: bytes) -> list:
    """Everything a user sees of a workbook, sheet by sheet, as plain values to compare."""
    book, out = _load(data), []
    read_only = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        cells = [(c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.font.sz, c.fill.fill_type,
                  c.fill.fgColor.rgb, c.quotePrefix)
                 for row in sheet.iter_rows() for c in row if c.value is not None or c.has_style]
        widths = {letter: d.width for letter, d in sheet.column_dimensions.items() if d.width}
        setup = sheet.page_setup
        out.append((sheet.title, cells, widths, sheet.freeze_panes, sheet.print_title_rows, str(setup.paperSize),
                    setup.orientation, setup.fitToWidth, setup.fitToHeight,
                    sheet.sheet_properties.pageSetUpPr.fitToPage,
                    sheet.print_options.horizontalCentered, sheet.oddFooter.center.text,
                    read_only[sheet.title].calculate_dimension()))
    return out


FRAMES = {
    "every kind": _frame(),
    "no rows": _frame().iloc[0:0],
    "no columns": pd.DataFrame(),
    "numbers of pandas": pd.DataFrame({
        "整数": pd.array([1, None, -3], dtype="Int64"), "小数": pd.array([0.5, None, 2.0], dtype="Float64"),
        "预算（万元）": [Decimal("12.50"), None, Decimal("-0.01")], "文本": pd.array(["x", None, "-y"], dtype="string"),
        "分类": pd.Categorical(["甲", "乙", "=甲"]), "时刻": pd.to_datetime(["2026-11-18 08:00", None, "2026-01-01 00:00"]),
        "带时区": pd.to_datetime(["2026-11-18T00:30:00Z", "2026-11-17T16:00:00Z", None]),
        "英文日期": ["Nov 18, 2026", "Nov 19, 2026", None],
    }),
    "wide text": pd.DataFrame({f"列{i}": ["很长的中文文本" * 3, "@x"] for i in range(8)}),
    "user name/[sheet]*": pd.DataFrame({"a": ["=1+1"], "b": [1]}),
}


@pytest.mark.parametrize("title", [TITLE, None])
@pytest.mark.parametrize("name", list(FRAMES))
def test_write_only_and_cell_by_cell_workbooks_hold_the_same_file(name, title):
    sheets = {name: FRAMES[name], "第二张": _frame().head(2)}
    streamed, built = _described(exports.excel_bytes(sheets, title=title)), _described(_cell_by_cell(sheets, title))
    if name == "no columns" and title is None:  # an empty sheet: A1:A2 as before, where the other now has no A1
        assert (streamed[0][-1], built[0][-1]) == ("A1:A2", "A2:A2")
        streamed[0], built[0] = streamed[0][:-1], built[0][:-1]
    assert streamed == built
