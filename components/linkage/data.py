"""Cached reads of 五社联动 (store.url() first). Its figures are summed from the funds' ledgers and rounds and the
register's organizations too, so a write in those areas clears them; its own writes clear "linkage"."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from components import store
from components.caching import cached
from db.access import Actor
from db.funds import rewards as fund_rewards
from db.linkage import dashboard, reads
from db.linkage.dashboard import LinkageFigures


@cached("linkage", "funds", "pipeline", per_scope=True)
def figures(url: str, actor: Actor, unit_id: int | None, year: int | None) -> LinkageFigures:
    return dashboard.figures(store.engine_for(url), actor=actor, unit_id=unit_id, year=year)


@cached("linkage", "funds", "pipeline", per_scope=True)
def by_unit(url: str, actor: Actor, unit_id: int | None, year: int | None) -> pd.DataFrame:
    return dashboard.by_unit(store.engine_for(url), actor=actor, unit_id=unit_id, year=year)


@cached("linkage", "funds", per_scope=True)
def by_month(url: str, actor: Actor, unit_id: int | None, year: int | None) -> pd.DataFrame:
    return dashboard.by_month(store.engine_for(url), actor=actor, unit_id=unit_id, year=year)


@cached("linkage", "funds", per_scope=True)
def years(url: str, actor: Actor) -> list[int]:
    return dashboard.years(store.engine_for(url), actor=actor)


@cached("linkage", per_scope=True)
def units(url: str, actor: Actor) -> pd.DataFrame:
    return reads.units(store.engine_for(url), actor=actor)


class UnitChoices(NamedTuple):
    """The forms' unit picker, built once for the four forms: the streets of the scope (id -> name, "district ·
    name" when the scope spans districts), each street's units a form may pick (the street itself first where
    it is in the scope, then its communities: the street's id among its units is the street itself) and each
    unit's street. Names only: the picker words them in the user's language. The browser gets one street's."""
    streets: dict[int, str]
    units: dict[int, dict[int, str]]
    street_of: dict[int, int]


@cached("linkage", per_scope=True)
def unit_choices(url: str, actor: Actor) -> UnitChoices:
    rows = units(url, actor)
    districts = rows["district_id"].nunique() > 1
    streets: dict[int, str] = {}
    by_street: dict[int, dict[int, str]] = {}
    street_of: dict[int, int] = {}
    for i, name, s, s_name, d_name in zip(rows["id"], rows["name"], rows["street_id"], rows["street"],
                                          rows["district"]):
        i, s = int(i), int(s)
        streets.setdefault(s, f"{d_name} · {s_name}" if districts else s_name)
        by_street.setdefault(s, {})[i] = name
        street_of[i] = s
    return UnitChoices(streets, by_street, street_of)


@cached("linkage", per_scope=True, max_entries=100)  # one entry per name typed
def switchable(url: str, actor: Actor, kind: str, unit_id: int | None, named: str, limit: int) -> pd.DataFrame:
    return reads.switchable(store.engine_for(url), actor=actor, kind=kind, unit_id=unit_id, named=named,
                            limit=limit)


@cached("linkage", per_scope=True)
def stations(url: str, actor: Actor, unit_id: int | None, limit: int | None = None) -> pd.DataFrame:
    return reads.stations(store.engine_for(url), actor=actor, unit_id=unit_id, limit=limit)


@cached("linkage", per_scope=True)
def workers(url: str, actor: Actor, unit_id: int | None, limit: int | None = None) -> pd.DataFrame:
    return reads.workers(store.engine_for(url), actor=actor, unit_id=unit_id, limit=limit)


@cached("linkage", per_scope=True)
def enterprises(url: str, actor: Actor, unit_id: int | None, limit: int | None = None) -> pd.DataFrame:
    return reads.enterprises(store.engine_for(url), actor=actor, unit_id=unit_id, limit=limit)


@cached("linkage", per_scope=True)
def activities(url: str, actor: Actor, unit_id: int | None, year: int | None, limit: int | None = None
               ) -> pd.DataFrame:
    return reads.activities(store.engine_for(url), actor=actor, unit_id=unit_id, year=year, limit=limit)


@cached("linkage", per_scope=True)
def sizes(url: str, actor: Actor, unit_id: int | None, year: int | None) -> dict[str, int]:
    return reads.sizes(store.engine_for(url), actor=actor, unit_id=unit_id, year=year)


@cached("pipeline", per_scope=True)  # ratings are the register's
def rewards(url: str, actor: Actor, year: int) -> tuple[fund_rewards.RewardSummary, pd.DataFrame]:
    return fund_rewards.rewards(store.engine_for(url), actor=actor, year=year)
