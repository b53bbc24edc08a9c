"""Who this page run is shown to: the user the shell settled on (narrowed by ?scope=), for the pieces that
name the scope without being handed the user (the title row of a download)."""

from __future__ import annotations

import streamlit as st

from db.access import Actor

_KEY = "_page_actor"


def settle(actor: Actor | None) -> None:
    st.session_state[_KEY] = actor


def current() -> Actor | None:
    return st.session_state.get(_KEY)
