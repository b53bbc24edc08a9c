"""Cached reads of the supervisor pool. Each takes store.url() first so an entry never serves another database;
every write of the area clears "supervisors". A draw for an evaluation writes that evaluation's assignments,
so the scorecard pages depend on this area's writes too."""

from __future__ import annotations

from datetime import date

import pandas as pd

from components import caching, store
from components.caching import cached
from db.access import Actor
from db.supervisors import draws, pool
from db.supervisors.pool import PoolFilter

caching.depends("scorecards", "supervisors")


@cached("supervisors")
def supervisors(url: str, actor: Actor, filters: PoolFilter) -> pd.DataFrame:
    return pool.pool(store.engine_for(url), actor=actor, filters=filters)


@cached("supervisors")
def counts(url: str, actor: Actor, today: date) -> dict[str, int]:
    return pool.counts(store.engine_for(url), actor=actor, today=today)


@cached("supervisors", "scorecards")  # on-time rates and deviations come from the scorecards
def record(url: str, actor: Actor, today: date) -> pd.DataFrame:
    return pool.record(store.engine_for(url), actor=actor, today=today)


@cached("supervisors")
def ties(url: str, actor: Actor, supervisor_id: int) -> pd.DataFrame:
    return pool.ties(store.engine_for(url), actor=actor, supervisor_id=supervisor_id)


@cached("supervisors", "pipeline")
def organizations(url: str, actor: Actor) -> pd.DataFrame:
    return pool.org_options(store.engine_for(url), actor=actor)


@cached("supervisors")
def districts(url: str, actor: Actor) -> dict[int, str]:
    return pool.districts(store.engine_for(url), actor=actor)


@cached("supervisors", "users")  # an account made or deactivated changes the choices
def accounts(url: str, actor: Actor, district_id: int) -> pd.DataFrame:
    return pool.account_options(store.engine_for(url), actor=actor, district_id=district_id)


@cached("supervisors")
def draw_list(url: str, actor: Actor) -> pd.DataFrame:
    return draws.list_draws(store.engine_for(url), actor=actor)


@cached("supervisors")
def draw(url: str, actor: Actor, draw_id: int) -> draws.DrawPublic:
    return draws.get_draw(store.engine_for(url), actor=actor, draw_id=draw_id)


@cached("supervisors", "scorecards")
def open_evaluations(url: str, actor: Actor) -> pd.DataFrame:
    return draws.open_evaluations(store.engine_for(url), actor=actor)
