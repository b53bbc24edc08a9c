"""五社联动's figures for a district, street or community and a year, each derived from the rows that hold it —
never typed in twice:

- communities and streets in the linkage: rules.in_linkage over the parties present in each community (its
  social-work station or workers, its enterprises, its fund, its street's incubated organizations);
- community organizations incubated: the social-organization register (`incubated`, by street);
- social work: stations and social workers (registry rows, active, opened or joined by the period's end);
- community enterprises engaged: the enterprise registry (active, engaged by the period's end);
- raised: donations into the community funds (the ledger, reversals netted) plus what engaged enterprises gave
  directly (their registry value, by the day they were engaged); granted: grants out of the funds' ledgers;
- projects funded: the funds' grants to projects (a community project counted once, any other approved use once
  per grant; grants feeding a 微创投 pool and reversed grants left out); the rounds' funded projects beside it;
- activities, problems solved, people served: the linkage's activities and the 微创投 projects' activities.

Registries count as they stood at the period's end; money and activities within the period (rules.period)."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import extract, func, select, union_all
from sqlalchemy.engine import Engine

from db import clock
from db.access import Actor, require, require_unit_in_scope
from db.community import scope
from db.engine import reading
from db.errors import DomainError
from db.funds import rules as fund_rules
from db.linkage import rules
from db.models import OrgUnit
from db.models.funds import CommunityFund, FundEntry, GrantActivity, GrantApplication, GrantSource
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation
from db.models.pipeline import SocialOrg

UNIT_COLUMNS = ["unit_id", "unit", "communities", "in_linkage", "orgs", "stations", "workers", "enterprises",
                "raised", "granted", "activities", "problems_solved", "people_served"]


class LinkageFigures(BaseModel):
    streets: int = 0  # 镇街 in the linkage
    communities: int = 0  # 村居 in the linkage
    communities_total: int = 0  # active communities of the scope
    orgs_incubated: int = 0
    orgs_by_street: bool = False  # a community's figure is its street's (the register places organizations by street)
    stations: int = 0
    workers: int = 0
    enterprises: int = 0
    raised: int = 0
    raised_funds: int = 0
    raised_enterprises: int = 0
    granted: int = 0
    projects_funded: int = 0
    microgrant_funded: int = 0
    activities: int = 0
    participants: int = 0
    problems_solved: int = 0
    people_served: int = 0


class Place(BaseModel):
    """Where the figures are taken: the actor's scope narrowed to a street or community (`unit_id`)."""

    level: str  # root | district | street | community
    unit_id: int | None
    street_id: int | None  # the community's street, for the register's organizations


def place(engine: Engine, actor: Actor, unit_id: int | None) -> Place:
    require(actor, "linkage.read")
    with reading(engine) as session:
        if unit_id is not None:
            unit = require_unit_in_scope(session, actor, scope.row_id(unit_id, "org_unit"))
            if unit.level not in ("district", "street", "community"):
                raise DomainError("lk.error.unit_level", field="unit_id")
            return Place(level=unit.level, unit_id=unit.id, street_id=unit.street_id)
        if actor.scope_level == "root":
            return Place(level="root", unit_id=None, street_id=None)
        unit = session.get(OrgUnit, actor.scope_id)
        return Place(level=unit.level, unit_id=unit.id, street_id=unit.street_id)


_LEVEL_COLUMN = {"district": "district_id", "street": "street_id", "community": "community_id"}


def _where(table, where: Place) -> list:
    """Rows of `table` (with community_id, street_id, district_id) at the place."""
    if where.level == "root":
        return []
    return [getattr(table, _LEVEL_COLUMN[where.level]) == where.unit_id]


def _org_where(where: Place) -> list:
    """The register's organizations at the place: a community's are its street's."""
    if where.level == "root":
        return []
    if where.level == "district":
        return [SocialOrg.district_id == where.unit_id]
    return [SocialOrg.street_id == where.street_id]


def _within(column, start, end) -> list:
    return [column <= end] if start is None else [column >= start, column <= end]


def _incubated(start, end):
    return [SocialOrg.incubated, SocialOrg.active, func.coalesce(SocialOrg.incubated_on, SocialOrg.founded_on) <= end]


