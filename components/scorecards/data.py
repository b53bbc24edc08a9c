"""Cached reads of the scorecards area. Each takes store.url() first so an entry never serves another
database, and `today` where overdue figures depend on it; every write in the area calls clear_all()."""

from __future__ import annotations

from datetime import date

import pandas as pd

from components import store
from components.caching import cached
from db.access import Actor
from db.errors import NotFound
from db.scorecards import entry as scorecard_entry
from db.scorecards import evaluations, rectifications
from db.scorecards import results as eval_results
from db.scorecards import templates as eval_templates
from db.scorecards.results import ResultFilter


@cached("scorecards", "pipeline")  # a project registered or moved on changes the choices too
def project_options(url: str, actor: Actor) -> pd.DataFrame:
    """Projects an admin can put up for evaluation (30,000 in a city: read once, searched in memory)."""
    return evaluations.project_options(store.engine_for(url), actor=actor)


@cached("scorecards")
def result_options(url: str, actor: Actor) -> dict:
    return eval_results.filter_options(store.engine_for(url), actor=actor)


@cached("scorecards")
def summary(url: str, actor: Actor, filters: ResultFilter, today: date) -> eval_results.ResultSummary:
    return eval_results.summary(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("scorecards")
def evaluation_list(url: str, actor: Actor, filters: ResultFilter, grade: str | None = None, search: str | None = None,
                    limit: int | None = None) -> pd.DataFrame:
    return eval_results.evaluation_list(store.engine_for(url), actor=actor, filters=filters, grade=grade,
                                        search=search, limit=limit)


@cached("scorecards")
def evaluation_count(url: str, actor: Actor, filters: ResultFilter, grade: str | None = None,
                     search: str | None = None) -> int:
    return eval_results.evaluation_count(store.engine_for(url), actor=actor, filters=filters, grade=grade,
                                         search=search)


@cached("scorecards")
def distribution(url: str, actor: Actor, by: str, filters: ResultFilter) -> pd.DataFrame:
    return eval_results.grade_distribution(store.engine_for(url), actor=actor, by=by, filters=filters)


@cached("scorecards")
def league(url: str, actor: Actor, filters: ResultFilter, min_evaluations: int) -> pd.DataFrame:
    return eval_results.league_table(store.engine_for(url), actor=actor, filters=filters,
                                     min_evaluations=min_evaluations)


@cached("scorecards")
def calibration(url: str, actor: Actor, filters: ResultFilter) -> pd.DataFrame:
    return eval_results.calibration(store.engine_for(url), actor=actor, filters=filters)


@cached("scorecards")
def evaluation_detail(url: str, actor: Actor, evaluation_id: int) -> dict:
    """Everything one evaluation's view and exports need: facts, report text, result, scores, panel."""
    engine = store.engine_for(url)
    scores = eval_results.submitted_scores(engine, actor=actor, evaluation_id=evaluation_id)
    return {
        "facts": eval_results.report_facts(engine, actor=actor, evaluation_id=evaluation_id),
        "evaluation": evaluations.get_evaluation(engine, actor=actor, evaluation_id=evaluation_id),
        "result": eval_results.evaluation_result(engine, actor=actor, evaluation_id=evaluation_id),
        "scores": scores,
        "wide": eval_results.side_by_side(scores),
        "panel": evaluations.panel(engine, actor=actor, evaluation_id=evaluation_id),
    }


@cached("scorecards")
def evaluation_facts(url: str, actor: Actor, evaluation_id: int) -> eval_results.ReportFacts | None:
    """One evaluation's project and round, or None when it does not exist or lies outside the scope."""
    try:
        return eval_results.report_facts(store.engine_for(url), actor=actor, evaluation_id=evaluation_id)
    except NotFound:
        return None


@cached("scorecards")
def project_rounds(url: str, actor: Actor, project_id: int) -> pd.DataFrame:
    return eval_results.project_rounds(store.engine_for(url), actor=actor, project_id=project_id)


@cached("scorecards")
def progress(url: str, actor: Actor, round_: str | None, status: str | None, overdue_only: bool,
             today: date, year: int | None = None) -> pd.DataFrame:
    return evaluations.progress(store.engine_for(url), actor=actor, round=round_, status=status,
                                overdue_only=overdue_only, today=today, year=year)


@cached("scorecards")
def templates(url: str, actor: Actor) -> pd.DataFrame:
    return eval_templates.list_templates(store.engine_for(url), actor=actor)


@cached("scorecards")
def template(url: str, actor: Actor, template_id: int) -> eval_templates.TemplatePublic:
    return eval_templates.get_template(store.engine_for(url), actor=actor, template_id=template_id)


@cached("scorecards")
def my_assignments(url: str, actor: Actor, today: date) -> pd.DataFrame:
    return scorecard_entry.my_assignments(store.engine_for(url), actor=actor, today=today)


@cached("scorecards")
def scorecard(url: str, actor: Actor, assignment_id: int) -> scorecard_entry.ScorecardPublic:
    return scorecard_entry.get_scorecard(store.engine_for(url), actor=actor, assignment_id=assignment_id)


@cached("scorecards")
def rect_items(url: str, actor: Actor, status: str | None, overdue_only: bool, today: date) -> pd.DataFrame:
    return rectifications.list_items(store.engine_for(url), actor=actor, status=status, overdue_only=overdue_only,
                                     today=today)


@cached("scorecards")
def rect_counts(url: str, actor: Actor, today: date) -> dict[str, int]:
    return rectifications.counts(store.engine_for(url), actor=actor, today=today)
