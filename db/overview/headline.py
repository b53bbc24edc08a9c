"""The leadership overview: one scope and year across the four areas, and the alert list.

Built from each area's own readers wherever one exists, so a figure here is the figure the area's page
shows for the same filter; the few aggregates no page has (money by domain and street with spending,
contractors' open work, failed evaluations with their rectification, the weakest grids) are single
grouped queries in db/overview/reads.py. Headline figures follow the chosen year; alerts are the state today, whatever
the year, because a stage late since last year is still late.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Optional

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import clock
from db.access import Actor, require, scope_condition, unit_in_scope
from db.community.dashboard import OverviewFacts as CommunityFacts
from db.community.dashboard import overview_facts as community_facts
from db.engine import at_once
from db.errors import NotFound
from db.grids import indicators as grid_indicators
from db.grids.rules import Period, last_due_month, parse_period
from db.linkage.overview import OverviewFacts as LinkageFacts
from db.linkage.overview import overview_facts as linkage_facts
from db.models import OrgUnit
from db.models.pipeline import Project
from db.org_units import UnitPublic, get_unit
from db.overview.reads import (  # noqa: F401
    SamePeriod,
    VoteFacts,
    campaign_for,
    failed_evaluations,
    grid_names,
    grid_rates,
    money_by,
    month_rates,
    same_period_last_year,
    vote_facts,
    worst_contractors,
)
from db.overview.rules import WEAKEST_GRIDS, WEAKEST_MIN_REPORTED, Alert, alerts
from db.pipeline import compliance, projects
from db.pipeline.projects import PipelineSummary, ProjectFilter, project_scope
from db.scorecards import rectifications
from db.scorecards import results as eval_results
from db.scorecards.results import ResultFilter, ResultSummary

# --- scope ----------------------------------------------------------------------------------------

def narrowed(actor: Actor, unit: UnitPublic) -> Actor:
    """The actor seeing only `unit` (a district or street inside their own scope): every reader and
    writer then applies the smaller scope, so a narrowed view can never show more than the actor's."""
    if unit.level not in ("root", "district", "street") or not unit_in_scope(actor, unit):
        raise NotFound("error.not_found", entity="org_unit")
    if unit.id == actor.scope_id:
        return actor
    return replace(actor, scope_id=unit.id, scope_level=unit.level, scope_name=unit.name)


def scope_choices(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """The actor's own unit, then the districts and streets under it: id, code, name, level, district_id."""
    require(actor, "overview.read")
    query = (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.district_id)
             .where(scope_condition(actor), OrgUnit.level.in_(("root", "district", "street")))
             .order_by(OrgUnit.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "name", "level", "district_id"])


def years(engine: Engine, *, actor: Actor) -> list[int]:
    """Years with projects in scope, newest first, always including this year."""
    require(actor, "overview.read")
    with engine.connect() as conn:
        found = set(conn.execute(select(Project.year).where(project_scope(actor)).distinct()).scalars())
    return sorted(found | {clock.today().year}, reverse=True)


# --- everything at once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    scope: UnitPublic
    scope_district_code: Optional[str]  # the district the scope lies in (None at the root)
    year: int
    today: date
    pipeline: PipelineSummary
    pipeline_last_year: PipelineSummary
    stages: pd.DataFrame  # projects.by_stage for the year
    by_domain: pd.DataFrame  # money_by domain
    by_street: pd.DataFrame  # money_by street
    results: ResultSummary
    results_last_year: ResultSummary
    contractors: pd.DataFrame
    failed: pd.DataFrame  # failed evaluations of the year
    rectifications: dict[str, int]
    vote: Optional[VoteFacts]
    grid_period: Period
    grid_summary: pd.Series  # grid_indicators.unit_summary for the year
    grid_summary_last_year: pd.Series
    grid_children: pd.DataFrame  # the scope's children over the year, with statuses
    reporting: pd.DataFrame  # completeness and timeliness per street over the year
    weakest_grids: pd.DataFrame  # lowest resolution rate in weakest_month
    weakest_month: str
    red_month: str
    alerts: list[Alert]
    community: CommunityFacts  # 社区营造 this year
    community_last_year: CommunityFacts
    linkage: LinkageFacts  # 五社联动 and 微创投: the year's figures, last year's, and the two alerts' facts
    last_year_to_date: Optional[SamePeriod]  # when the year is still running: last year to the same day

    @property
    def partial(self) -> bool:
        """The chosen year is still running: compare it with last_year_to_date, not last year's whole."""
        return self.last_year_to_date is not None

    @property
    def red_units(self) -> int:
        """Children of the scope red on the resolution rate over the year."""
        return int((self.grid_children["resolution_rate_status"] == "red").sum())


# The overview's reads are independent: run side by side they overlap their waits on the database
# (SQLite and psycopg release the GIL), which halved the cold page at city scale on two cores.
PARALLEL_READS = 4


