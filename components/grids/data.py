"""Cached reads for the grid-indicator pages: the first argument is the database URL, units are
passed by code, periods as text, so every argument hashes cheaply; writes call `clear()`."""

from __future__ import annotations

import pandas as pd

from components import store
from components.caching import cached
from db import org_units
from db.access import Actor
from db.errors import NotFound
from db.grids import indicators as gi
from db.grids.rules import Period, month_add, parse_period


@cached("grids")
def definitions(url: str) -> pd.DataFrame:
    return gi.definitions(store.engine_for(url))


@cached("org_units", max_entries=2000)  # codes come from URLs: bound the cache
def unit(url: str, actor: Actor, code: str) -> org_units.UnitPublic | None:
    """The unit of that code in the actor's scope, or None."""
    try:
        return org_units.get_unit(store.engine_for(url), actor=actor, code=code)
    except NotFound:
        return None


@cached("org_units")
def scope_unit(url: str, actor: Actor) -> org_units.UnitPublic:
    return org_units.scope_unit(store.engine_for(url), actor=actor)


def _unit(url: str, actor: Actor, code: str) -> org_units.UnitPublic:
    found = unit(url, actor, code)
    if found is None:
        raise NotFound("error.not_found", entity="org_unit")
    return found


@cached("org_units")
def breadcrumb(url: str, actor: Actor, code: str) -> list[org_units.UnitPublic]:
    return org_units.breadcrumb(store.engine_for(url), actor=actor, unit=_unit(url, actor, code))


@cached("grids")
def summary(url: str, actor: Actor, code: str, period: str) -> pd.Series:
    return gi.unit_summary(store.engine_for(url), actor=actor, unit=_unit(url, actor, code),
                           period=parse_period(period))


@cached("grids")
def children(url: str, actor: Actor, code: str, period: str) -> pd.DataFrame:
    return gi.children(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=parse_period(period))


@cached("grids")
def monthly(url: str, actor: Actor, code: str, last: str, months: int = 24) -> pd.DataFrame:
    return gi.monthly(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), last=last, months=months)


@cached("grids")
def heatmap(url: str, actor: Actor, code: str, indicator: str, last: str) -> pd.DataFrame:
    return gi.heatmap(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), code=indicator, last=last)


@cached("grids")
def reporting(url: str, actor: Actor, code: str, period: str) -> pd.DataFrame:
    return gi.reporting(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=parse_period(period))


@cached("grids")
def community_types(url: str, actor: Actor, code: str, period: str) -> pd.DataFrame:
    return gi.community_types(store.engine_for(url), actor=actor, unit=_unit(url, actor, code),
                              period=parse_period(period))


@cached("grids")
def outliers(url: str, actor: Actor, code: str, period: str, limit: int) -> pd.DataFrame:
    return gi.outliers(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=parse_period(period),
                       limit=limit)


@cached("org_units")
def roster(url: str, actor: Actor, code: str) -> pd.DataFrame:
    return org_units.roster(store.engine_for(url), actor=actor, grid=_unit(url, actor, code))


@cached("grids")
def grid_months(url: str, actor: Actor, code: str, last: str) -> pd.DataFrame:
    """A grid's last twelve months, for the entry page's context table."""
    span = Period(f"{month_add(last, -11)}..{last}", "range", month_add(last, -11), last)
    return gi.children(store.engine_for(url), actor=actor, unit=_unit(url, actor, code), period=span)


@cached("org_units")
def units(url: str, actor: Actor, level: str, street_id: int | None = None) -> pd.DataFrame:
    return org_units.units_in_scope(store.engine_for(url), actor=actor, levels=(level,), street_id=street_id)


@cached("org_units")
def has_units(url: str, actor: Actor, level: str) -> bool:
    return org_units.has_units(store.engine_for(url), actor=actor, level=level)
