"""Cached reads for the grid-indicator pages: the first argument is the database URL, units are
passed by code, periods as text, so every argument hashes cheaply; writes call `clear()`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import store
from components.overview import data as overview_data
from db import orgs
from db.access import Actor
from db.errors import NotFound
from db.grids import indicators as gi
from db.grids.rules import Period, month_add, parse_period


@st.cache_data(ttl=600, show_spinner=False)
def definitions(url: str) -> pd.DataFrame:
    return gi.definitions(store.engine_for(url))


@st.cache_data(ttl=600, show_spinner=False, max_entries=2000)  # codes come from URLs: bound the cache
def unit(url: str, actor: Actor, code: str) -> orgs.UnitPublic | None:
    """The unit of that code in the actor's scope, or None."""
    try:
        return orgs.get_unit(store.engine_for(url), actor=actor, code=code)
    except NotFound:
        return None


@st.cache_data(ttl=600, show_spinner=False)
def scope_unit(url: str, actor: Actor) -> orgs.UnitPublic:
    return orgs.scope_unit(store.engine_for(url), actor=actor)


def _unit(url: str, actor: Actor, code: str) -> orgs.UnitPublic:
    found = unit(url, actor, code)
    if found is None:
        raise NotFound("error.not_found", entity="org_unit")
    return found


@st.cache_data(ttl=600, show_spinner=False)
def breadcrumb(url: str, actor: Actor, code: str) -> list[orgs.UnitPublic]:
    return orgs.breadcrumb(store.engine_for(url), actor=actor, unit=_unit(url, actor, code))


@st.cache_data(ttl=600, show_spinner=False)
def summary(url: str, actor: Actor, code: str, period: str) -> pd.Series:
    return gi.unit_summary(store.engine_for(url), actor=actor, unit=_unit(url, actor, code),
                           period=parse_period(period))


@st.cache_data(ttl=600, show_spinner=False)
def children(url: str, actor: Actor, code: str, period: str) -> pd.DataFrame:
    return gi.children(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=parse_period(period))


@st.cache_data(ttl=600, show_spinner=False)
def monthly(url: str, actor: Actor, code: str, last: str, months: int = 24) -> pd.DataFrame:
    return gi.monthly(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), last=last, months=months)


@st.cache_data(ttl=600, show_spinner=False)
def heatmap(url: str, actor: Actor, code: str, indicator: str, last: str) -> pd.DataFrame:
    return gi.heatmap(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), code=indicator, last=last)


@st.cache_data(ttl=600, show_spinner=False)
def reporting(url: str, actor: Actor, code: str, period: str) -> pd.DataFrame:
    return gi.reporting(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=parse_period(period))


@st.cache_data(ttl=600, show_spinner=False)
def community_types(url: str, actor: Actor, code: str, period: str) -> pd.DataFrame:
    return gi.community_types(store.engine_for(url), actor=actor, unit=_unit(url, actor, code),
                              period=parse_period(period))


@st.cache_data(ttl=600, show_spinner=False)
def outliers(url: str, actor: Actor, code: str, period: str, limit: int) -> pd.DataFrame:
    return gi.outliers(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=parse_period(period),
                       limit=limit)


@st.cache_data(ttl=600, show_spinner=False)
def roster(url: str, actor: Actor, code: str) -> pd.DataFrame:
    return orgs.roster(store.engine_for(url), actor=actor, grid=_unit(url, actor, code))


@st.cache_data(ttl=600, show_spinner=False)
def grid_months(url: str, actor: Actor, code: str, last: str) -> pd.DataFrame:
    """A grid's last twelve months, for the entry page's context table."""
    span = Period(f"{month_add(last, -11)}..{last}", "range", month_add(last, -11), last)
    return gi.children(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=span)


@st.cache_data(ttl=600, show_spinner=False)
def units(url: str, actor: Actor, level: str) -> pd.DataFrame:
    return orgs.units_in_scope(store.engine_for(url), actor=actor, levels=(level,))


def clear() -> None:
    """After a write: every figure built from grid reports may have changed."""
    for reader in (summary, children, monthly, heatmap, reporting, community_types, outliers, grid_months):
        reader.clear()
    overview_data.clear()
