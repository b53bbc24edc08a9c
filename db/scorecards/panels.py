"""Each evaluation's stored panel figures (db.models.scorecards.Evaluation: scorecards, panel_mean,
result): written from its submitted scorecards by the function every scorecard write already calls
(db.scorecards.evaluations.refresh_status), by the seed, the migration and the city generator, so results,
grades, league and calibration read one row per evaluation instead of grouping every scorecard."""

from __future__ import annotations

from sqlalchemy import Float, case, cast, func, select, update

from db.models.scorecards import Assignment, Evaluation
from db.scorecards import rules


def result_expression(scorecards, total_sum, total_max, total_min):
    """SQL: the panel's result from its count, sum, max and min of totals (rules.panel_result's twin)."""
    total_sum = cast(total_sum, Float)
    return case((scorecards >= rules.TRIM_FROM, (total_sum - total_max - total_min) / (scorecards - 2)),
                (scorecards > 0, total_sum / scorecards), else_=None)



def store_panels(session, evaluation_ids: list[int] | None = None) -> None:
    """Write each evaluation's panel figures (scorecards, mean, result) from its submitted scorecards,
    by the SQL twin of rules.panel_result; all evaluations when `evaluation_ids` is None (seeding)."""
    submitted = (Assignment.evaluation_id == Evaluation.id) & (Assignment.status == "submitted")

    def of(expr):
        return select(expr).where(submitted).scalar_subquery()

    n = func.count(Assignment.id)
    query = update(Evaluation).values(
        scorecards=of(n),
        panel_mean=of(cast(func.sum(Assignment.total), Float) / func.nullif(n, 0)),
        result=of(result_expression(n, func.sum(Assignment.total), func.max(Assignment.total),
                                    func.min(Assignment.total))))
    if evaluation_ids is not None:
        query = query.where(Evaluation.id.in_(evaluation_ids))
    session.execute(query.execution_options(synchronize_session=False))