def _activities(where: Place, start, end):
    """The linkage's activities and the 微创投 projects', as one (unit columns, counts) selectable."""
    own = select(LinkageActivity.community_id, LinkageActivity.street_id, LinkageActivity.held_on,
                 LinkageActivity.participants, LinkageActivity.people_served, LinkageActivity.problems_solved
                 ).where(*_where(LinkageActivity, where), *_within(LinkageActivity.held_on, start, end))
    rounds = (select(GrantApplication.community_id, GrantApplication.street_id, GrantActivity.held_on,
                     GrantActivity.participants, GrantActivity.people_served, GrantActivity.problems_solved)
              .join(GrantApplication, GrantApplication.id == GrantActivity.application_id)
              .where(*_where(GrantApplication, where), *_within(GrantActivity.held_on, start, end)))
    return union_all(own, rounds).subquery()


def _project_grants(where: Place, start, end):
    """The funds' grants to projects in the period: not reversed, not feeding a round's pool."""
    reversal = select(FundEntry.reverses_id).where(FundEntry.reverses_id.is_not(None))
    pools = select(GrantSource.fund_entry_id).where(GrantSource.fund_entry_id.is_not(None))
    return (select(FundEntry.id, FundEntry.project_id, FundEntry.community_id, FundEntry.street_id)
            .where(FundEntry.kind == fund_rules.GRANT, FundEntry.id.not_in(reversal), FundEntry.id.not_in(pools),
                   *_where(FundEntry, where), *_within(FundEntry.entry_on, start, end)))


def _party_days(session, where: Place) -> tuple[dict[int, int], dict[int, dict[str, object]]]:
    """The active communities at the place (id -> street id) and, for each, the first day each party was present
    (its earliest active station or worker, enterprise, fund; its street's earliest incubated organization): a
    party is present by `end` when that day is on or before it, so several years are judged from one read."""
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.street_id).where(
        OrgUnit.level == "community", OrgUnit.active, *_where(OrgUnit, where))).all())
    first: dict[int, dict[str, object]] = {c: {} for c in units}

    def mark(party: str, table, day, *conditions) -> None:
        rows = session.execute(select(table.community_id, func.min(day)).where(*conditions, *_where(table, where))
                               .group_by(table.community_id)).all()
        for community, day_ in rows:
            if community in first and (party not in first[community] or day_ < first[community][party]):
                first[community][party] = day_

    mark("social_work", SocialWorkStation, SocialWorkStation.opened_on, SocialWorkStation.active)
    mark("social_work", SocialWorker, SocialWorker.joined_on, SocialWorker.active)
    mark("enterprise", CommunityEnterprise, CommunityEnterprise.engaged_on, CommunityEnterprise.active)
    mark("fund", CommunityFund, CommunityFund.founded_on)
    streets = dict(session.execute(select(SocialOrg.street_id, func.min(
        func.coalesce(SocialOrg.incubated_on, SocialOrg.founded_on))).where(
        SocialOrg.incubated, SocialOrg.active, *_org_where(where)).group_by(SocialOrg.street_id)).all())
    for community, street in units.items():
        if streets.get(street) is not None:
            first[community]["social_org"] = streets[street]
    return units, first


def _present(first: dict[int, dict[str, object]], end) -> dict[int, set[str]]:
    """The parties present in each community by `end`."""
    return {c: {party for party, day in days.items() if day is not None and day <= end} for c, days in first.items()}


def _parties(session, where: Place, end) -> tuple[dict[int, int], dict[int, set[str]]]:
    """The active communities at the place (id -> street id) and the parties present in each by `end`."""
    units, first = _party_days(session, where)
    return units, _present(first, end)


def figures(engine: Engine, *, actor: Actor, unit_id: int | None = None, year: int | None = None) -> LinkageFigures:
    """The five parties' figures at the place (the actor's scope, or a street or community of it) for `year`."""
    return figures_of_years(engine, actor=actor, years=[year], unit_id=unit_id)[year]


