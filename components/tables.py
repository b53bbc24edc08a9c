"""Showing frames to people: translated headings, and downloads of exactly what is shown."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from components import exports
from components.i18n import t


def labelled(frame: pd.DataFrame, headings: dict[str, str]) -> pd.DataFrame:
    """Keep the columns in `headings` (column -> text key), renamed to the user's language."""
    return frame[list(headings)].rename(columns={col: t(key) for col, key in headings.items()})


def downloads(frame: pd.DataFrame | Callable[[], pd.DataFrame], *, name: str, key: str) -> None:
    """Excel and CSV buttons for a shown table; the files are built only when clicked. A callable
    builds the frame then too (a large table formatted row by row only for the file)."""
    table = frame if callable(frame) else (lambda: frame)
    left, right = st.columns(2)
    left.download_button(t("common.download_excel"), data=lambda: exports.excel_bytes({name: table()}),
                         file_name=f"{name}.xlsx", key=f"{key}_xlsx", icon=":material/download:",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button(t("common.download_csv"), data=lambda: exports.csv_bytes(table()),
                          file_name=f"{name}.csv", key=f"{key}_csv", mime="text/csv", icon=":material/download:")
