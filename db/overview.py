"""The leadership overview: one scope and year across the four areas, and the alert list.

Built from each area's own readers wherever one exists, so a figure here is the figure the area's page
shows for the same filter; the few aggregates no page has (money by domain and street with spending,
contractors' open work, failed evaluations with their rectification, the weakest grids) are single
grouped queries here. Headline figures follow the chosen year; alerts are the state today, whatever
the year, because a stage late since last year is still late.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Optional

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from db import clock, compliance, eval_results, grid_indicators, projects, rectifications, vote_review
from db import pipeline_rules
from db.access import Actor, require_role, scope_condition, unit_in_scope
from db.engine import reading
from db.errors import NotFound
from db.eval_results import ResultFilter, ResultSummary, panel_results
from db.grid_periods import Period, last_complete_month, parse_period
from db.models import OrgUnit
from db.models.grids import IndicatorValue
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Evaluation, Rectification
from db.models.voting import Campaign
from db.orgs import UnitPublic, get_unit
from db.projects import PipelineSummary, ProjectFilter, project_scope

READERS = ("admin", "leader")
WORST_CONTRACTORS = 8
WEAKEST_GRIDS = 10
# A grid counts among the weakest only with enough problems reported in the month for its rate to mean something.
WEAKEST_MIN_REPORTED = 5
ALERT_KINDS = ("stage_overdue", "contractor_rating", "failed_evaluation", "rectification_overdue",
               "red_grids", "vote_anomalies")


# --- scope ----------------------------------------------------------------------------------------

def narrowed(actor: Actor, unit: UnitPublic) -> Actor:
    """The actor seeing only `unit` (a district or street inside their own scope): every reader and
    writer then applies the smaller scope, so a narrowed view can never show more than the actor's."""
    if unit.level not in ("root", "district", "street") or not unit_in_scope(actor, OrgUnit(**unit.model_dump())):
        raise NotFound("error.not_found", entity="org_unit")
    if unit.id == actor.scope_id:
        return actor
    return replace(actor, scope_id=unit.id, scope_level=unit.level, scope_name=unit.name)


def scope_choices(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """The actor's own unit, then the districts and streets under it: id, code, name, level, district_id."""
    require_role(actor, *READERS)
    query = (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.district_id)
             .where(scope_condition(actor), OrgUnit.level.in_(("root", "district", "street")))
             .order_by(OrgUnit.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "name", "level", "district_id"])


def years(engine: Engine, *, actor: Actor) -> list[int]:
    """Years with projects in scope, newest first, always including this year."""
    require_role(actor, *READERS)
    with engine.connect() as conn:
        found = set(conn.execute(select(Project.year).where(project_scope(actor)).distinct()).scalars())
    return sorted(found | {clock.today().year}, reverse=True)


# --- money ----------------------------------------------------------------------------------------

MONEY_COLUMNS = ["key", "label", "projects", "budget", "contracted", "disbursed"]


def money_by(engine: Engine, *, actor: Actor, year: int, by: str) -> pd.DataFrame:
    """Committed (budget, contract) and spent (disbursed) per domain or street for the year, in yuan."""
    require_role(actor, *READERS)
    key, label, order = {"domain": (Project.domain, Project.domain, Project.domain),
                         "street": (Project.street_id, OrgUnit.name, OrgUnit.code)}[by]
    total = lambda column: func.coalesce(func.sum(column), 0)  # noqa: E731
    query = (select(key.label("key"), label.label("label"), func.count().label("projects"),
                    total(Project.budget).label("budget"), total(Project.contract_amount).label("contracted"),
                    total(Project.disbursed).label("disbursed"))
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .where(project_scope(actor), Project.year == year)
             .group_by(key, label, order).order_by(order))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=MONEY_COLUMNS)
    for column in ("projects", "budget", "contracted", "disbursed"):
        frame[column] = frame[column].astype("int64")
    return frame


# --- contractors and failed evaluations -----------------------------------------------------------

CONTRACTOR_COLUMNS = ["org_id", "name", "evaluations", "mean_result", "worst", "grade", "rating",
                      "rating_valid_until", "active_projects", "year_projects"]


