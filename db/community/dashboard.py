"""The leadership dashboard of 社区营造 for a scope (a district, street or community inside the actor's own) and
a year or all years: the funnel collected → to the council → adopted → carried out → evaluated, by year and by the
scope's units; the days from proposal to decision (median); money by funding source; themes; and the communities
that collect fewest proposals for their households. Aggregated in SQL (one grouped query each), except the
median, which needs each proposal's days."""

from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Optional

import pandas as pd
from sqlalchemy import Integer, case, cast, exists, extract, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import clock
from db.access import Actor, require, scope_condition, unit_in_scope
from db.community import rules, scope
from db.community.proposals import _latest_decisions, carried_out_condition, year_condition
from db.engine import at_once, reading
from db.errors import NotFound
from db.models import OrgUnit
from db.models.community import CommunityProject, CouncilItem, CouncilMeeting, Proposal, ProposalRating
from db.models.pipeline import Project

FUNNEL = ("collected", "to_council", "adopted", "carried_out", "evaluated")
# a proposal reached the council once it was sent there, whatever the council made of it since
REACHED_COUNCIL = (rules.TO_COUNCIL, rules.DEFERRED, rules.ADOPTED, rules.NOT_ADOPTED)
DECIDED = (rules.ADOPTED, rules.NOT_ADOPTED, rules.DECLINED)
FEW_SHOWN = 10
PARALLEL_READS = 3  # two cores; more side by side only queue
CHILD_LEVEL = {"root": "district", "district": "street", "street": "community", "community": "community"}
_UNIT_COLUMN = {"district": Proposal.district_id, "street": Proposal.street_id, "community": Proposal.community_id}


def narrowed(actor: Actor, unit: OrgUnit) -> Actor:
    """The actor seeing only `unit` (a district, street or community inside their scope)."""
    if unit.level not in ("root", "district", "street", "community") or not unit_in_scope(actor, unit):
        raise NotFound("error.not_found", entity="org_unit")
    if unit.id == actor.scope_id:
        return actor
    return replace(actor, scope_id=unit.id, scope_level=unit.level, scope_name=unit.name)


def scope_units(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """The actor's own unit and the districts, streets and communities under it: id, code, name, level,
    district_id, street_id, in the hierarchy's order."""
    require(actor, "community.read")
    query = (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.district_id, OrgUnit.street_id)
             .where(scope_condition(actor), OrgUnit.level.in_(("root", "district", "street", "community")),
                    OrgUnit.active.is_(True))
             .order_by(OrgUnit.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "code", "name", "level", "district_id", "street_id"])


def unit_by_code(engine: Engine, *, actor: Actor, code: str | None) -> Actor:
    """The actor narrowed to the unit of `code` (None or unknown: the actor's own scope)."""
    require(actor, "community.read")
    if not code:
        return actor
    with reading(engine) as session:
        row = session.execute(select(OrgUnit).where(OrgUnit.code == str(code)[:20])).scalar_one_or_none()
        if row is None:
            raise NotFound("error.not_found", entity="org_unit")
        return narrowed(actor, row)


@dataclass(frozen=True)
class CommunityDashboard:
    scope_level: str
    year: Optional[int]
    funnel: dict[str, int]  # FUNNEL -> count
    by_year: pd.DataFrame  # year + FUNNEL columns
    by_unit: pd.DataFrame  # the scope's units one level down: id, name + FUNNEL + amount
    median_days: Optional[float]  # from submission to the council's decision or the answer declining it
    decided: int  # proposals the median is of
    money: pd.DataFrame  # funding_source, projects, amount (whole yuan)
    themes: pd.DataFrame  # theme, collected, adopted, carried_out
    few: pd.DataFrame  # community, street, households, proposals, per_thousand: the fewest first
    rating_mean: Optional[float]
    ratings: int


def _funnel_columns():
    done = carried_out_condition(Project.stage, CommunityProject.stage)
    # rated at least once: an index probe per proposal (grouping every rating of the city first cost 50 ms)
    rated = exists().where(ProposalRating.proposal_id == Proposal.id)
    count = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    return [func.count().label("collected"), count(Proposal.state.in_(REACHED_COUNCIL)).label("to_council"),
            count(Proposal.state == rules.ADOPTED).label("adopted"), count(done).label("carried_out"),
            count(rated).label("evaluated"),
            func.coalesce(func.sum(Proposal.funding_amount), 0).label("amount")]


def _base(query):
    return (query.select_from(Proposal)
            .outerjoin(Project, Project.id == Proposal.project_id)
            .outerjoin(CommunityProject, CommunityProject.proposal_id == Proposal.id))


