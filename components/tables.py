"""Showing frames to people: translated headings, and downloads of exactly what is shown."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from components import exports, formatting, viewer
from components.i18n import lang, t
from components.texts import CATALOG
from db import clock
from db.access import Actor

MISSING = "—"


def dashes(frame: pd.DataFrame) -> pd.DataFrame:
    """A missing value in a text column shown as "—" (a data grid writes the word "None")."""
    text = [col for col in frame.columns
            if (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])) and frame[col].isna().any()]
    if not text:
        return frame
    return frame.assign(**{col: frame[col].where(frame[col].notna(), MISSING) for col in text})


def labelled(frame: pd.DataFrame, headings: dict[str, str]) -> pd.DataFrame:
    """Keep the columns in `headings` (column -> text key), renamed to the user's language, "—" for a missing text."""
    return dashes(frame[list(headings)]).rename(columns={col: t(key) for col, key in headings.items()})


def file_title(name: str, actor: Actor | None = None) -> str:
    """The title row of a download: what it holds, the scope it covers (the page's, unless `actor` is
    given) and the day it was made."""
    actor = actor or viewer.current()
    day = formatting.day(clock.today(), lang())
    if actor is None:
        return t("common.file_title_day", name=name, day=day)
    scope = t("level.root") if actor.scope_level == "root" else actor.scope_name
    return t("common.file_title", name=name, scope=scope, day=day)


def download_button(where, label: str, **kwargs):
    """Every download the app offers, in `where` (st or a column). It reruns nothing: a download changes nothing
    on the server, and a rerun gives a file built on click (`data=` a callable) a new id, so a press on a second
    button during the first one's rerun asked for an id already dropped and no file came."""
    return where.download_button(label, on_click="ignore", **kwargs)


def downloads(frame: pd.DataFrame | Callable[[], pd.DataFrame], *, name: str, key: str) -> None:
    """Excel and CSV buttons for a shown table; the files are built only when clicked. A callable
    builds the frame then too (a large table formatted row by row only for the file)."""
    table = frame if callable(frame) else (lambda: frame)
    title = file_title(name)
    left, right = st.columns(2)
    download_button(left, t("common.download_excel"), data=lambda: exports.excel_bytes({name: table()}, title=title),
                    file_name=f"{name}.xlsx", key=f"{key}_xlsx", icon=":material/download:",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    download_button(right, t("common.download_csv"), data=lambda: exports.csv_bytes(table()),
                    file_name=f"{name}.csv", key=f"{key}_csv", mime="text/csv", icon=":material/download:")


def first_rows(rows: pd.DataFrame, label: Callable[[pd.DataFrame], pd.DataFrame], *, shown: int, name: str,
               key: str, height: int, total: int | None = None,
               every: Callable[[], pd.DataFrame] | None = None, files_key: str | None = None) -> None:
    """A long list drawn as its first `shown` rows (labelled for the screen), every row in the downloads: the
    browser is not sent thousands of rows on each rerun, and nothing is lost to whoever needs them all. A page
    that read only the first rows passes their `total` and `every` (reads them all, only when a file is built)."""
    total = len(rows) if total is None else total
    st.dataframe(label(rows.head(shown)), hide_index=True, width="stretch", height=height, key=f"{key}_table")
    if total > shown:
        st.caption(t("common.first_rows", n=shown, total=total))
    downloads(lambda: label(every() if every else rows), name=name, key=files_key or f"{key}_list")


def problem_table(problems: list, field_prefix: str) -> pd.DataFrame:
    """A rejected import's report in the user's language: spreadsheet row, column heading, the broken rule
    (problems: db.spreadsheets.ImportProblem; field names are worded by `field_prefix`). A table shows
    text as text, so nothing here is escaped."""
    heads = [t("grid.import.col.row"), t("grid.import.col.column"), t("grid.import.col.rule")]
    rows = []
    for problem in problems:
        field = t(f"{field_prefix}{problem.field}") if problem.field else ""
        column = problem.column if problem.column else f"{field} {t('grid.import.missing')}"
        rows.append(dict(zip(heads, (problem.row, column, t(problem.rule, field=field, **problem.params)))))
    return pd.DataFrame(rows, columns=heads)


def roster_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A grid roster as shown: role and the known duties in the user's language (a duty an admin typed is
    shown as typed), the phone as the db layer gave it (masked except to admins)."""
    shown = frame.copy()
    shown["role"] = [t(f"org.staff.{r}") for r in shown["role"]]
    shown["duty"] = [t(f"org.duty.{d}") if f"org.duty.{d}" in CATALOG else (d or "") for d in shown["duty"]]
    shown["phone"] = shown["phone"].fillna("")
    return labelled(shown, {"role": "org.col.role", "name": "org.col.name", "duty": "org.col.duty",
                            "phone": "org.col.phone"})
