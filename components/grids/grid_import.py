"""Import one month of grid reports from Excel or CSV: the template, the upload, and the error
report (row, column, rule) when the file is rejected; a rejected file writes nothing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import caching, exports, store, tables
from components.grids.periods import default_month, month_labels, month_options
from components.i18n import error_text, lang, t
from db.access import Actor
from db.errors import DomainError
from db.grids import imports as grid_import

_RESULT = "grid_import_result"


def _template_builder(actor: Actor, period: str, kind: str):
    """The file is built only when the button is clicked, possibly outside this script run: bind what it needs now."""
    engine, lg = store.engine(), lang()
    name = f"{t('grid.import.title')}-{period}"
    title = tables.file_title(name, actor)

    def build() -> bytes:
        frame = grid_import.template(engine, actor=actor, period=period, lang=lg)
        return exports.excel_bytes({name: frame}, title=title) if kind == "xlsx" else exports.csv_bytes(frame)

    return build


def render(actor: Actor) -> None:
    st.title(t("grid.import.title"))
    st.caption(t("grid.import.caption"))
    months = month_options()
    if st.session_state.get("grid_import_period") not in months:
        st.session_state["grid_import_period"] = default_month()
    period = st.selectbox(t("grid.import.period"), months, key="grid_import_period", format_func=month_labels(months).get,
                          placeholder=t("common.choose"))

    st.subheader(t("grid.import.template"), anchor=False)
    st.caption(t("grid.import.template_note"))
    left, right = st.columns(2)
    tables.download_button(left, t("grid.import.template_xlsx"), data=_template_builder(actor, period, "xlsx"),
                           file_name=f"grid-reports-{period}.xlsx", key="grid_template_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:")
    tables.download_button(right, t("grid.import.template_csv"), data=_template_builder(actor, period, "csv"),
                           file_name=f"grid-reports-{period}.csv", key="grid_template_csv", mime="text/csv",
                           icon=":material/download:")

    upload = st.file_uploader(t("grid.import.file"), type=["xlsx", "csv"], key="grid_import_file")
    st.checkbox(t("grid.import.confirm"), key="grid_import_confirm")
    clicked = st.button(t("grid.import.submit"), type="primary", key="grid_import_button", disabled=upload is None)
    marker = (period, upload.name, upload.size) if upload is not None else None
    if clicked and upload is not None:
        st.session_state[_RESULT] = (marker, _run(actor, period, upload.name, upload.getvalue()))
    result = st.session_state.get(_RESULT)
    if result and result[0] == marker:
        _show(*result[1])


def _run(actor: Actor, period: str, filename: str, data: bytes) -> tuple[str, str, pd.DataFrame | None]:
    """(kind, message, error report) of one import attempt. Kept in the session rather than flashed
    (writes.attempt): the error report stays on screen with its download while the user fixes the file."""
    try:
        done = grid_import.import_month(store.engine(), actor=actor, period=period, data=data, filename=filename,
                                        confirm_outliers=bool(st.session_state.get("grid_import_confirm")))
    except grid_import.ImportRejected as err:
        return "error", t("grid.import.rejected", count=len(err.problems)), tables.problem_table(err.problems, "grid.field.")
    except DomainError as err:
        return "error", error_text(err, field_prefix="grid.field."), None
    caching.clear("grids")
    return "success", t("grid.import.done", rows=done.rows, created=done.created, updated=done.updated), None


def _show(kind: str, message: str, report: pd.DataFrame | None) -> None:
    (st.success if kind == "success" else st.error)(message)
    if report is not None:
        st.dataframe(report, hide_index=True, width="stretch")
        tables.downloads(report, name=t("grid.import.errors_name"), key="grid_import_errors")