def worst_contractors(engine: Engine, *, actor: Actor, year: int, limit: int = WORST_CONTRACTORS) -> pd.DataFrame:
    """The contractors with the lowest mean result over every completed evaluation in scope, and whether
    they are still hired: projects now under way (contracted stages) and projects of the chosen year."""
    table = eval_results.league_table(engine, actor=actor)
    worst = table.sort_values(["mean_result", "name"]).head(limit)
    if worst.empty:
        return pd.DataFrame(columns=CONTRACTOR_COLUMNS)
    ids = [int(i) for i in worst["org_id"]]
    active = Project.stage.in_(pipeline_rules.CONTRACTED_STAGES)
    query = (select(Project.contractor_org_id.label("org_id"),
                    func.sum(case((active, 1), else_=0)).label("active_projects"),
                    func.sum(case((Project.year == year, 1), else_=0)).label("year_projects"))
             .where(project_scope(actor), Project.contractor_org_id.in_(ids)).group_by(Project.contractor_org_id))
    with engine.connect() as conn:
        work = pd.DataFrame(conn.execute(query).mappings().all(), columns=["org_id", "active_projects", "year_projects"])
    merged = worst.merge(work, on="org_id", how="left")
    for column in ("active_projects", "year_projects"):
        merged[column] = merged[column].fillna(0).astype("int64")
    return merged[CONTRACTOR_COLUMNS].reset_index(drop=True)


FAILED_COLUMNS = ["evaluation_id", "project_code", "project_title", "year", "street_name", "contractor_name",
                  "round", "result", "items", "open_items", "overdue_items"]


def failed_evaluations(engine: Engine, *, actor: Actor, year: int | None = None,
                       today: date | None = None) -> pd.DataFrame:
    """Completed evaluations graded fail (of the year, or all when year is None) with their rectification
    items: how many, how many still open and how many of those past due."""
    require_role(actor, *READERS)
    today = today or clock.today()
    panel = panel_results()
    open_ = Rectification.status == "open"
    items = (select(Rectification.evaluation_id, func.count().label("items"),
                    func.sum(case((open_, 1), else_=0)).label("open_items"),
                    func.sum(case((and_(open_, Rectification.due_on < today), 1), else_=0)).label("overdue_items"))
             .group_by(Rectification.evaluation_id).subquery("items"))
    query = (select(Evaluation.id.label("evaluation_id"), Project.code.label("project_code"),
                    Project.title.label("project_title"), Project.year, OrgUnit.name.label("street_name"),
                    SocialOrg.name.label("contractor_name"), Evaluation.round, panel.c.result,
                    func.coalesce(items.c["items"], 0).label("items"),
                    func.coalesce(items.c.open_items, 0).label("open_items"),
                    func.coalesce(items.c.overdue_items, 0).label("overdue_items"))
             .join(Project, Project.id == Evaluation.project_id)
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .join(panel, panel.c.evaluation_id == Evaluation.id)
             .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
             .outerjoin(items, items.c.evaluation_id == Evaluation.id)
             .where(project_scope(actor), Evaluation.status == "completed", panel.c.grade == "fail")
             .order_by(panel.c.result, Project.code))
    if year is not None:
        query = query.where(Project.year == year)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=FAILED_COLUMNS)
    for column in ("items", "open_items", "overdue_items"):
        frame[column] = frame[column].astype("int64")
    return frame


# --- grids ----------------------------------------------------------------------------------------

GRID_COLUMNS = ["grid_id", "code", "name", "community", "street", "reported", "solved", "rate"]


def grid_rates(engine: Engine, *, actor: Actor, unit: UnitPublic, months: list[str]) -> pd.DataFrame:
    """Each grid's problems reported and solved over the months and its resolution rate (solved over
    reported, after summing), lowest rate first; grids with nothing reported have no rate. Names are
    not joined here (see grid_names): the sums read only the period-and-code index."""
    require_role(actor, *READERS)
    grid = OrgUnit.__table__.alias("grid")
    value = IndicatorValue.__table__.c
    reported = func.sum(case((value.code == "problems_reported", value.value), else_=0))
    solved = func.sum(case((value.code == "problems_solved", value.value), else_=0))
    query = (select(value.grid_id, reported.label("reported"), solved.label("solved"))
             .where(value.period.in_(months), value.code.in_(("problems_reported", "problems_solved")))
             .group_by(value.grid_id))
    if unit.level != "root":
        column = {"district": "district_id", "street": "street_id", "community": "community_id", "grid": "id"}
        query = query.join(grid, grid.c.id == value.grid_id).where(getattr(grid.c, column[unit.level]) == unit.id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=["grid_id", "reported", "solved"])
    frame["reported"] = frame["reported"].astype("int64")
    frame["solved"] = frame["solved"].astype("int64")
    frame["rate"] = (frame["solved"] / frame["reported"].where(frame["reported"] > 0)).astype("float64")
    return frame.sort_values(["rate", "reported", "grid_id"], ascending=[True, False, True],
                             na_position="last").reset_index(drop=True)