def figures_of_years(engine: Engine, *, actor: Actor, years: list[int | None], unit_id: int | None = None
                     ) -> dict[int | None, LinkageFigures]:
    """figures() for several years (the overview's this year and last), the place and the parties read once."""
    where = place(engine, actor, unit_id)
    with reading(engine) as s:
        units, first = _party_days(s, where)
        return {year: _figures(s, where, units, first, year) for year in years}


def _figures(s, where: Place, units: dict[int, int], first: dict[int, dict[str, object]], year: int | None
             ) -> LinkageFigures:
    start, end = rules.period(year, clock.today())
    present = _present(first, end)
    linked = [c for c in units if rules.in_linkage(present[c])]

    def count(table, day, *extra) -> int:
        return s.execute(select(func.count()).select_from(table).where(
            table.active, day <= end, *_where(table, where), *extra)).scalar_one()

    donations = s.execute(select(func.coalesce(func.sum(FundEntry.amount), 0)).where(
        FundEntry.side == fund_rules.IN, *_where(FundEntry, where),
        *_within(FundEntry.entry_on, start, end))).scalar_one()
    granted = s.execute(select(func.coalesce(func.sum(FundEntry.amount), 0)).where(
        FundEntry.side == fund_rules.OUT, *_where(FundEntry, where),
        *_within(FundEntry.entry_on, start, end))).scalar_one()
    given = s.execute(select(func.coalesce(func.sum(CommunityEnterprise.value), 0)).where(
        *_where(CommunityEnterprise, where), *_within(CommunityEnterprise.engaged_on, start, end))).scalar_one()
    grants = _project_grants(where, start, end).subquery()
    projects = s.execute(select(func.count(func.distinct(grants.c.project_id)) + func.count().filter(
        grants.c.project_id.is_(None)))).scalar_one()
    funded = s.execute(select(func.count()).select_from(GrantApplication).where(
        GrantApplication.status.in_((fund_rules.FUNDED, fund_rules.CLOSED)),
        *_where(GrantApplication, where), *_within(GrantApplication.decided_on, start, end))).scalar_one()
    acts = _activities(where, start, end)
    n, participants, problems, people = s.execute(select(
        func.count(), func.coalesce(func.sum(acts.c.participants), 0),
        func.coalesce(func.sum(acts.c.problems_solved), 0), func.coalesce(func.sum(acts.c.people_served), 0))
    ).one()
    orgs = s.execute(select(func.count()).select_from(SocialOrg).where(
        *_incubated(start, end), *_org_where(where))).scalar_one()
    return LinkageFigures(
        streets=len({units[c] for c in linked}), communities=len(linked), communities_total=len(units),
        orgs_incubated=orgs, orgs_by_street=where.level == "community",
        stations=count(SocialWorkStation, SocialWorkStation.opened_on),
        workers=count(SocialWorker, SocialWorker.joined_on),
        enterprises=count(CommunityEnterprise, CommunityEnterprise.engaged_on),
        raised=int(donations) + int(given), raised_funds=int(donations), raised_enterprises=int(given),
        granted=int(granted), projects_funded=int(projects), microgrant_funded=int(funded), activities=int(n),
        participants=int(participants), problems_solved=int(problems), people_served=int(people))


