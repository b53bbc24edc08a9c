"""Cached reads of 五社联动 (store.url() first). Its figures are summed from the funds' ledgers and rounds and the
register's organizations too, so a write in those areas clears them; its own writes clear "linkage"."""

from __future__ import annotations

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


@cached("linkage", per_scope=True)
def unit_options(url: str, actor: Actor) -> dict[int, str]:
    """The forms' unit picker (id -> "street · community"), built once for the four forms that show it."""
    rows = units(url, actor)
    return {int(i): (n if level == "street" else f"{s} · {n}")
            for i, n, level, s in zip(rows["id"], rows["name"], rows["level"], rows["street"])}


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