def overview(engine: Engine, *, actor: Actor, year: int, today: date | None = None) -> Overview:
    """Every figure of the home page and the briefing for the actor's scope (see narrowed) and year."""
    require(actor, "overview.read")
    today = today or clock.today()
    scope = get_unit(engine, actor=actor, unit_id=actor.scope_id)
    this, last = ProjectFilter(year=year), ProjectFilter(year=year - 1)
    grid_period, last_grid_period = parse_period(str(year)), parse_period(str(year - 1))
    # A month's figures are whole only once its reports are due: before that day the early reporters
    # alone would decide which grids look red.
    red_month = last_due_month(today)
    # Per-grid rates read every grid's rows, so one month, not the year: at city scale (15,000
    # grids) a year of them took 1-2 s. The weakest grids are those of the year's latest due
    # month, which this year is the month the red-grid alert counts, so one query serves both.
    weakest_month = min(f"{year}-12", red_month)
    grid = dict(actor=actor, unit=scope, today=today)
    amber = float(grid_indicators.definitions(engine).loc["resolution_rate", "amber_from"])
    rates = dict(actor=actor, unit=scope, amber_from=amber, limit=WEAKEST_GRIDS, min_reported=WEAKEST_MIN_REPORTED)
    reads = {
        "pipeline": lambda: projects.summary(engine, actor=actor, filters=this, today=today),
        "pipeline_last_year": lambda: projects.summary(engine, actor=actor, filters=last, today=today),
        "stages": lambda: projects.by_stage(engine, actor=actor, filters=this, today=today),
        "by_domain": lambda: money_by(engine, actor=actor, year=year, by="domain"),
        "by_street": lambda: money_by(engine, actor=actor, year=year, by="street"),
        "results": lambda: eval_results.summary(engine, actor=actor, filters=ResultFilter(year=year), today=today),
        "results_last_year": lambda: eval_results.summary(engine, actor=actor, filters=ResultFilter(year=year - 1),
                                                          today=today),
        "contractors": lambda: worst_contractors(engine, actor=actor, year=year),
        # every year's failed evaluations: the alert counts them all, the year's table is its part of them
        "failed_all": lambda: failed_evaluations(engine, actor=actor, today=today),
        "vote": lambda: _vote_of_year(engine, actor, year),
        "grid_summary": lambda: grid_indicators.unit_summary(engine, period=grid_period, **grid),
        "grid_summary_last_year": lambda: grid_indicators.unit_summary(engine, period=last_grid_period, **grid),
        "grid_children": lambda: grid_indicators.children(engine, period=grid_period, **grid),
        "reporting": lambda: grid_indicators.reporting(engine, period=grid_period, **grid),
        "month_rates": lambda: month_rates(engine, month=red_month, **rates),
        "weakest": lambda: (None if weakest_month == red_month
                            else month_rates(engine, month=weakest_month, **rates)),
        "district_code": lambda: _district_code(engine, scope),
        "alert_counts": lambda: _alert_counts(engine, actor, today),
        "rectifications": lambda: rectifications.counts(engine, actor=actor, today=today),
        "community": lambda: community_facts(engine, actor=actor, year=year, today=today),
        # its alerts are today's whatever the year: counted once, with this year's figures
        "community_last_year": lambda: community_facts(engine, actor=actor, year=year - 1, today=today, alerts=False),
        "linkage": lambda: linkage_facts(engine, actor=actor, year=year, today=today),
        "last_year_to_date": lambda: same_period_last_year(engine, actor=actor, year=year, today=today),
    }
    got = at_once(reads, workers=PARALLEL_READS)
    red_rates = got.pop("month_rates")
    weakest = got.pop("weakest")
    weakest = red_rates if weakest is None else weakest
    red = red_rates.red
    vote = got["vote"]
    community = got["community"]
    got["community_last_year"] = replace(got["community_last_year"], waiting_late=community.waiting_late,
                                         adopted_not_started=community.adopted_not_started)
    failed_all = got.pop("failed_all")
    got["failed"] = failed_all[failed_all["year"] == year].reset_index(drop=True)
    # a failed evaluation stays on the list until its rectification exists and is closed
    open_failed = int(((failed_all["items"] == 0) | (failed_all["open_items"] > 0)).sum())
    return Overview(
        scope=scope, scope_district_code=got.pop("district_code"), year=year, today=today, grid_period=grid_period,
        weakest_grids=grid_names(engine, weakest.weakest),
        weakest_month=weakest_month, red_month=red_month,
        alerts=alerts({**got.pop("alert_counts"), "failed_evaluation": open_failed,
                       "rectification_overdue": got["rectifications"]["overdue"],
                       "proposals_waiting": got["community"].waiting_late,
                       "adopted_not_started": got["community"].adopted_not_started,
                       "round_closing": got["linkage"].rounds_closing, "fund_quiet": got["linkage"].quiet_funds},
                      red=red, red_month=red_month, vote_flags=vote.pending_flags if vote else 0,
                      campaign_id=vote.campaign_id if vote else None, round_id=got["linkage"].round_id),
        **got,
    )


def _vote_of_year(engine: Engine, actor: Actor, year: int) -> Optional[VoteFacts]:
    campaign_id = campaign_for(engine, actor=actor, year=year)
    return vote_facts(engine, actor=actor, campaign_id=campaign_id) if campaign_id else None


def _district_code(engine: Engine, unit: UnitPublic) -> Optional[str]:
    if unit.district_id is None:
        return None
    with engine.connect() as conn:
        return conn.execute(select(OrgUnit.code).where(OrgUnit.id == unit.district_id)).scalar_one()


def _alert_counts(engine: Engine, actor: Actor, today: date) -> dict[str, int]:
    """The state-of-today counts behind the alerts that do not depend on the year (rectifications
    past due come from the overview's own rectification counts, failed evaluations from its list of them)."""
    # one check of the six: counting all of them over every project cost 80 ms at city scale
    checks = compliance.failure_counts(engine, actor=actor, today=today, checks=("contractor_rating",))
    return {
        "stage_overdue": projects.summary(engine, actor=actor, today=today).overdue,
        "contractor_rating": checks["contractor_rating"]["fail"],
    }


