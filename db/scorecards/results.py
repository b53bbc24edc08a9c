"""Evaluation results, aggregated in SQL: each evaluation's result (the mean of its submitted scorecards, the
trimmed mean from TRIM_FROM on) and grade, a project's rounds, grade distributions, the organization league
table and evaluator calibration (each evaluator's mean deviation from their panels' results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine

from db import clock
from db.access import Actor, require
from db.engine import reading
from db.errors import NotFound
from db.models import AppUser, OrgUnit
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Assignment, Evaluation, Score, ScoreTemplate, TemplateIndicator
from db.pipeline.projects import project_scope
from db.scorecards import rules
from db.scorecards.evaluations import evaluation_in_scope


@dataclass(frozen=True)
class ResultFilter:
    """The results page's filters, all optional; frozen so cached readers can key on it."""

    round: Optional[str] = None
    year: Optional[int] = None
    batch: Optional[str] = None
    domain: Optional[str] = None
    street_id: Optional[int] = None


def panel_results():
    """Subquery: evaluation_id, scorecards (submitted), mean, result and grade, over submitted scorecards.
    The figures are stored on the evaluation by every write that changes a scorecard (db.scorecards.panels.
    store_panels, by result_expression), so this reads one row per evaluation instead of grouping
    every scorecard. The grade is computed here, from the bands as they are now, so outer queries
    group by a plain column (PostgreSQL refuses GROUP BY an expression whose bound parameters differ
    from the SELECT's)."""
    return (select(Evaluation.id.label("evaluation_id"), Evaluation.scorecards.label("scorecards"),
                   Evaluation.panel_mean.label("mean"), Evaluation.result.label("result"),
                   rules.grade_case(Evaluation.result).label("grade"))
            .where(Evaluation.scorecards > 0).subquery("panel"))


def _filters(actor: Actor, filters: ResultFilter) -> list:
    conds = [project_scope(actor)]
    for field, column in (("round", Evaluation.round), ("year", Project.year), ("batch", Project.batch),
                          ("domain", Project.domain), ("street_id", Project.street_id)):
        value = getattr(filters, field)
        if value is not None and value != "":
            conds.append(column == value)
    return conds


class ResultPublic(BaseModel):
    evaluation_id: int
    scorecards: int
    mean: Optional[float]
    result: Optional[float]
    trimmed: bool
    grade: Optional[str]
    complete: bool


def evaluation_result(engine: Engine, *, actor: Actor, evaluation_id: int) -> ResultPublic:
    require(actor, "scorecards.project")
    with reading(engine) as session:
        evaluation, _ = evaluation_in_scope(session, actor, evaluation_id)
        panel = panel_results()
        row = session.execute(select(panel.c.scorecards, panel.c.mean, panel.c.result)
                              .where(panel.c.evaluation_id == evaluation_id)).first()
    scorecards = int(row.scorecards) if row else 0
    result = float(row.result) if row and row.result is not None else None
    return ResultPublic(evaluation_id=evaluation_id, scorecards=scorecards,
                        mean=float(row.mean) if row and row.mean is not None else None, result=result,
                        trimmed=scorecards >= rules.TRIM_FROM, grade=rules.grade_for(result),
                        complete=evaluation.status == "completed")


SCORE_COLUMNS = ["assignment_id", "evaluator_name", "indicator_id", "group", "code", "name", "name_en", "max_points",
                 "points", "comment"]


