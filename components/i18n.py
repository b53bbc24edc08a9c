"""The current language (URL ?lang=, then the session, then APP_LANG) and translation helpers."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components import url_state
from components.safe_text import md_escape
from components.texts import LANGS, translate
from db import settings
from db.errors import DomainError
from db.validation import InvalidInput

_SESSION_KEY = "lang"


def init_language() -> str:
    """Settle this run's language; ?lang= in the URL wins so a shared link opens in its language."""
    requested = url_state.get("lang")
    if requested in LANGS:
        st.session_state[_SESSION_KEY] = requested
    elif st.session_state.get(_SESSION_KEY) not in LANGS:
        st.session_state[_SESSION_KEY] = settings.default_language()
    lang = st.session_state[_SESSION_KEY]
    if requested != lang and lang != settings.default_language():
        url_state.write("lang", lang)  # keep the URL shareable in the chosen language
    _say_unexpected_errors_in(lang)
    return lang


def _say_unexpected_errors_in(lang: str) -> None:
    """From here on, an uncaught exception in this run shows one sentence in the visitor's language
    above Streamlit's own notice, which client.showErrorDetails = "none" keeps free of details.
    Streamlit logs the traceback before it calls the handler, so the server log keeps it. The
    notice stays so that the error is still an exception element: the page tests' `not at.exception`
    would otherwise never fail."""
    ctx = get_script_run_ctx()
    if ctx is None or not hasattr(ctx, "on_script_error"):
        return  # outside a script run, or a Streamlit without the hook: its redacted notice stands

    def handler(_exc: Exception) -> bool:
        st.error(translate("error.page_failed", lang), icon=":material/error:")
        return False  # Streamlit draws its redacted notice too

    ctx.on_script_error = handler


def lang() -> str:
    return st.session_state.get(_SESSION_KEY) or settings.default_language()


def t(key: str, **params) -> str:
    return translate(key, lang(), **params)


def set_language(value: str) -> None:
    if value in LANGS:
        st.session_state[_SESSION_KEY] = value
        if value == settings.default_language():
            url_state.write("lang", None)
        else:
            url_state.write("lang", value)


def escaped(params: dict) -> dict:
    """An error's parameters as markdown-safe text: they may quote what a user typed (a name, a title)."""
    return {key: md_escape(value) if isinstance(value, str) else value for key, value in params.items()}


def error_text(err: DomainError, field_prefix: str = "field.") -> str:
    """A domain error in the user's language, naming the field; every problem when there are several.
    Markdown, for st.error and its kin: quoted values are escaped, so typed text stays text."""
    problems = err.problems if isinstance(err, InvalidInput) else [(err.field, err.code, err.params)]
    lines = []
    for field, code, params in problems:
        field_name = t(field_prefix + field) if field else ""
        lines.append(t(code, field=field_name, **escaped(params)))
    return "\n\n".join(lines)
