"""One way to answer a write: `attempt` runs it; refused, the user reads why (naming the field, typed
text escaped) and nothing else happens; done, the area's caches are cleared, a note is queued for the
next run and the page reruns, so every figure on it shows the change."""

from __future__ import annotations

from typing import Callable, TypeVar

import streamlit as st

from components import caching
from components.i18n import error_text, t
from components.tables import problem_table
from db.errors import DomainError
from db.spreadsheets import ImportRejected

T = TypeVar("T")


def attempt(write: Callable[[], T], *, area: str, flash_key: str, done: str | Callable[[T], str],
            field_prefix: str = "field.", before_rerun: Callable[[T], None] | None = None,
            explain: Callable[[DomainError], str | list[str]] | None = None) -> None:
    """Run `write`. On a DomainError show it (worded by `explain` if given, one message or one per problem,
    escaping typed text; else by error_text with `field_prefix`) and return; else clear `area`, queue `done` (a text, or one
    made from the write's result) under `flash_key`, run `before_rerun`, and rerun."""
    try:
        result = write()
    except DomainError as err:
        messages = explain(err) if explain else error_text(err, field_prefix=field_prefix)
        for message in [messages] if isinstance(messages, str) else messages:
            st.error(message)
        return
    caching.clear(area)
    st.session_state[flash_key] = done(result) if callable(done) else done
    if before_rerun is not None:
        before_rerun(result)
    st.rerun()


def show_flash(flash_key: str) -> None:
    """The note a successful write queued for this run, once."""
    message = st.session_state.pop(flash_key, None)
    if message:
        st.success(message)


def import_file(load: Callable[[bytes, str], T], *, key: str, area: str, field_prefix: str,
                working: str | None = None) -> T | None:
    """A register's file: the upload and its import button. Refused, the user reads why, a rejected file with
    its problem table (row, column, rule) kept on screen rather than flashed over a rerun; done, `area` is
    cleared and the result returned for the page to report. None when nothing was imported."""
    upload = st.file_uploader(t("org.manage.file"), type=["xlsx", "csv"], key=f"{key}_file")
    if not st.button(t("org.manage.submit_import"), type="primary", key=f"{key}_button", disabled=upload is None):
        return None
    try:
        with st.spinner(working or t("common.working")):
            result = load(upload.getvalue(), upload.name)
    except ImportRejected as err:
        st.error(t("org.manage.rejected", count=len(err.problems)))
        st.dataframe(problem_table(err.problems, field_prefix), hide_index=True, width="stretch")
        return None
    except DomainError as err:
        st.error(error_text(err, field_prefix=field_prefix))
        return None
    caching.clear(area)
    return result
