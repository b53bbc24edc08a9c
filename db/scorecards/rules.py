"""The evaluation rules as data: rounds, indicator groups, grade bands, the trimmed-mean threshold and the
low-score comment rule (DESIGN §6 Evaluation).

A district sets these by policy, so they are plain values read at call time (`rules.GRADE_BANDS`, never
`from ... import GRADE_BANDS`) so a deployment or a test can change them.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional, Protocol

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator, model_validator
from sqlalchemy import case

from db.validation import BlankIsNone, InvalidInput, rule


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

# the reason migration 0012 gave the assignments made before draws existed (a panel put together by hand
# outside the app); every assignment since names its draw or the reason it was made by hand
IMPORTED_REASON = "导入"
# an evaluator put on a panel by hand, not by a draw, needs a reason this long
MIN_HAND_REASON_LENGTH = 4

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


# the longest comment an evaluator may write on one indicator
COMMENT_MAX_LENGTH = 500


class IndicatorScore(BaseModel):
    """One indicator's score as an evaluator enters it: points and a comment. Validated with the context
    {"max_points": the indicator's maximum, "submit": whether the scorecard is being submitted}; a bare
    value is the points, a blank box is no score (allowed in a draft)."""

    points: Optional[float] = None
    comment: Annotated[Optional[str], BlankIsNone] = None

    @model_validator(mode="before")
    @classmethod
    def _bare_value_is_points(cls, data: Any) -> Any:
        return data if isinstance(data, dict) else {"points": data}

    @field_validator("points", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> "IndicatorScore":
        max_points, submit = info.context["max_points"], info.context["submit"]
        if self.points is None:
            if submit:
                raise rule("eval.rule.missing")
            return self
        if not 0 <= self.points <= max_points:  # NaN fails this too
            raise rule("eval.rule.out_of_range", max=max_points)
        if round(self.points, POINT_DECIMALS) != round(self.points, 9):
            raise rule("eval.rule.decimals", decimals=POINT_DECIMALS)
        if self.comment and len(self.comment) > COMMENT_MAX_LENGTH:
            raise rule("eval.rule.comment_too_long", max_length=COMMENT_MAX_LENGTH)
        if submit and not self.comment and needs_comment(self.points, max_points):
            threshold = round(COMMENT_BELOW_SHARE * max_points, 2)
            raise rule("eval.rule.comment_required", threshold=f"{threshold:g}")
        self.points = round(self.points, POINT_DECIMALS)
        return self


# pydantic's own failures of the points field, as the scorecard words them
_POINTS_RULES = {"float_parsing": "eval.rule.not_number", "float_type": "eval.rule.not_number"}


def _problem(error: dict, label: dict) -> tuple[str, str, dict]:
    kind = error["type"]
    code = kind if kind.startswith("eval.rule.") else _POINTS_RULES.get(kind, "eval.rule.not_number")
    field = "comment" if code in ("eval.rule.comment_required", "eval.rule.comment_too_long") else "points"
    params = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
    return field, code, {**label, **params}


def check_scores(template: ScoredTemplate, scores: dict, *, submit: bool) -> dict[int, tuple[float, str | None]]:
    """The clean scores of `scores` (indicator id -> {"points", "comment"} or bare points), each checked by
    IndicatorScore against its indicator; raises ScoreInvalid listing every problem, each naming its
    indicator. A draft may leave scores out and comments for later."""
    known = {indicator.id for indicator in template.indicators}
    problems, clean = [], {}
    for indicator_id in scores:
        if int(indicator_id) not in known:
            problems.append(("points", "eval.rule.unknown_indicator", {"indicator": str(indicator_id),
                                                                      "indicator_id": int(indicator_id)}))
    for indicator in template.indicators:
        label = {"indicator": f"{indicator.code} {indicator.name}", "indicator_id": indicator.id}
        try:
            entry = scores.get(indicator.id)
            score = IndicatorScore.model_validate(
                {} if entry is None else entry, context={"max_points": indicator.max_points, "submit": submit})
        except ValidationError as exc:
            problems.append(_problem(exc.errors()[0], label))
            continue
        if score.points is not None:
            clean[indicator.id] = (score.points, score.comment)
    if problems:
        raise ScoreInvalid(problems)
    return clean
