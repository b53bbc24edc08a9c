"""The evaluation rules as data: rounds, indicator groups, grade bands, the trimmed-mean threshold and the
low-score comment rule (DESIGN §6 Evaluation).

A district sets these by policy, so they are plain values read at call time (`rules.GRADE_BANDS`, never
`from ... import GRADE_BANDS`) so a deployment or a test can change them.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import case

from db.validation import InvalidInput


class _Indicator(Protocol):
    id: int
    code: str
    name: str
    max_points: int


class ScoredTemplate(Protocol):
    """What check_scores reads of a template (db.scorecards.templates.TemplatePublic has it)."""

    indicators: list[_Indicator]


# 事前论证 / 事中评价 / 事后评估 (Lüyuan, seed 004)
ROUNDS = ("pre", "mid", "post")
# level-1 indicator groups 决策 / 过程 / 产出 / 效益, in the order a scorecard shows them
GROUPS = ("decision", "process", "output", "outcome")
TEMPLATE_TOTAL = 100

# (lowest score of the band, grade code), best first; the last band must start at 0
GRADE_BANDS: tuple[tuple[float, str], ...] = ((90, "excellent"), (80, "good"), (60, "pass"), (0, "fail"))

# with this many submitted scorecards or more, the highest and the lowest are dropped
TRIM_FROM = 5
# a score below this share of an indicator's maximum needs a comment saying why
COMMENT_BELOW_SHARE = 0.6
# an evaluator whose mean deviation from their panels reaches this many points is marked lenient or harsh
CALIBRATION_FLAG = 3.0
# scores are given to this many decimals (half points and tenths are both in use)
POINT_DECIMALS = 1

ASSIGNMENT_STATUSES = ("not_started", "draft", "submitted", "recused")
EVALUATION_STATUSES = ("open", "completed")
RECTIFICATION_STATUSES = ("open", "closed")

# a reason (reopen) or an evidence note (close a rectification) must say something
MIN_REASON_LENGTH = 4

# who reads results (the pipeline's project page shows a project's rounds to street staff too)
EVALUATOR = "evaluator"


def grade_for(result: float | None) -> str | None:
    """The grade code of a result, by the bands."""
    if result is None:
        return None
    for floor, grade in GRADE_BANDS:
        if result >= floor:
            return grade
    return GRADE_BANDS[-1][1]


def grade_case(column):
    """SQL: the grade code of a result column, by the same bands (NULL stays NULL)."""
    whens = [(column >= floor, grade) for floor, grade in GRADE_BANDS[:-1]]
    return case((column.is_(None), None), *whens, else_=GRADE_BANDS[-1][1])


def grades() -> tuple[str, ...]:
    return tuple(grade for _, grade in GRADE_BANDS)


def needs_comment(points: float, max_points: float) -> bool:
    return points < COMMENT_BELOW_SHARE * max_points


def panel_result(totals: list[float]) -> float | None:
    """The mean of the totals, or the trimmed mean (highest and lowest dropped) from TRIM_FROM on.
    The SQL twin is db.scorecards.panels.result_expression; tests hold the two together."""
    if not totals:
        return None
    if len(totals) >= TRIM_FROM:
        kept = sorted(totals)[1:-1]
        return sum(kept) / len(kept)
    return sum(totals) / len(totals)


class ScoreInvalid(InvalidInput):
    """Score problems; each names its indicator (params `indicator`, `indicator_id`)."""


def check_scores(template: ScoredTemplate, scores: dict, *, submit: bool) -> dict[int, tuple[float, str | None]]:
    """The clean scores of `scores` (indicator id -> {"points", "comment"}); raises ScoreInvalid listing every
    problem, each naming its indicator. A draft may leave scores out and comments for later."""
    known = {indicator.id for indicator in template.indicators}
    problems, clean = [], {}
    for indicator_id in scores:
        if int(indicator_id) not in known:
            problems.append(("points", "eval.rule.unknown_indicator", {"indicator": str(indicator_id),
                                                                      "indicator_id": int(indicator_id)}))
    for indicator in template.indicators:
        entry = scores.get(indicator.id) or {}
        if not isinstance(entry, dict):  # a bare value is the points (then checked as any other)
            entry = {"points": entry}
        label = {"indicator": f"{indicator.code} {indicator.name}", "indicator_id": indicator.id}
        points, comment = entry.get("points"), (entry.get("comment") or "").strip() or None
        if points is None or (isinstance(points, str) and not points.strip()):
            if submit:
                problems.append(("points", "eval.rule.missing", label))
            continue
        try:
            value = float(points)
        except (TypeError, ValueError):
            problems.append(("points", "eval.rule.not_number", label))
            continue
        if not 0 <= value <= indicator.max_points:  # NaN fails this too
            problems.append(("points", "eval.rule.out_of_range", {**label, "max": indicator.max_points}))
            continue
        if round(value, POINT_DECIMALS) != round(value, 9):
            problems.append(("points", "eval.rule.decimals", {**label, "decimals": POINT_DECIMALS}))
            continue
        if comment and len(comment) > 500:
            problems.append(("comment", "eval.rule.comment_too_long", {**label, "max_length": 500}))
            continue
        if submit and not comment and needs_comment(value, indicator.max_points):
            threshold = round(COMMENT_BELOW_SHARE * indicator.max_points, 2)
            problems.append(("comment", "eval.rule.comment_required", {**label, "threshold": f"{threshold:g}"}))
            continue
        clean[indicator.id] = (round(value, POINT_DECIMALS), comment)
    if problems:
        raise ScoreInvalid(problems)
    return clean
