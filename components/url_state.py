"""One way to keep a widget in the URL, so a link holds exactly the view: `write` puts a value in the
query string (or takes an empty one out), `read` finds the URL's value among a widget's options, `get`
gives the raw text. Pages touch st.query_params only through here (a test holds them to it)."""

from __future__ import annotations

from typing import Any, Iterable

import streamlit as st

EMPTY = (None, False, "")


def as_text(value: Any, empty: Iterable = EMPTY) -> str | None:
    """A widget value as the URL writes it: None for an empty one, "1" for a ticked box."""
    if any(value is e or (type(value) is type(e) and value == e) for e in empty):  # 0 is not False
        return None
    return "1" if value is True else str(value)


def write(param: str, value: Any, *, empty: Iterable = EMPTY) -> None:
    """Put `value` in the URL as `param`, or take `param` out when the value is empty; untouched if equal."""
    text = as_text(value, empty)
    if text is None:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != text:
        st.query_params[param] = text


def get(param: str, default: str | None = None) -> str | None:
    """The URL's text for `param` as typed in the link (check it before use), or `default`."""
    return st.query_params.get(param, default)


def read(param: str, options: Iterable, default: Any = None) -> Any:
    """The option whose text is the URL's `param`, or `default` (no value, or one no option has)."""
    raw = get(param)
    if raw is None:
        return default
    return next((option for option in options if option is not None and str(option) == raw), default)


def from_widget(key: str, param: str, empty: Iterable = EMPTY) -> None:
    """An on_change callback: the widget `key`'s new value goes to the URL as `param`."""
    write(param, st.session_state.get(key), empty=empty)


def record_id(param: str) -> int | None:
    """The URL's `param` as a row id: digits that fit an int4, else None (a typed link is checked, not trusted)."""
    raw = get(param)
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def record_pick(param: str, key: str, choices: dict[int, str], *, label: str, placeholder: str,
                unlisted: str = "#{id}") -> int | None:
    """A selectbox of records kept in the URL as `param`: the URL's id is picked (and offered as `unlisted`
    when it is not among `choices`, e.g. beyond the rows shown); returns that id, or None."""
    wanted = record_id(param)
    if wanted is not None and wanted not in choices:
        choices = {wanted: unlisted.format(id=wanted), **choices}
    st.session_state[key] = wanted
    st.selectbox(label, list(choices), format_func=choices.get, index=None, key=key, placeholder=placeholder,
                 on_change=from_widget, args=(key, param))
    return wanted
