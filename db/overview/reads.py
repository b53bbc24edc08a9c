"""The overview's own aggregates, which no area page has: money by domain and street with spending,
the lowest-scoring contractors and the work they still hold, failed evaluations with their
rectification, per-grid resolution rates, and the facts of a year's vote campaign. db/overview/headline.py
puts them together with the areas' readers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Optional

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.engine import Engine

from db import clock
from db.access import SCOPE_COLUMN, Actor, require, scope_condition
from db.community import scope as community_scope
from db.engine import reading
from db.models import OrgUnit
from db.models.community import Proposal
from db.models.grids import GridReport, IndicatorValue
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Evaluation, Rectification
from db.models.voting import Campaign, VoteCase
from db.org_units import UnitPublic
from db.overview.rules import WORST_CONTRACTORS
from db.pipeline import rules as pipeline_rules
from db.pipeline.projects import project_scope
from db.pipeline.social_orgs import org_scope
from db.scorecards import results as eval_results
from db.scorecards.results import panel_results
from db.voting import campaigns as voting
from db.voting import public as vote_public
from db.voting import review as vote_review
from db.voting import rollups as vote_rollups

# --- money ----------------------------------------------------------------------------------------

MONEY_COLUMNS = ["key", "label", "projects", "budget", "contracted", "disbursed"]


def money_by(engine: Engine, *, actor: Actor, year: int, by: str) -> pd.DataFrame:
    """Committed (budget, contract) and spent (disbursed) per domain or street for the year, in yuan."""
    require(actor, "overview.read")
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


# --- an unfinished year against the same months of the last one ----------------------------------

@dataclass(frozen=True)
class SamePeriod:
    """Last year's figures as they stood on the same day last year (`until`): what the figures of a year
    still running are compared with, not last year's whole. Only what records the day it happened is
    here (a project's creation, an evaluation's completion, a proposal's submission); money paid out
    and stages past their limit keep no history, so they have no like-for-like figure."""

    until: date
    projects: int
    budget: int
    evaluations: int  # completed
    proposals: int  # community proposals collected


def same_day_last_year(day: date) -> date:
    """The same calendar day a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def same_period_last_year(engine: Engine, *, actor: Actor, year: int, today: date | None = None
                          ) -> Optional[SamePeriod]:
    """Last year to the same day, when `year` is the year still running (None for a finished year)."""
    require(actor, "overview.read")
    today = today or clock.today()
    if year != today.year:
        return None
    until = same_day_last_year(today)
    end = clock.local_day_start(until + timedelta(days=1))  # the end of `until` where the district is
    last = Project.year == year - 1
    with engine.connect() as conn:
        projects = conn.execute(select(func.count(), func.coalesce(func.sum(Project.budget), 0))
                                .where(project_scope(actor), last, Project.created_at < end)).one()
        evaluations = conn.execute(
            select(func.count()).select_from(Evaluation).join(Project, Project.id == Evaluation.project_id)
            .where(project_scope(actor), last, Evaluation.status == "completed", Evaluation.completed_at < end)
        ).scalar_one()
        proposals = conn.execute(
            select(func.count()).select_from(Proposal)
            .where(community_scope.condition(actor, Proposal), Proposal.submitted_on >= date(year - 1, 1, 1),
                   Proposal.submitted_on <= until)).scalar_one()
    return SamePeriod(until=until, projects=int(projects[0]), budget=int(projects[1]), evaluations=int(evaluations),
                      proposals=int(proposals))


# --- contractors and failed evaluations -----------------------------------------------------------

CONTRACTOR_COLUMNS = ["org_id", "name", "evaluations", "mean_result", "worst", "grade", "rating",
                      "rating_valid_until", "active_projects", "year_projects"]


def worst_contractors(engine: Engine, *, actor: Actor, year: int, limit: int = WORST_CONTRACTORS) -> pd.DataFrame:
    """The contractors with the lowest mean result over every completed evaluation in scope, and whether
    they are still hired: projects now under way (contracted stages) and projects of the chosen year."""
    worst = eval_results.league_table(engine, actor=actor, lowest=limit)
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
    require(actor, "overview.read")
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
        frame = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=FAILED_COLUMNS)  # tuples: many rows
    for column in ("items", "open_items", "overdue_items"):
        frame[column] = frame[column].astype("int64")
    return frame


# --- grids ----------------------------------------------------------------------------------------

GRID_COLUMNS = ["grid_id", "code", "name", "community", "street", "reported", "solved", "rate"]


