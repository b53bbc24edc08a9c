"""What every import of a spreadsheet shares: reading the file (Excel or CSV) with every cell as text,
matching its headings to fields, and the problem list a rejected file is reported with (row, column,
rule). Each area's import checks its own rules and writes all rows in one transaction, or none."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import pandas as pd
from pydantic import BaseModel

from db.errors import DomainError

FIRST_DATA_ROW = 2  # row 1 of the sheet holds the headings (read_table numbers the rows of a titled file so)
MAX_ROWS = 5_000
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROWS = re.compile(r"!\$?\d+:\$?(\d+)$")  # 'Sheet'!$1:$2 (columns, 'Sheet'!$A:$B, may come beside it)
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"  # an Excel date cell read as text


class ImportProblem(BaseModel):
    row: int  # as the spreadsheet numbers it
    column: str | None  # the heading as written in the file (None: the column is missing)
    field: str | None
    rule: str  # a message key
    params: dict[str, Any] = {}


class ImportCounts(BaseModel):
    rows: int
    created: int
    updated: int


class ImportRejected(DomainError):
    """The file broke rules; nothing was written. `problems` lists every one."""

    def __init__(self, problems: list[ImportProblem], code: str = "import.rejected") -> None:
        super().__init__(code, field="file", count=len(problems))
        self.problems = problems


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Every cell as text (so '3.5' stays visible as a broken whole number); CSV in UTF-8 or GB18030."""
    heading_row = 1
    try:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            heading_row = _heading_row(data)
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", header=heading_row - 1)
            frame = frame.replace(_MIDNIGHT, r"\1", regex=True)
        else:
            try:
                frame = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig", skip_blank_lines=False)
            except UnicodeDecodeError:
                frame = pd.read_csv(io.BytesIO(data), dtype=str, encoding="gb18030", skip_blank_lines=False)
    except Exception as exc:  # noqa: BLE001  (any parser failure on a user's file means "cannot read it")
        raise DomainError("grid.import.unreadable", field="file", detail=type(exc).__name__) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    # rows below a title row: index + FIRST_DATA_ROW stays the row number the spreadsheet shows
    frame.index = frame.index + heading_row - 1
    frame.attrs["heading_row"] = heading_row
    return frame


def _heading_row(data: bytes) -> int:
    """The row of the first sheet's headings: the last of the rows it repeats on every printed page (the
    app's downloads put a title row above the headings and repeat both), else row 1."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    for name in workbook.iter(f"{_SHEET_NS}definedName"):
        if name.get("name") == "_xlnm.Print_Titles" and name.get("localSheetId") == "0":
            for part in (name.text or "").split(","):
                found = _ROWS.search(part.strip())
                if found:
                    return int(found.group(1))
    return 1


def match_columns(frame: pd.DataFrame, headings: dict[str, tuple[str, ...]], optional: set[str] = frozenset()
                  ) -> tuple[dict[str, str], list[ImportProblem]]:
    """field → the file's heading for it (its code, Chinese or English name, any case); a problem for each
    required column the file lacks."""
    by_text = {c.casefold(): c for c in frame.columns}
    found, problems = {}, []
    for field, names in headings.items():
        column = next((by_text[n.casefold()] for n in names if n.casefold() in by_text), None)
        if column is not None:
            found[field] = column
        elif field not in optional:
            problems.append(ImportProblem(row=frame.attrs.get("heading_row", 1), column=None, field=field,
                                          rule="grid.rule.missing_column",
                                          params={"heading": names[1]}))
    return found, problems


def cell(value: Any) -> str:
    """A cell as trimmed text; an empty cell (NaN) is ""."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def data_rows(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The matched columns of the rows that hold anything; refuses an empty or an over-long file."""
    frame = frame[[columns[f] for f in columns]]
    frame = frame[frame.apply(lambda row: any(cell(v) for v in row), axis=1)]
    if frame.empty:
        raise DomainError("grid.import.empty", field="file")
    if len(frame) > MAX_ROWS:
        raise DomainError("grid.import.too_many", field="file", limit=MAX_ROWS)
    return frame


class RowProblems:
    """An import's problems, collected row by row, each under the file's own heading for its field (or
    the key column's, for a field the file has no column of); raise() refuses the file when any exist."""

    def __init__(self, columns: dict[str, str], key_field: str, found: list[ImportProblem] | None = None) -> None:
        self.columns, self.key_field, self.found = columns, key_field, list(found or [])

    def add(self, row: int, field: str, rule: str, **params: Any) -> None:
        column = self.columns.get(field, self.columns.get(self.key_field))
        self.found.append(ImportProblem(row=row, column=column, field=field, rule=rule, params=params))

    def add_error(self, row: int, err: DomainError) -> None:
        """A refused row: each broken rule of an InvalidInput, or the one a DomainError names."""
        for field, rule, params in getattr(err, "problems", None) or [(err.field or self.key_field, err.code,
                                                                       err.params)]:
            self.add(row, field, rule, **params)

    def raise_any(self, code: str = "import.rejected") -> None:
        if self.found:
            raise ImportRejected(self.found, code=code)