def grid_names(engine: Engine, rates: pd.DataFrame) -> pd.DataFrame:
    """`rates` (a few rows of grid_rates) with each grid's code, name, community and street."""
    grid = OrgUnit.__table__.alias("grid")
    community = OrgUnit.__table__.alias("community")
    street = OrgUnit.__table__.alias("street")
    query = (select(grid.c.id.label("grid_id"), grid.c.code, grid.c.name, community.c.name.label("community"),
                    street.c.name.label("street"))
             .join(community, community.c.id == grid.c.community_id)
             .join(street, street.c.id == grid.c.street_id)
             .where(grid.c.id.in_([int(i) for i in rates["grid_id"]])))
    with engine.connect() as conn:
        names = pd.DataFrame(conn.execute(query).mappings().all(), columns=GRID_COLUMNS[:5])
    return rates.merge(names, on="grid_id", how="left")[GRID_COLUMNS]


def red_grids(rates: pd.DataFrame, amber_from: float) -> pd.DataFrame:
    """Grids whose resolution rate is below the amber line (red on the dashboard)."""
    return rates[rates["rate"].notna() & (rates["rate"] < amber_from)]


# --- vote -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VoteFacts:
    campaign_id: int
    title: str
    year: int
    status: str
    valid: int
    void: int
    voters: int
    cases: int
    flags: int  # anomaly flags raised over the whole campaign
    pending_flags: int  # of those, flags whose votes still count: awaiting a decision
    winners: int  # published winners (0 before publication)


def campaign_for(engine: Engine, *, actor: Actor, year: int) -> Optional[int]:
    """The campaign the overview reports for the year: an open one first, then the latest of that
    year. A street scope sees its district's campaign (campaigns are run by districts)."""
    require_role(actor, *READERS)
    campaigns = vote_review.list_campaigns(engine, actor=_campaign_reader(engine, actor))
    campaigns = campaigns[(campaigns["year"] == year) & (campaigns["status"] != "draft")]
    if campaigns.empty:
        return None
    campaigns = campaigns.assign(live=campaigns["status"] == "open").sort_values(["live", "opens_at"], ascending=False)
    return int(campaigns["id"].iloc[0])


def _campaign_reader(engine: Engine, actor: Actor) -> Actor:
    if actor.scope_level != "street":
        return actor
    with reading(engine) as session:
        street = session.get(OrgUnit, actor.scope_id)
        district = session.get(OrgUnit, street.district_id)
        return replace(actor, scope_id=district.id, scope_level="district", scope_name=district.name)


def vote_facts(engine: Engine, *, actor: Actor, campaign_id: int) -> VoteFacts:
    reader = _campaign_reader(engine, actor)
    campaign = vote_review.get_campaign(engine, actor=reader, campaign_id=campaign_id)
    counts = vote_review.summary(engine, actor=reader, campaign_id=campaign_id)
    flags = vote_review.anomalies(engine, actor=reader, campaign_id=campaign_id)
    cases = vote_review.admin_cases(engine, actor=reader, campaign_id=campaign_id)
    # once published the review is over: a flag left standing was judged and kept, not pending
    pending = 0 if campaign.status == "published" else int((flags["valid"].fillna(0) > 0).sum())
    winners = 0
    if campaign.status == "published":
        winners = int(vote_review.public_results(engine, campaign_id)["winner"].sum())
    return VoteFacts(campaign_id=campaign_id, title=campaign.title, year=campaign.year, status=campaign.status,
                     valid=counts["valid"], void=counts["void"], voters=counts["voters"], cases=len(cases),
                     flags=len(flags), pending_flags=pending, winners=winners)


# --- everything at once ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Alert:
    kind: str  # one of ALERT_KINDS
    count: int
    params: dict = field(default_factory=dict)  # what the link needs: a campaign id, a month


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

    @property
    def red_units(self) -> int:
        """Children of the scope red on the resolution rate over the year."""
        return int((self.grid_children["resolution_rate_status"] == "red").sum())


