"""Cached readers of the leadership overview (url first, so an entry never serves another database)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import store
from db import overview
from db.access import Actor


@st.cache_data(ttl=300, show_spinner=False, max_entries=64)
def overview_of(url: str, actor: Actor, year: int, today: date) -> overview.Overview:
    return overview.overview(store.engine_for(url), actor=actor, year=year, today=today)


@st.cache_data(ttl=300, show_spinner=False)
def scope_choices(url: str, actor: Actor) -> pd.DataFrame:
    return overview.scope_choices(store.engine_for(url), actor=actor)


@st.cache_data(ttl=300, show_spinner=False)
def years(url: str, actor: Actor) -> list[int]:
    return overview.years(store.engine_for(url), actor=actor)


def clear() -> None:
    """Every area's clear() calls this: a write anywhere may change a headline figure or an alert."""
    overview_of.clear()