def _frame(conn, query, columns) -> pd.DataFrame:
    frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=columns)
    for column in columns:
        if column in FUNNEL or column in ("amount", "projects", "proposals"):
            frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def dashboard(engine: Engine, *, actor: Actor, year: int | None = None) -> CommunityDashboard:
    """Every figure of the dashboard for the actor's scope (see narrowed) and the year (None: every year)."""
    require(actor, "community.read")
    conds = [scope.condition(actor, Proposal)]
    if year:
        conds.append(year_condition(year))
    funnel_cols = _funnel_columns()
    child = CHILD_LEVEL.get(actor.scope_level, "community")
    unit = aliased(OrgUnit)
    year_col = extract("year", Proposal.submitted_on)
    uid = _UNIT_COLUMN[child]
    measures = [*FUNNEL, "amount"]

    def cube_read(conn):
        # one pass over the proposals, by unit, year and theme (a city: about 12,000 groups); the funnel, the years,
        # the units and the themes are its sums (four passes took 3.4 s for a city's 50,000 proposals under load)
        cube = _frame(conn, _base(select(uid.label("uid"), year_col.label("year"), Proposal.theme, *funnel_cols))
                      .where(*conds).group_by(uid, year_col, Proposal.theme), ["uid", "year", "theme", *measures])
        names = _frame(conn, select(unit.id, unit.name, unit.code).where(unit.id.in_(
            [int(i) for i in cube["uid"].unique()] or [0])), ["id", "name", "code"])
        return cube, names

    reads = {
        "cube": cube_read,
        "money": lambda conn: _frame(conn, select(Proposal.funding_source, func.count().label("projects"),
                                                  func.coalesce(func.sum(Proposal.funding_amount), 0).label("amount"))
                                     .where(*conds, Proposal.route.is_not(None)).group_by(Proposal.funding_source)
                                     .order_by(func.sum(Proposal.funding_amount).desc()),
                                     ["funding_source", "projects", "amount"]),
        "days": lambda conn: _decision_days(conn, conds),
        "stars": lambda conn: conn.execute(select(func.count(), func.avg(ProposalRating.score))
                                           .join(Proposal, Proposal.id == ProposalRating.proposal_id)
                                           .where(*conds)).one(),
        "few": lambda conn: _few(conn, actor, year),
    }
    got = at_once({name: functools.partial(_on_connection, engine, read) for name, read in reads.items()},
                  workers=PARALLEL_READS)
    (cube, names), money, days, stars, few = (got[name] for name in reads)
    totals = {key: int(cube[key].sum()) for key in FUNNEL}
    by_year = cube.groupby("year", as_index=False)[measures].sum().sort_values("year", ignore_index=True)
    by_year["year"] = by_year["year"].astype("int64")
    by_unit = (names.merge(cube.groupby("uid", as_index=False)[measures].sum(), left_on="id", right_on="uid")
               .drop(columns="uid").sort_values("code", ignore_index=True))
    themes = (cube.groupby("theme", as_index=False)[measures].sum()
              .sort_values(["collected", "theme"], ascending=[False, True], ignore_index=True))
    return CommunityDashboard(
        scope_level=actor.scope_level, year=year, funnel={key: int(totals[key]) for key in FUNNEL}, by_year=by_year,
        by_unit=by_unit, median_days=statistics.median(days) if days else None, decided=len(days), money=money,
        themes=themes, few=few, ratings=int(stars[0]), rating_mean=float(stars[1]) if stars[1] is not None else None)


def _day(value) -> date:
    return clock.local_date(value) if isinstance(value, datetime) else value


def _on_connection(engine: Engine, read):
    with engine.connect() as conn:  # a connection per read: they run side by side (db.engine.at_once)
        return read(conn)


def _decision_days(conn, conds) -> list[int]:
    """Days from each decided proposal's submission to its decision: the council's last decision (adopted or not)
    or the answer declining it. Merged proposals and those still open are left out. The council's are counted by
    days in SQL (a city's 37,000 decisions come back as a few hundred groups, not one row each); those declined
    are read one by one, their answer's day being local (db.clock.local_date)."""
    latest = _latest_decisions()
    held = CouncilMeeting.held_on
    if conn.dialect.name == "sqlite":  # dates are ISO text there
        days = cast(func.julianday(held) - func.julianday(Proposal.submitted_on), Integer)
    else:
        days = held - Proposal.submitted_on  # PostgreSQL: date - date is whole days
    council = (select(days.label("days"), func.count().label("n"))
               .select_from(Proposal)
               .join(latest, latest.c.proposal_id == Proposal.id)
               .join(CouncilItem, CouncilItem.id == latest.c.item_id)
               .join(CouncilMeeting, CouncilMeeting.id == CouncilItem.meeting_id)
               .where(*conds, Proposal.state.in_((rules.ADOPTED, rules.NOT_ADOPTED)), held.is_not(None),
                      Proposal.submitted_on.is_not(None))
               .group_by(days))
    out = []
    for count, n in conn.execute(council):
        out.extend([max(int(count), 0)] * int(n))
    declined = select(Proposal.submitted_on, Proposal.answered_at).where(
        *conds, Proposal.state == rules.DECLINED, Proposal.answered_at.is_not(None), Proposal.submitted_on.is_not(None))
    for submitted, answered in conn.execute(declined):
        out.append(max((_day(answered) - submitted).days, 0))
    return out