def by_unit(engine: Engine, *, actor: Actor, unit_id: int | None = None, year: int | None = None) -> pd.DataFrame:
    """The figures one level down: per street of a district (or of everything), per community of a street."""
    where = place(engine, actor, unit_id)
    if where.level == "community":
        return pd.DataFrame(columns=UNIT_COLUMNS)
    key = "community_id" if where.level == "street" else "street_id"
    start, end = rules.period(year, clock.today())
    with reading(engine) as s:
        units, present = _parties(s, where, end)
        level = "community" if key == "community_id" else "street"
        names = dict(s.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.level == level, OrgUnit.active,
                                                                        *_where(OrgUnit, where))).all())
        order = list(s.execute(select(OrgUnit.id).where(OrgUnit.level == level, OrgUnit.active,
                                                        *_where(OrgUnit, where)).order_by(OrgUnit.code)).scalars())
        frame = pd.DataFrame({"unit_id": order, "unit": [names[i] for i in order]}).set_index("unit_id")
        of = (lambda c: c) if key == "community_id" else units.get
        frame["communities"] = pd.Series([of(c) for c in units]).value_counts()
        frame["in_linkage"] = pd.Series([of(c) for c in units if rules.in_linkage(present[c])]).value_counts()

        def grouped(name: str, table, value, *conditions) -> None:
            column = getattr(table, key)
            rows = s.execute(select(column, value).where(*_where(table, where), *conditions).group_by(column)).all()
            frame[name] = pd.Series(dict(rows))

        grouped("stations", SocialWorkStation, func.count(), SocialWorkStation.active,
                SocialWorkStation.opened_on <= end)
        grouped("workers", SocialWorker, func.count(), SocialWorker.active, SocialWorker.joined_on <= end)
        grouped("enterprises", CommunityEnterprise, func.count(), CommunityEnterprise.active,
                CommunityEnterprise.engaged_on <= end)
        grouped("raised", FundEntry, func.sum(FundEntry.amount), FundEntry.side == fund_rules.IN,
                *_within(FundEntry.entry_on, start, end))
        given = dict(s.execute(select(getattr(CommunityEnterprise, key), func.sum(CommunityEnterprise.value)).where(
            *_where(CommunityEnterprise, where), *_within(CommunityEnterprise.engaged_on, start, end))
            .group_by(getattr(CommunityEnterprise, key))).all())
        frame["raised"] = frame["raised"].fillna(0) + pd.Series(given).reindex(frame.index).fillna(0)
        grouped("granted", FundEntry, func.sum(FundEntry.amount), FundEntry.side == fund_rules.OUT,
                *_within(FundEntry.entry_on, start, end))
        if key == "street_id":
            frame["orgs"] = pd.Series(dict(s.execute(select(SocialOrg.street_id, func.count()).where(
                *_incubated(start, end), *_org_where(where)).group_by(SocialOrg.street_id)).all()))
        else:
            frame["orgs"] = None  # placed by street: shown on the street's row above
        acts = _activities(where, start, end)
        column = getattr(acts.c, key)
        counted = s.execute(select(column, func.count(), func.sum(acts.c.problems_solved),
                                   func.sum(acts.c.people_served)).group_by(column)).all()
        for position, name in enumerate(("activities", "problems_solved", "people_served"), start=1):
            frame[name] = pd.Series({row[0]: row[position] for row in counted})
    frame = frame.reset_index().reindex(columns=UNIT_COLUMNS)
    counts = [c for c in UNIT_COLUMNS[2:] if not (c == "orgs" and key == "community_id")]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame


def by_month(engine: Engine, *, actor: Actor, unit_id: int | None = None, year: int | None = None) -> pd.DataFrame:
    """Activities, people served and problems solved by month ("YYYY-MM"): the year's, or the last 24 months'."""
    where = place(engine, actor, unit_id)
    start, end = rules.period(year, clock.today())
    if start is None:
        start = end.replace(day=1, year=end.year - 2)  # the first of a month: no 29 February to trip on
    acts = _activities(where, start, end)
    year_, month_ = extract("year", acts.c.held_on), extract("month", acts.c.held_on)
    with reading(engine) as s:
        rows = s.execute(select(year_, month_, func.count(), func.sum(acts.c.people_served),
                                func.sum(acts.c.problems_solved)).group_by(year_, month_).order_by(year_, month_)).all()
    rows = [(f"{int(y):04d}-{int(m):02d}", int(n), int(p), int(q)) for y, m, n, p, q in rows]
    return pd.DataFrame(rows, columns=["month", "activities", "people_served", "problems_solved"])


def years(engine: Engine, *, actor: Actor) -> list[int]:
    """The years with linkage activities or fund entries, newest first (the page's year filter)."""
    require(actor, "linkage.read")
    today = clock.today()
    with reading(engine) as s:
        first = s.execute(select(func.min(LinkageActivity.held_on))).scalar_one()
        entry = s.execute(select(func.min(FundEntry.entry_on))).scalar_one()
    starts = [d.year for d in (first, entry) if d is not None]
    return list(range(today.year, (min(starts) if starts else today.year) - 1, -1))
