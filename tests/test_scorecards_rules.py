"""The scorecard's score rules (db.scorecards.rules.IndicatorScore through check_scores), without a database."""

from types import SimpleNamespace

import pytest

from db.scorecards import rules
from db.scorecards.rules import ScoreInvalid, check_scores

TEMPLATE = SimpleNamespace(indicators=[SimpleNamespace(id=1, code="A1", name="需求调研", max_points=10),
                                       SimpleNamespace(id=2, code="B1", name="服务过程", max_points=20)])


def _problems(scores, submit=True):
    with pytest.raises(ScoreInvalid) as caught:
        check_scores(TEMPLATE, scores, submit=submit)
    return [(field, code, params.get("indicator_id")) for field, code, params in caught.value.problems]


def test_clean_scores_are_rounded_and_comments_tidied():
    clean = check_scores(TEMPLATE, {1: {"points": "9.5", "comment": "  好  "}, 2: 0.0 + 18}, submit=True)
    assert clean == {1: (9.5, "好"), 2: (18.0, None)}


def test_a_bare_zero_is_a_score_not_a_blank():
    # zero is below the comment threshold, so a submitted bare zero needs its comment: it was read as points
    assert _problems({1: 0, 2: 20}) == [("comment", "eval.rule.comment_required", 1)]
    assert check_scores(TEMPLATE, {1: 0}, submit=False) == {1: (0.0, None)}


@pytest.mark.parametrize("points, code", [("abc", "eval.rule.not_number"), ([1], "eval.rule.not_number"),
                                          ("nan", "eval.rule.out_of_range"), (float("inf"), "eval.rule.out_of_range"),
                                          (-1, "eval.rule.out_of_range"), (10.5, "eval.rule.out_of_range"),
                                          (9.25, "eval.rule.decimals")])
def test_bad_points_name_the_indicator_and_the_rule(points, code):
    assert _problems({1: {"points": points, "comment": "说明"}, 2: 20}) == [("points", code, 1)]


def test_every_problem_is_listed_at_once():
    problems = _problems({1: {"points": "", "comment": ""}, 2: {"points": 5}, 9: 3})
    assert problems == [("points", "eval.rule.unknown_indicator", 9), ("points", "eval.rule.missing", 1),
                        ("comment", "eval.rule.comment_required", 2)]


def test_a_draft_may_leave_scores_and_comments_out():
    assert check_scores(TEMPLATE, {1: {"points": " "}, 2: {"points": 5}}, submit=False) == {2: (5.0, None)}


def test_a_long_comment_is_refused_with_its_limit(monkeypatch):
    with pytest.raises(ScoreInvalid) as caught:
        check_scores(TEMPLATE, {1: {"points": 9, "comment": "长" * (rules.COMMENT_MAX_LENGTH + 1)}}, submit=False)
    field, code, params = caught.value.problems[0]
    assert (field, code, params["max_length"], params["indicator"]) == ("comment", "eval.rule.comment_too_long",
                                                                        rules.COMMENT_MAX_LENGTH, "A1 需求调研")


def test_the_comment_threshold_is_read_at_call_time(monkeypatch):
    monkeypatch.setattr(rules, "COMMENT_BELOW_SHARE", 0.95)
    assert _problems({1: 9, 2: 20}) == [("comment", "eval.rule.comment_required", 1)]