def grid_rates(engine: Engine, *, actor: Actor, unit: UnitPublic, months: list[str]) -> pd.DataFrame:
    """Each grid's problems reported and solved over the months and its resolution rate (solved over
    reported, after summing), lowest rate first; grids with nothing reported have no rate. Names are
    not joined here (see grid_names): the sums read only the period-and-code index."""
    require(actor, "overview.read")
    grid = OrgUnit.__table__.alias("grid")
    value = IndicatorValue.__table__.c
    reported = func.sum(case((value.code == "problems_reported", value.value), else_=0))
    solved = func.sum(case((value.code == "problems_solved", value.value), else_=0))
    query = (select(value.grid_id, reported.label("reported"), solved.label("solved"))
             .where(value.period.in_(months), value.code.in_(("problems_reported", "problems_solved")))
             .group_by(value.grid_id))
    if unit.level != "root":
        query = (query.join(grid, grid.c.id == value.grid_id)
                 .where(getattr(grid.c, SCOPE_COLUMN[unit.level]) == unit.id))
    with engine.connect() as conn:
        # rows as tuples: 15,000 grids' row mappings cost more than the query
        frame = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["grid_id", "reported", "solved"])
    frame["reported"] = frame["reported"].astype("int64")
    frame["solved"] = frame["solved"].astype("int64")
    frame["rate"] = (frame["solved"] / frame["reported"].where(frame["reported"] > 0)).astype("float64")
    return frame.sort_values(["rate", "reported", "grid_id"], ascending=[True, False, True],
                             na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class MonthRates:
    """What the overview takes from one month's per-grid rates: how many grids are red, and the weakest."""

    red: int  # grids with a rate below amber_from (red_grids)
    weakest: pd.DataFrame  # grid_id, reported, solved, rate: the first `limit` of grid_rates with min_reported


def month_rates(engine: Engine, *, actor: Actor, unit: UnitPublic, month: str, amber_from: float,
                limit: int, min_reported: int) -> MonthRates:
    """grid_rates of one month reduced in SQL: the red grids counted over every grid (a window over the
    groups) and only the weakest rows sent back. Fetching every grid's row (15,000 at city scale) into
    Python cost more CPU than the grouping."""
    require(actor, "overview.read")
    grid = OrgUnit.__table__.alias("grid")
    value = IndicatorValue.__table__.c
    per_grid = (select(value.grid_id,
                       func.sum(case((value.code == "problems_reported", value.value), else_=0)).label("reported"),
                       func.sum(case((value.code == "problems_solved", value.value), else_=0)).label("solved"))
                .where(value.period == month, value.code.in_(("problems_reported", "problems_solved")))
                .group_by(value.grid_id))
    if unit.level != "root":
        per_grid = (per_grid.join(grid, grid.c.id == value.grid_id)
                    .where(getattr(grid.c, SCOPE_COLUMN[unit.level]) == unit.id))
    per_grid = per_grid.subquery("per_grid")
    # the same double division as pandas' (solved / reported); no rate without a problem reported
    rate = case((per_grid.c.reported > 0, cast(per_grid.c.solved, Float) / per_grid.c.reported), else_=None)
    red = func.sum(case((rate < amber_from, 1), else_=0)).over()
    listed = case((per_grid.c.reported >= min_reported, 0), else_=1)
    query = (select(per_grid.c.grid_id, per_grid.c.reported, per_grid.c.solved, red.label("red"))
             .order_by(listed, rate, per_grid.c.reported.desc(), per_grid.c.grid_id).limit(limit))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    frame = pd.DataFrame([r[:3] for r in rows], columns=["grid_id", "reported", "solved"])
    frame = frame.astype({"reported": "int64", "solved": "int64"})
    frame = frame[frame["reported"] >= min_reported].reset_index(drop=True)
    frame["rate"] = (frame["solved"] / frame["reported"]).astype("float64")
    return MonthRates(red=int(rows[0][3] or 0) if rows else 0, weakest=frame)


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
    require(actor, "overview.read")
    campaigns = voting.list_campaigns(engine, actor=_campaign_reader(engine, actor))
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


def vote_counts(engine: Engine, campaign) -> dict[str, int]:
    """valid, void and voters as the review's summary (db.voting.review.summary) gives them, and the cases: from the
    stored roll-up, an open campaign's up to its watermark plus the votes above it (db/voting/rollups.py)."""
    with vote_rollups.opened(engine, campaign) as (conn, src):
        row = conn.execute(vote_rollups.summary(src)).mappings().one()
        cases = conn.execute(select(func.count()).where(VoteCase.campaign_id == campaign.id)).scalar_one()
    return {"valid": int(row["valid"]), "void": int(row["void"]), "voters": int(row["voters"]), "cases": int(cases)}


def vote_facts(engine: Engine, *, actor: Actor, campaign_id: int) -> VoteFacts:
    reader = _campaign_reader(engine, actor)
    campaign = voting.get_campaign(engine, actor=reader, campaign_id=campaign_id)  # checks the scope
    counts = vote_counts(engine, campaign)
    flags = vote_review.anomalies(engine, actor=reader, campaign_id=campaign_id)
    # once published the review is over: a flag left standing was judged and kept, not pending
    pending = 0 if campaign.status == "published" else int((flags["valid"].fillna(0) > 0).sum())
    winners = 0
    if campaign.status == "published":
        winners = int(vote_public.public_results(engine, campaign_id)["winner"].sum())
    return VoteFacts(campaign_id=campaign_id, title=campaign.title, year=campaign.year, status=campaign.status,
                     valid=counts["valid"], void=counts["void"], voters=counts["voters"], cases=counts["cases"],
                     flags=len(flags), pending_flags=pending, winners=winners)


# --- what exists at all: a page with nothing yet says so instead of showing zeros --------------------

PRESENCE_AREAS = ("projects", "social_orgs", "evaluations", "grid_reports", "campaigns")


def presence(engine: Engine, *, actor: Actor) -> dict[str, bool]:
    """For each area the actor may read, whether its scope holds any row at all (whatever the filters):
    an empty install, or a street with no project yet, reads False. Areas the actor may not read are left out."""
    queries = {}
    if actor.may("pipeline.read"):
        queries["projects"] = select(Project.id).where(project_scope(actor))
        queries["social_orgs"] = select(SocialOrg.id).where(org_scope(actor))
    if actor.may("scorecards.project"):
        queries["evaluations"] = (select(Evaluation.id).join(Project, Project.id == Evaluation.project_id)
                                  .where(project_scope(actor)))
    if actor.may("grids.read"):
        queries["grid_reports"] = (select(GridReport.id).join(OrgUnit, OrgUnit.id == GridReport.grid_id)
                                   .where(scope_condition(actor)))
    if actor.may("voting.read"):
        queries["campaigns"] = select(Campaign.id).join(OrgUnit, OrgUnit.id == Campaign.org_unit_id).where(
            scope_condition(actor))
    with reading(engine) as session:
        return {area: session.execute(query.limit(1)).first() is not None for area, query in queries.items()}
