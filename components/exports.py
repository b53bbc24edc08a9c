"""File downloads officials open in Excel: .xlsx through openpyxl, CSV as UTF-8 with a BOM."""

from __future__ import annotations

import io

import pandas as pd


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, headings as given, columns widened to their content."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet_name = name[:31]  # Excel's limit
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            for index, column in enumerate(frame.columns, start=1):
                values = [str(column)] + [str(v) for v in frame[column].head(200).tolist()]
                width = max(_display_width(v) for v in values) + 2
                sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 60)
            sheet.freeze_panes = "A2"
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows reads the Chinese correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