def _few(conn, actor: Actor, year: int | None) -> pd.DataFrame:
    """The scope's active communities with their proposals of the year (or all years) per 1,000 households,
    the fewest first (communities without households last among equals)."""
    counted = select(Proposal.community_id, func.count().label("proposals")).where(scope.condition(actor, Proposal))
    if year:
        counted = counted.where(year_condition(year))
    counted = counted.group_by(Proposal.community_id).subquery()
    street = aliased(OrgUnit)
    query = (select(OrgUnit.code, OrgUnit.name.label("community"), street.name.label("street"), OrgUnit.households,
                    func.coalesce(counted.c.proposals, literal(0)).label("proposals"))
             .join(street, street.id == OrgUnit.street_id)
             .outerjoin(counted, counted.c.community_id == OrgUnit.id)
             .where(scope_condition(actor), OrgUnit.level == "community", OrgUnit.active.is_(True)))
    frame = _frame(conn, query, ["code", "community", "street", "households", "proposals"])
    frame["per_thousand"] = [round(p * 1000 / h, 2) if h else None for p, h in zip(frame["proposals"],
                                                                                   frame["households"])]
    frame = frame.sort_values(["proposals", "per_thousand", "code"], na_position="last")
    return frame.head(FEW_SHOWN).reset_index(drop=True)


@dataclass(frozen=True)
class OverviewFacts:
    """社区营造 on the leadership overview: the year's figures and today's two alerts."""

    collected: int
    adopted: int
    carried_out: int
    evaluated: int
    funded_amount: int  # whole yuan, of the year's proposals
    rating_mean: Optional[float]
    waiting_late: int  # waiting for triage COMMUNITY_ANSWER_DAYS or more, whatever the year
    adopted_not_started: int  # adopted, and no money yet or the community's own project still planned


def overview_facts(engine: Engine, *, actor: Actor, year: int, today: date, alerts: bool = True) -> OverviewFacts:
    """The year's figures and today's two alerts; with alerts=False the alerts, which no year changes, are
    not counted and read 0 (the overview counts them once for its two years)."""
    require(actor, "community.read")
    conds = [scope.condition(actor, Proposal), year_condition(year)]
    with engine.connect() as conn:
        totals = conn.execute(_base(select(*_funnel_columns())).where(*conds)).mappings().one()
        stars = conn.execute(select(func.avg(ProposalRating.score))
                             .join(Proposal, Proposal.id == ProposalRating.proposal_id).where(*conds)).scalar_one()
        if not alerts:
            waiting = unstarted = 0
        else:
            waiting, unstarted = _alert_counts(conn, actor, today)
    return OverviewFacts(collected=int(totals["collected"]), adopted=int(totals["adopted"]),
                         carried_out=int(totals["carried_out"]), evaluated=int(totals["evaluated"]),
                         funded_amount=int(totals["amount"]), rating_mean=float(stars) if stars is not None else None,
                         waiting_late=int(waiting), adopted_not_started=int(unstarted))


def _alert_counts(conn, actor: Actor, today: date) -> tuple[int, int]:
    """Proposals waiting for triage too long, and adopted ones not started (both read ix_proposal_state_route)."""
    waiting = conn.execute(select(func.count()).select_from(Proposal).where(
        scope.condition(actor, Proposal), Proposal.state == rules.SUBMITTED,
        Proposal.submitted_on <= today - timedelta(days=rules.answer_days()))).scalar_one()
    unstarted = conn.execute(
        select(func.count()).select_from(Proposal)
        .outerjoin(CommunityProject, CommunityProject.proposal_id == Proposal.id)
        .where(scope.condition(actor, Proposal), Proposal.state == rules.ADOPTED,
               (Proposal.route.is_(None)) | (CommunityProject.stage == rules.PROJECT_STAGES[0]))).scalar_one()
    return int(waiting), int(unstarted)