def submitted_scores(engine: Engine, *, actor: Actor, evaluation_id: int) -> pd.DataFrame:
    """Every score of the evaluation's submitted scorecards, one row per scorecard and indicator."""
    require(actor, "scorecards.results")
    with reading(engine) as session:
        evaluation_in_scope(session, actor, evaluation_id)
    query = (select(Assignment.id.label("assignment_id"), AppUser.display_name.label("evaluator_name"),
                    TemplateIndicator.id.label("indicator_id"), TemplateIndicator.group, TemplateIndicator.code,
                    TemplateIndicator.name, TemplateIndicator.name_en, TemplateIndicator.max_points, Score.points,
                    Score.comment)
             .join(AppUser, AppUser.id == Assignment.evaluator_id)
             .join(Score, Score.assignment_id == Assignment.id)
             .join(TemplateIndicator, TemplateIndicator.id == Score.indicator_id)
             .where(Assignment.evaluation_id == evaluation_id, Assignment.status == "submitted")
             .order_by(TemplateIndicator.sort_order, Assignment.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=SCORE_COLUMNS)


def side_by_side(scores: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The scorecards as columns (one per evaluator, named uniquely) beside each indicator, with the mean;
    returns the frame and the evaluator column names. Pure pandas on one evaluation's rows."""
    if scores.empty:
        return pd.DataFrame(columns=["group", "code", "name", "name_en", "max_points", "mean"]), []
    names = scores.drop_duplicates("assignment_id")[["assignment_id", "evaluator_name"]]
    seen: dict[str, int] = {}
    columns = {}
    for row in names.itertuples():
        seen[row.evaluator_name] = seen.get(row.evaluator_name, 0) + 1
        columns[row.assignment_id] = row.evaluator_name + ("" if seen[row.evaluator_name] == 1
                                                           else f" ({seen[row.evaluator_name]})")
    wide = scores.pivot(index="indicator_id", columns="assignment_id", values="points")
    wide.columns = [columns[c] for c in wide.columns]
    head = scores.drop_duplicates("indicator_id").set_index("indicator_id")[
        ["group", "code", "name", "name_en", "max_points"]]
    frame = head.join(wide)  # keeps the template's order (scores come sorted by it)
    evaluator_columns = list(columns.values())
    frame["mean"] = frame[evaluator_columns].mean(axis=1).round(2)
    return frame.reset_index(drop=True), evaluator_columns


class ReportFacts(BaseModel):
    """The facts the score sheet and the report open with (基本情况)."""

    evaluation_id: int
    project_id: int
    project_code: str
    project_title: str
    batch: str
    year: int
    domain: str
    street_name: str
    contractor_name: Optional[str]
    budget: int
    contract_amount: Optional[int]
    started_on: Optional[date]
    ended_on: Optional[date]
    round: str
    template_name: str
    template_version: int
    agency: str
    due_on: date
    status: str
    completed_at: Optional[datetime]


def report_facts(engine: Engine, *, actor: Actor, evaluation_id: int) -> ReportFacts:
    require(actor, "scorecards.results")
    query = (select(Evaluation.id.label("evaluation_id"), Project.id.label("project_id"),
                    Project.code.label("project_code"), Project.title.label("project_title"), Project.batch,
                    Project.year, Project.domain, OrgUnit.name.label("street_name"),
                    SocialOrg.name.label("contractor_name"), Project.budget, Project.contract_amount,
                    Project.started_on, Project.ended_on, Evaluation.round, ScoreTemplate.name.label("template_name"),
                    ScoreTemplate.version.label("template_version"), Evaluation.agency, Evaluation.due_on,
                    Evaluation.status, Evaluation.completed_at)
             .join(Project, Project.id == Evaluation.project_id)
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .join(ScoreTemplate, ScoreTemplate.id == Evaluation.template_id)
             .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
             .where(Evaluation.id == evaluation_id, project_scope(actor)))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("error.not_found", entity="evaluation")
    return ReportFacts.model_validate(dict(row))


ROUND_COLUMNS = ["evaluation_id", "round", "template_name", "template_name_en", "version", "agency", "due_on",
                 "status", "completed_at", "scorecards", "result", "grade"]


def project_rounds(engine: Engine, *, actor: Actor, project_id: int) -> pd.DataFrame:
    """A project's evaluations over time (pre, mid, post as they happened) with result and grade."""
    require(actor, "scorecards.project")
    panel = panel_results()
    order = case(*[(Evaluation.round == r, i) for i, r in enumerate(rules.ROUNDS)], else_=9)
    query = (select(Evaluation.id.label("evaluation_id"), Evaluation.round, ScoreTemplate.name.label("template_name"),
                    ScoreTemplate.name_en.label("template_name_en"), ScoreTemplate.version, Evaluation.agency,
                    Evaluation.due_on, Evaluation.status, Evaluation.completed_at,
                    func.coalesce(panel.c.scorecards, 0).label("scorecards"), panel.c.result, panel.c.grade)
             .join(Project, Project.id == Evaluation.project_id)
             .join(ScoreTemplate, ScoreTemplate.id == Evaluation.template_id)
             .outerjoin(panel, panel.c.evaluation_id == Evaluation.id)
             .where(Evaluation.project_id == project_id, project_scope(actor))
             .order_by(order, Evaluation.due_on))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=ROUND_COLUMNS)


LIST_COLUMNS = ["id", "project_id", "project_code", "project_title", "year", "domain", "street_name",
                "contractor_name", "round", "agency", "due_on", "status", "scorecards", "result", "grade"]


def _list_conditions(actor: Actor, filters: ResultFilter, panel, grade: str | None, search: str | None) -> list:
    conds = _filters(actor, filters)
    if grade:  # a grade is final only once the evaluation is completed
        conds += [panel.c.grade == grade, Evaluation.status == "completed"]
    if search and search.strip():
        text = search.strip()
        conds.append(or_(Project.code.icontains(text, autoescape=True), Project.title.icontains(text, autoescape=True)))
    return conds


def evaluation_list(engine: Engine, *, actor: Actor, filters: ResultFilter = ResultFilter(), grade: str | None = None,
                    search: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Evaluations in scope with their result and grade, best first (open ones show a provisional result);
    `grade` keeps the completed ones of that grade, `search` those whose project code or title holds the
    text (any case), `limit` the first rows only (what a page shows)."""
    require(actor, "scorecards.results")
    panel = panel_results()
    query = (select(Evaluation.id, Project.id.label("project_id"), Project.code.label("project_code"),
                    Project.title.label("project_title"), Project.year, Project.domain,
                    OrgUnit.name.label("street_name"), SocialOrg.name.label("contractor_name"), Evaluation.round,
                    Evaluation.agency, Evaluation.due_on, Evaluation.status,
                    func.coalesce(panel.c.scorecards, 0).label("scorecards"), panel.c.result, panel.c.grade)
             .join(Project, Project.id == Evaluation.project_id)
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
             .outerjoin(panel, panel.c.evaluation_id == Evaluation.id)
             .where(*_list_conditions(actor, filters, panel, grade, search))
             .order_by(panel.c.result.desc().nulls_last(), Project.code, Evaluation.id))
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=LIST_COLUMNS)


def evaluation_count(engine: Engine, *, actor: Actor, filters: ResultFilter = ResultFilter(), grade: str | None = None,
                     search: str | None = None) -> int:
    """How many rows evaluation_list would return without a limit."""
    require(actor, "scorecards.results")
    panel = panel_results()
    query = (select(func.count()).select_from(Evaluation)
             .join(Project, Project.id == Evaluation.project_id)
             .outerjoin(panel, panel.c.evaluation_id == Evaluation.id)
             .where(*_list_conditions(actor, filters, panel, grade, search)))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


class ResultSummary(BaseModel):
    evaluations: int
    completed: int
    open: int
    overdue: int
    mean_result: Optional[float]
    grades: dict[str, int]


def summary(engine: Engine, *, actor: Actor, filters: ResultFilter = ResultFilter(),
            today: date | None = None) -> ResultSummary:
    """Headline figures: evaluations, completed, open, overdue, the mean result and the count per grade
    (grades over completed evaluations only, so a half-filled panel does not count)."""
    require(actor, "scorecards.results")
    today = today or clock.today()
    panel = panel_results()
    done = Evaluation.status == "completed"
    grade = panel.c.grade
    base = (select(Evaluation.id).join(Project, Project.id == Evaluation.project_id)
            .outerjoin(panel, panel.c.evaluation_id == Evaluation.id).where(*_filters(actor, filters)))
    with engine.connect() as conn:
        head = conn.execute(base.with_only_columns(
            func.count(Evaluation.id), func.coalesce(func.sum(case((done, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~done, Evaluation.due_on < today), 1), else_=0)), 0),
            func.avg(case((done, panel.c.result), else_=None)))).one()
        grades = dict(conn.execute(base.with_only_columns(grade, func.count()).where(done).group_by(grade)).all())
    return ResultSummary(evaluations=head[0], completed=int(head[1]), open=head[0] - int(head[1]),
                         overdue=int(head[2]), mean_result=float(head[3]) if head[3] is not None else None,
                         grades={g: int(grades.get(g, 0)) for g in rules.grades()})


DIMENSIONS = ("domain", "street", "contractor")


def grade_distribution(engine: Engine, *, actor: Actor, by: str, filters: ResultFilter = ResultFilter()
                       ) -> pd.DataFrame:
    """Completed evaluations counted by grade and by domain, street or contractor: key, label, grade, count."""
    require(actor, "scorecards.results")
    panel = panel_results()
    grade = panel.c.grade
    key, label = {
        "domain": (Project.domain, Project.domain),
        "street": (Project.street_id, OrgUnit.name),
        "contractor": (Project.contractor_org_id, func.coalesce(SocialOrg.name, "-")),
    }[by]
    query = (select(key.label("key"), label.label("label"), grade, func.count().label("count"))
             .select_from(Evaluation)
             .join(Project, Project.id == Evaluation.project_id)
             .join(panel, panel.c.evaluation_id == Evaluation.id)
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
             .where(Evaluation.status == "completed", *_filters(actor, filters))
             .group_by(key, label, grade)
             .order_by(label))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["key", "label", "grade", "count"])


LEAGUE_COLUMNS = ["org_id", "name", "evaluations", "mean_result", "best", "worst", "grade", "rating",
                  "rating_valid_until"]


def league_table(engine: Engine, *, actor: Actor, filters: ResultFilter = ResultFilter(), min_evaluations: int = 1,
                 lowest: int | None = None) -> pd.DataFrame:
    """Contractor organizations by the mean result of their completed evaluations (those with at least
    `min_evaluations`), with their rating (nA). `lowest`: only that many from the bottom, lowest mean first
    (then by name), cut in SQL (the overview's worst contractors: ten rows back instead of every organization)."""
    require(actor, "scorecards.results")
    # grouped by the project's contractor id first and the few thousand groups named after: grouping by the
    # organization's name and rating over every completed evaluation cost twice as much at city scale. The
    # panel's figures are stored on the evaluation (panel_results): it has them once a scorecard is submitted.
    per_org = (select(Project.contractor_org_id.label("org_id"), func.count().label("evaluations"),
                      func.avg(Evaluation.result).label("mean_result"), func.max(Evaluation.result).label("best"),
                      func.min(Evaluation.result).label("worst"))
               .select_from(Evaluation)
               .join(Project, Project.id == Evaluation.project_id)
               .where(Evaluation.status == "completed", Evaluation.scorecards > 0, *_filters(actor, filters))
               .group_by(Project.contractor_org_id)
               .having(func.count() >= min_evaluations)
               .subquery("per_org"))
    query = (select(SocialOrg.id.label("org_id"), SocialOrg.name, per_org.c.evaluations, per_org.c.mean_result,
                    per_org.c.best, per_org.c.worst, rules.grade_case(per_org.c.mean_result).label("grade"),
                    SocialOrg.grade.label("rating"), SocialOrg.grade_valid_until.label("rating_valid_until"))
             .join(SocialOrg, SocialOrg.id == per_org.c.org_id)
             .order_by(per_org.c.mean_result.desc(), SocialOrg.name))
    if lowest is not None:
        query = query.order_by(None).order_by(per_org.c.mean_result, SocialOrg.name, SocialOrg.id).limit(lowest)
    with engine.connect() as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=LEAGUE_COLUMNS)  # tuples: many rows


CALIBRATION_COLUMNS = ["evaluator_id", "evaluator_name", "username", "scorecards", "mean_deviation",
                       "mean_abs_deviation", "mean_total"]


def calibration(engine: Engine, *, actor: Actor, filters: ResultFilter = ResultFilter()) -> pd.DataFrame:
    """Each evaluator's mean deviation of their submitted totals from their panels' results (panels of two or
    more), and how many scorecards that rests on: a lenient evaluator sits well above zero."""
    require(actor, "scorecards.results")
    panel = panel_results()
    deviation = Assignment.total - panel.c.result
    query = (select(AppUser.id.label("evaluator_id"), AppUser.display_name.label("evaluator_name"), AppUser.username,
                    func.count().label("scorecards"), func.avg(deviation).label("mean_deviation"),
                    func.avg(func.abs(deviation)).label("mean_abs_deviation"),
                    func.avg(Assignment.total).label("mean_total"))
             .select_from(Assignment)
             .join(AppUser, AppUser.id == Assignment.evaluator_id)
             .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
             .join(Project, Project.id == Evaluation.project_id)
             .join(panel, panel.c.evaluation_id == Evaluation.id)
             .where(Assignment.status == "submitted", panel.c.scorecards >= 2, *_filters(actor, filters))
             .group_by(AppUser.id, AppUser.display_name, AppUser.username)
             .order_by(func.avg(deviation).desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=CALIBRATION_COLUMNS)


def filter_options(engine: Engine, *, actor: Actor) -> dict:
    """Years, batches and streets that occur among the evaluated projects in scope."""
    require(actor, "scorecards.results")
    evaluated = (select(Project.id).join(Evaluation, Evaluation.project_id == Project.id)
                 .where(project_scope(actor)))
    with engine.connect() as conn:
        years = list(conn.execute(select(Project.year).where(Project.id.in_(evaluated)).distinct()
                                  .order_by(Project.year.desc())).scalars())
        batches = list(conn.execute(select(Project.batch).where(Project.id.in_(evaluated)).distinct()
                                    .order_by(Project.batch)).scalars())
        streets = dict(conn.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(
            select(Project.street_id).where(Project.id.in_(evaluated)))).order_by(OrgUnit.code)).all())
        agencies = list(conn.execute(select(Evaluation.agency).join(Project, Project.id == Evaluation.project_id)
                                     .where(project_scope(actor)).distinct().order_by(Evaluation.agency)).scalars())
    return {"years": years, "batches": batches, "streets": streets, "agencies": agencies}
