"""五社联动's registries as lists of the actor's scope (narrowed to a street or community): stations with their
workers counted, workers, enterprises, the linkage's activities of a year (each the first `limit` rows if given:
the page shows the first rows and counts them all with `sizes`); the units a form may pick, and the rows of a
kind a user may mark as left or back (the first few, found by a part of their name)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import clock
from db.access import Actor, require, scope_condition
from db.engine import reading
from db.errors import DomainError
from db.linkage import rules
from db.linkage.dashboard import _where, place
from db.models import OrgUnit
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation

SWITCHABLE = {"station": SocialWorkStation, "worker": SocialWorker, "enterprise": CommunityEnterprise}


def _frame(engine: Engine, query, limit: int | None = None) -> pd.DataFrame:
    if limit is not None:
        query = query.limit(limit)
    with reading(engine) as s:
        result = s.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _named(table, *columns):
    """`columns` of `table` with its unit's and street's names."""
    unit, street = aliased(OrgUnit), aliased(OrgUnit)
    return (select(table.id, *columns, table.unit_id, unit.name.label("unit"), street.name.label("street"),
                   table.active)
            .join(unit, unit.id == table.unit_id).join(street, street.id == table.street_id))


def stations(engine: Engine, *, actor: Actor, unit_id: int | None = None, limit: int | None = None) -> pd.DataFrame:
    where = place(engine, actor, unit_id)
    workers = (select(SocialWorker.station_id, func.count().label("workers")).where(SocialWorker.active)
               .group_by(SocialWorker.station_id).subquery())
    query = (_named(SocialWorkStation, SocialWorkStation.name, SocialWorkStation.operator,
                    SocialWorkStation.opened_on, func.coalesce(workers.c.workers, 0).label("workers"))
             .outerjoin(workers, workers.c.station_id == SocialWorkStation.id)
             .where(*_where(SocialWorkStation, where)).order_by(SocialWorkStation.street_id, SocialWorkStation.id))
    return _frame(engine, query, limit)


def workers(engine: Engine, *, actor: Actor, unit_id: int | None = None, limit: int | None = None) -> pd.DataFrame:
    where = place(engine, actor, unit_id)
    query = (_named(SocialWorker, SocialWorker.name, SocialWorkStation.name.label("station"),
                    SocialWorker.qualification, SocialWorker.joined_on)
             .join(SocialWorkStation, SocialWorkStation.id == SocialWorker.station_id)
             .where(*_where(SocialWorker, where)).order_by(SocialWorker.street_id, SocialWorker.id))
    return _frame(engine, query, limit)


def enterprises(engine: Engine, *, actor: Actor, unit_id: int | None = None, limit: int | None = None
                ) -> pd.DataFrame:
    where = place(engine, actor, unit_id)
    query = (_named(CommunityEnterprise, CommunityEnterprise.name, CommunityEnterprise.contribution_kind,
                    CommunityEnterprise.contribution, CommunityEnterprise.value, CommunityEnterprise.engaged_on)
             .where(*_where(CommunityEnterprise, where)).order_by(CommunityEnterprise.street_id,
                                                                  CommunityEnterprise.id))
    return _frame(engine, query, limit)


def activities(engine: Engine, *, actor: Actor, unit_id: int | None = None, year: int | None = None,
               limit: int | None = None) -> pd.DataFrame:
    """The linkage's own activities of the period, newest first (the 微创投 projects' are on 微创投)."""
    where = place(engine, actor, unit_id)
    start, end = rules.period(year, clock.today())
    unit, street = aliased(OrgUnit), aliased(OrgUnit)
    query = (select(LinkageActivity.id, LinkageActivity.held_on, LinkageActivity.title, LinkageActivity.organizer,
                    unit.name.label("unit"), street.name.label("street"), LinkageActivity.participants,
                    LinkageActivity.people_served, LinkageActivity.problems_solved)
             .join(unit, unit.id == LinkageActivity.unit_id).join(street, street.id == LinkageActivity.street_id)
             .where(*_where(LinkageActivity, where), LinkageActivity.held_on <= end,
                    *([LinkageActivity.held_on >= start] if start else []))
             .order_by(LinkageActivity.held_on.desc(), LinkageActivity.id.desc()))
    return _frame(engine, query, limit)


def sizes(engine: Engine, *, actor: Actor, unit_id: int | None = None, year: int | None = None) -> dict[str, int]:
    """How many rows each list above holds (stations, workers, enterprises, activities), for "first n of total"."""
    where = place(engine, actor, unit_id)
    start, end = rules.period(year, clock.today())
    with reading(engine) as s:
        def count(table, *conditions) -> int:
            return s.execute(select(func.count()).select_from(table).where(*_where(table, where), *conditions)
                             ).scalar_one()

        return {"stations": count(SocialWorkStation), "workers": count(SocialWorker),
                "enterprises": count(CommunityEnterprise),
                "activities": count(LinkageActivity, LinkageActivity.held_on <= end,
                                    *([LinkageActivity.held_on >= start] if start else []))}


def switchable(engine: Engine, *, actor: Actor, kind: str, unit_id: int | None = None, named: str = "",
               limit: int | None = None) -> pd.DataFrame:
    """The stations, workers or enterprises (`kind`) of the place whose name holds `named` (as typed: % and _
    are letters here), as the lists order them: id, name, unit, street, active."""
    if kind not in SWITCHABLE:
        raise DomainError("rule.choice", field="kind")
    table = SWITCHABLE[kind]
    where = place(engine, actor, unit_id)
    named = named.strip()
    query = (_named(table, table.name).where(*_where(table, where),
                                             *([table.name.contains(named, autoescape=True)] if named else []))
             .order_by(table.street_id, table.id))
    return _frame(engine, query, limit)


def units(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """The active streets and communities of the actor's scope, street first then its communities (the pickers),
    with their street's and district's names."""
    require(actor, "linkage.read")
    street, district = aliased(OrgUnit), aliased(OrgUnit)
    query = (select(OrgUnit.id, OrgUnit.name, OrgUnit.level, OrgUnit.street_id, street.name.label("street"),
                    OrgUnit.district_id, district.name.label("district"))
             .join(street, street.id == OrgUnit.street_id).join(district, district.id == OrgUnit.district_id)
             .where(OrgUnit.level.in_(rules.UNIT_LEVELS), OrgUnit.active, scope_condition(actor))
             .order_by(street.code, OrgUnit.level.desc(), OrgUnit.code))
    return _frame(engine, query)