# The overview's reads are independent: run side by side they overlap their waits on the database
# (SQLite and psycopg release the GIL), which halved the cold page at city scale on two cores.
PARALLEL_READS = 4


def overview(engine: Engine, *, actor: Actor, year: int, today: date | None = None) -> Overview:
    """Every figure of the home page and the briefing for the actor's scope (see narrowed) and year."""
    require_role(actor, *READERS)
    today = today or clock.today()
    scope = get_unit(engine, actor=actor, unit_id=actor.scope_id)
    this, last = ProjectFilter(year=year), ProjectFilter(year=year - 1)
    grid_period, last_grid_period = parse_period(str(year)), parse_period(str(year - 1))
    red_month = last_complete_month(today)
    # Per-grid rates read every grid's rows, so one month, not the year: at city scale (15,000
    # grids) a year of them took 1-2 s. The weakest grids are those of the year's latest complete
    # month, which this year is the month the red-grid alert counts, so one query serves both.
    weakest_month = min(f"{year}-12", red_month)
    grid = dict(actor=actor, unit=scope, today=today)
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
        "failed": lambda: failed_evaluations(engine, actor=actor, year=year, today=today),
        "vote": lambda: _vote_of_year(engine, actor, year),
        "grid_summary": lambda: grid_indicators.unit_summary(engine, period=grid_period, **grid),
        "grid_summary_last_year": lambda: grid_indicators.unit_summary(engine, period=last_grid_period, **grid),
        "grid_children": lambda: grid_indicators.children(engine, period=grid_period, **grid),
        "reporting": lambda: grid_indicators.reporting(engine, period=grid_period, **grid),
        "month_rates": lambda: grid_rates(engine, actor=actor, unit=scope, months=[red_month]),
        "weakest": lambda: (None if weakest_month == red_month
                            else grid_rates(engine, actor=actor, unit=scope, months=[weakest_month])),
        "definitions": lambda: grid_indicators.definitions(engine),
        "district_code": lambda: _district_code(engine, scope),
        "alert_counts": lambda: _alert_counts(engine, actor, today),
        "rectifications": lambda: rectifications.counts(engine, actor=actor, today=today),
    }
    with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
        futures = {name: pool.submit(read) for name, read in reads.items()}
        got = {name: future.result() for name, future in futures.items()}
    month_rates = got.pop("month_rates")
    weakest = got.pop("weakest")
    weakest = month_rates if weakest is None else weakest
    amber = float(got.pop("definitions").loc["resolution_rate", "amber_from"])
    red = len(red_grids(month_rates, amber))
    vote = got["vote"]
    return Overview(
        scope=scope, scope_district_code=got.pop("district_code"), year=year, today=today, grid_period=grid_period,
        weakest_grids=grid_names(engine, weakest[weakest["reported"] >= WEAKEST_MIN_REPORTED].head(WEAKEST_GRIDS)),
        weakest_month=weakest_month, red_month=red_month,
        alerts=alerts({**got.pop("alert_counts"), "rectification_overdue": got["rectifications"]["overdue"]},
                      red=red, red_month=red_month, vote=vote),
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
    past due come from the overview's own rectification counts)."""
    checks = compliance.failure_counts(engine, actor=actor, today=today)
    failed = failed_evaluations(engine, actor=actor, today=today)
    return {
        "stage_overdue": projects.summary(engine, actor=actor, today=today).overdue,
        "contractor_rating": checks["contractor_rating"]["fail"],
        # a failed evaluation stays on the list until its rectification exists and is closed
        "failed_evaluation": int(((failed["items"] == 0) | (failed["open_items"] > 0)).sum()),
    }


def alerts(counts: dict[str, int], *, red: int, red_month: str, vote: Optional[VoteFacts]) -> list[Alert]:
    """What needs attention now in the scope, whatever the year: only kinds with something to show."""
    found = [Alert(kind, counts[kind]) for kind in ("stage_overdue", "contractor_rating", "failed_evaluation",
                                                    "rectification_overdue")]
    found += [Alert("red_grids", red, {"month": red_month}),
              Alert("vote_anomalies", vote.pending_flags if vote else 0, {"campaign": vote.campaign_id if vote else None})]
    return [alert for alert in found if alert.count > 0]
