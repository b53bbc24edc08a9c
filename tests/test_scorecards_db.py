"""Third-party scorecards at the db layer: template rules, the evaluator's own scorecard (declaration,
ranges, comments, submit locks, recusal), admin-only reopening, results and trimmed mean on known numbers,
calibration, rectification, scope, and the demo data's story."""

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db import clock, validation
from db.engine import reading
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AppUser, AuditLog, OrgUnit
from db.models.pipeline import Project
from db.models.scorecards import Assignment, Evaluation, Rectification, ScoreTemplate
from db.scorecards import entry as scorecard_entry
from db.scorecards import evaluations, rectifications, rules
from db.scorecards import results as eval_results
from db.scorecards import templates as eval_templates
from db.users import actor_for
from db.validation import InvalidInput

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here
HAND = "测试：本项目指定评估员"  # evaluators put on a panel by hand say why (a draw needs no reason)

POST_POINTS = {"A1": 5, "A2": 5, "A3": 5, "B1": 5, "B2": 5, "B3": 5, "B4": 5, "C1": 15, "C2": 10, "C3": 5,
               "C4": 5, "D1": 10, "D2": 5, "D3": 10, "D4": 5}


def _actors(engine):
    return {name: actor_for(engine, name) for name in ("admin", "leader", "evaluator", "street")}


def _evaluator(engine, username):
    return actor_for(engine, username)


def _template_id(engine, code="post-standard"):
    with reading(engine) as s:
        return s.execute(select(ScoreTemplate.id).where(ScoreTemplate.code == code)
                         .order_by(ScoreTemplate.version.desc())).scalars().first()


def _fresh_project(engine, round_="post", district="510104"):
    """A 锦江区 project with no evaluation in `round_` yet."""
    with reading(engine) as s:
        district_id = s.execute(select(OrgUnit.id).where(OrgUnit.code == district)).scalar_one()
        taken = select(Evaluation.project_id).where(Evaluation.round == round_)
        return s.execute(select(Project.id).where(Project.district_id == district_id, Project.id.not_in(taken),
                                                  Project.stage != "terminated").order_by(Project.id)).scalars().first()


def _indicators(engine, admin, template_id):
    return eval_templates.get_template(engine, actor=admin, template_id=template_id).indicators


def _panel(engine, usernames, round_="post"):
    """A new evaluation with the given evaluators, each of whom has declared no conflict."""
    admin = actor_for(engine, "admin")
    people = [_evaluator(engine, u) for u in usernames]
    created = evaluations.create_evaluation(engine, actor=admin, data={
        "project_id": _fresh_project(engine, round_), "template_id": _template_id(engine, f"{round_}-standard"),
        "agency": "成都市锦诚社会工作评估中心", "due_on": clock.today() + timedelta(days=20),
        "evaluator_ids": [p.user_id for p in people], "assign_reason": HAND})
    mine = {}
    for person in people:
        with reading(engine) as s:
            mine[person.username] = s.execute(select(Assignment.id).where(
                Assignment.evaluation_id == created.id, Assignment.evaluator_id == person.user_id)).scalar_one()
        scorecard_entry.declare(engine, actor=person, assignment_id=mine[person.username], conflict=False)
    return created, people, mine


def _scores_for_total(indicators, total):
    """Whole-point scores summing to `total`, in proportion to the maxima, each with a comment."""
    points = {i.id: i.max_points * total // 100 for i in indicators}
    left = total - sum(points.values())
    for indicator in indicators:
        step = min(left, indicator.max_points - points[indicator.id])
        points[indicator.id] += step
        left -= step
    assert left == 0
    return {key: {"points": value, "comment": "说明"} for key, value in points.items()}


# --- templates ------------------------------------------------------------------------------------------

def _template_data(code="post-lite", points=(40, 30, 20, 10)):
    groups = rules.GROUPS
    return {"code": code, "round": "post", "name": "简易事后评估表", "name_en": "Short post-evaluation",
            "indicators": [{"code": f"X{i}", "group": groups[i], "name": f"指标{i}", "name_en": f"Indicator {i}",
                            "max_points": p, "guidance": "说明"} for i, p in enumerate(points)]}


def test_template_points_must_sum_to_100(engine):
    admin = actor_for(engine, "admin")
    with pytest.raises(DomainError) as err:
        eval_templates.create_template(engine, actor=admin, data=_template_data(points=(40, 30, 20, 5)))
    assert err.value.code == "eval.error.sum_not_100" and err.value.params["total"] == 95
    assert err.value.field == "max_points"
    created = eval_templates.create_template(engine, actor=admin, data=_template_data())
    assert created.total == 100 and created.version == 1 and not created.locked


@pytest.mark.reads_only
def test_template_indicator_problem_names_the_indicator(engine):
    admin = actor_for(engine, "admin")
    data = _template_data()
    data["indicators"][2]["max_points"] = 0
    data["indicators"][2]["name"] = "产出数量"
    with pytest.raises(InvalidInput) as err:
        eval_templates.create_template(engine, actor=admin, data=data)
    field, code, params = err.value.problems[0]
    assert field == "max_points" and code == "rule.gt" and params["indicator"] == "X2 产出数量"
    leader = actor_for(engine, "leader")
    with pytest.raises(PermissionDenied):
        eval_templates.create_template(engine, actor=leader, data=_template_data())


@pytest.mark.reads_only
def test_seeded_post_template_follows_the_issue(engine):
    admin = actor_for(engine, "admin")
    template = eval_templates.get_template(engine, actor=admin, template_id=_template_id(engine))
    assert {i.code: i.max_points for i in template.indicators} == POST_POINTS
    by_group = {g: sum(i.max_points for i in template.indicators if i.group == g) for g in rules.GROUPS}
    assert by_group == {"decision": 15, "process": 20, "output": 35, "outcome": 30}
    mid = eval_templates.get_template(engine, actor=admin, template_id=_template_id(engine, "mid-standard"))
    assert [sum(i.max_points for i in mid.indicators if i.group == g) for g in rules.GROUPS] == [15, 25, 45, 15]
    pre = eval_templates.get_template(engine, actor=admin, template_id=_template_id(engine, "pre-standard"))
    assert sum(i.max_points for i in pre.indicators if i.group == "decision") >= 45
    assert all(i.name_en and i.guidance and i.guidance_en for i in template.indicators)


def test_locked_template_refuses_edits_and_changes_make_a_new_version(engine):
    admin = actor_for(engine, "admin")
    old_id = _template_id(engine)
    old = eval_templates.get_template(engine, actor=admin, template_id=old_id)
    assert old.locked  # the demo's scores use it
    data = {"code": old.code, "round": old.round, "name": old.name, "name_en": old.name_en,
            "indicators": [i.model_dump(exclude={"id"}) for i in old.indicators]}
    data["indicators"][0]["guidance"] = "新的评分标准"
    with pytest.raises(DomainError) as err:
        eval_templates.update_template(engine, actor=admin, template_id=old_id, data=data)
    assert err.value.code == "eval.error.template_locked"
    new = eval_templates.revise_template(engine, actor=admin, template_id=old_id, data=data)
    assert new.id != old_id and new.version == old.version + 1 and new.latest and not new.locked
    again = eval_templates.get_template(engine, actor=admin, template_id=old_id)
    assert not again.latest and again.indicators[0].guidance == old.indicators[0].guidance
    with pytest.raises(DomainError) as err:  # new evaluations use the newest version
        evaluations.create_evaluation(engine, actor=admin, data={
            "project_id": _fresh_project(engine), "template_id": old_id, "agency": "某评估中心",
            "due_on": clock.today() + timedelta(days=10)})
    assert err.value.code == "eval.error.template_superseded"


def test_unused_template_edits_in_place_until_the_first_score_locks_it(engine):
    admin = actor_for(engine, "admin")
    template = eval_templates.create_template(engine, actor=admin, data=_template_data())
    data = _template_data(points=(30, 30, 30, 10))
    edited = eval_templates.revise_template(engine, actor=admin, template_id=template.id, data=data)
    assert edited.id == template.id and edited.version == 1 and edited.total == 100
    person = actor_for(engine, "evaluator")
    created = evaluations.create_evaluation(engine, actor=admin, data={
        "project_id": _fresh_project(engine), "template_id": template.id, "agency": "某评估中心",
        "due_on": clock.today() + timedelta(days=10), "evaluator_ids": [person.user_id], "assign_reason": HAND})
    with reading(engine) as s:
        assignment_id = s.execute(select(Assignment.id).where(Assignment.evaluation_id == created.id)).scalar_one()
    scorecard_entry.declare(engine, actor=person, assignment_id=assignment_id, conflict=False)
    first = edited.indicators[0]
    scorecard_entry.save_scores(engine, actor=person, assignment_id=assignment_id, scores={first.id: {"points": 20}})
    assert eval_templates.get_template(engine, actor=admin, template_id=template.id).locked
    with pytest.raises(DomainError) as err:
        eval_templates.update_template(engine, actor=admin, template_id=template.id, data=data)
    assert err.value.code == "eval.error.template_locked"


# --- the evaluator's scorecard ----------------------------------------------------------------------------

def test_score_out_of_range_missing_or_not_a_number_names_the_indicator(engine):
    created, (person,), mine = _panel(engine, ["evaluator"])
    indicators = _indicators(engine, actor_for(engine, "admin"), _template_id(engine))
    c1 = next(i for i in indicators if i.code == "C1")
    scores = _scores_for_total(indicators, 85)
    scores[c1.id] = {"points": 16, "comment": "超出"}
    with pytest.raises(InvalidInput) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores)
    field, code, params = err.value.problems[0]
    assert code == "eval.rule.out_of_range" and params["indicator"] == "C1 产出数量" and params["max"] == 15
    scores[c1.id] = {"points": -1}
    with pytest.raises(InvalidInput) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores)
    assert err.value.problems[0][1] == "eval.rule.out_of_range"
    scores[c1.id] = {"points": "十二"}
    with pytest.raises(InvalidInput) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores)
    assert err.value.problems[0][1] == "eval.rule.not_number" and "C1" in err.value.problems[0][2]["indicator"]
    scores[c1.id] = {"points": 12.25}
    with pytest.raises(InvalidInput) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores)
    assert err.value.problems[0][1] == "eval.rule.decimals"
    del scores[c1.id]
    assert scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores) == "draft"
    with pytest.raises(InvalidInput) as err:  # a draft may be incomplete; a submission may not
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores, submit=True)
    assert [(c, p["indicator"]) for _, c, p in err.value.problems] == [("eval.rule.missing", "C1 产出数量")]


def test_low_score_needs_a_comment_to_submit(engine):
    created, (person,), mine = _panel(engine, ["evaluator"])
    indicators = _indicators(engine, actor_for(engine, "admin"), _template_id(engine))
    b3 = next(i for i in indicators if i.code == "B3")
    scores = _scores_for_total(indicators, 80)
    scores[b3.id] = {"points": 2.5, "comment": ""}  # below 60% of 5
    assert scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores) == "draft"
    with pytest.raises(InvalidInput) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores, submit=True)
    field, code, params = err.value.problems[0]
    assert (field, code, params["indicator"], params["threshold"]) == ("comment", "eval.rule.comment_required",
                                                                       "B3 档案管理", "3")
    scores[b3.id] = {"points": 3, "comment": ""}  # exactly 60% needs none
    assert scorecard_entry.save_scores(engine, actor=person, assignment_id=mine["evaluator"], scores=scores,
                                   submit=True) == "submitted"


def test_submit_locks_and_only_an_admin_reopens_with_a_reason(engine):
    created, (person,), mine = _panel(engine, ["evaluator"])
    admin, leader = actor_for(engine, "admin"), actor_for(engine, "leader")
    indicators = _indicators(engine, admin, _template_id(engine))
    aid = mine["evaluator"]
    scorecard_entry.save_scores(engine, actor=person, assignment_id=aid, scores=_scores_for_total(indicators, 84),
                            submit=True)
    card = scorecard_entry.get_scorecard(engine, actor=person, assignment_id=aid)
    assert card.status == "submitted" and card.total == 84 and card.submitted_at is not None
    with pytest.raises(DomainError) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=aid, scores=_scores_for_total(indicators, 90))
    assert err.value.code == "eval.error.submitted_locked"
    for who in (person, leader):
        with pytest.raises(PermissionDenied):
            evaluations.reopen(engine, actor=who, assignment_id=aid, reason="评分有误，需要更正")
    with pytest.raises(InvalidInput) as err:
        evaluations.reopen(engine, actor=admin, assignment_id=aid, reason="  ")
    assert err.value.field == "reason"
    evaluations.reopen(engine, actor=admin, assignment_id=aid, reason="C2 现场检查记录补充后重新评分")
    card = scorecard_entry.get_scorecard(engine, actor=person, assignment_id=aid)
    assert card.status == "draft" and card.total is None and card.reopened_reason.startswith("C2")
    assert evaluations.get_evaluation(engine, actor=admin, evaluation_id=created.id).status == "open"
    scorecard_entry.save_scores(engine, actor=person, assignment_id=aid, scores=_scores_for_total(indicators, 88),
                            submit=True)
    assert scorecard_entry.get_scorecard(engine, actor=person, assignment_id=aid).total == 88
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).where(AuditLog.entity_id == str(aid))).scalars().all()
    assert actions.count("scorecard_submit") == 2 and "scorecard_reopen" in actions
    with pytest.raises(DomainError) as err:
        evaluations.reopen(engine, actor=admin, assignment_id=mine["evaluator"] + 10**6, reason="不存在的评分表")
    assert isinstance(err.value, NotFound)


def test_evaluator_cannot_read_or_write_another_evaluators_assignment(engine):
    created, people, mine = _panel(engine, ["evaluator", "jc_lijing"])
    me, other = people
    theirs = mine["jc_lijing"]
    with pytest.raises(PermissionDenied) as err:
        scorecard_entry.get_scorecard(engine, actor=me, assignment_id=theirs)
    assert err.value.code == "eval.error.not_your_assignment"
    indicators = _indicators(engine, actor_for(engine, "admin"), _template_id(engine))
    with pytest.raises(PermissionDenied):
        scorecard_entry.save_scores(engine, actor=me, assignment_id=theirs, scores=_scores_for_total(indicators, 80))
    with pytest.raises(PermissionDenied):
        scorecard_entry.declare(engine, actor=me, assignment_id=theirs, conflict=True, note="冒名声明测试")
    listed = scorecard_entry.my_assignments(engine, actor=me)
    with reading(engine) as s:
        own = set(s.execute(select(Assignment.id).where(Assignment.evaluator_id == me.user_id)).scalars())
    assert set(listed["id"]) == own and theirs not in own and mine["evaluator"] in own
    with pytest.raises(PermissionDenied):  # leaders read results, but never write a scorecard
        scorecard_entry.save_scores(engine, actor=actor_for(engine, "leader"), assignment_id=theirs, scores={})
    with pytest.raises(PermissionDenied):
        scorecard_entry.my_assignments(engine, actor=actor_for(engine, "leader"))


def test_declaration_first_and_a_conflict_recuses(engine):
    admin = actor_for(engine, "admin")
    person, colleague = actor_for(engine, "evaluator"), actor_for(engine, "jc_chenxd")
    created = evaluations.create_evaluation(engine, actor=admin, data={
        "project_id": _fresh_project(engine), "template_id": _template_id(engine), "agency": "某评估中心",
        "due_on": clock.today() + timedelta(days=10), "evaluator_ids": [person.user_id, colleague.user_id], "assign_reason": HAND})
    panel = evaluations.panel(engine, actor=admin, evaluation_id=created.id)
    mine = dict(zip(panel["username"], panel["id"]))
    indicators = _indicators(engine, admin, _template_id(engine))
    with pytest.raises(DomainError) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=int(mine["evaluator"]),
                                scores=_scores_for_total(indicators, 80))
    assert err.value.code == "eval.error.declare_first"
    with pytest.raises(DomainError) as err:
        scorecard_entry.declare(engine, actor=person, assignment_id=int(mine["evaluator"]), conflict=True, note="")
    assert err.value.field == "conflict_note"
    assert scorecard_entry.declare(engine, actor=person, assignment_id=int(mine["evaluator"]), conflict=True,
                               note="曾为承接机构提供督导") == "recused"
    with pytest.raises(DomainError) as err:
        scorecard_entry.declare(engine, actor=person, assignment_id=int(mine["evaluator"]), conflict=False)
    assert err.value.code == "eval.error.already_declared"
    with pytest.raises(DomainError) as err:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=int(mine["evaluator"]),
                                scores=_scores_for_total(indicators, 80))
    assert err.value.code == "eval.error.recused"
    panel = evaluations.panel(engine, actor=admin, evaluation_id=created.id)
    row = panel[panel["username"] == "evaluator"].iloc[0]
    assert row["status"] == "recused" and bool(row["conflict"]) and row["conflict_note"] == "曾为承接机构提供督导"
    progress = evaluations.progress(engine, actor=admin)
    assert progress.loc[progress["id"] == created.id, "recused"].iloc[0] == 1
    scorecard_entry.declare(engine, actor=colleague, assignment_id=int(mine["jc_chenxd"]), conflict=False)
    scorecard_entry.save_scores(engine, actor=colleague, assignment_id=int(mine["jc_chenxd"]),
                            scores=_scores_for_total(indicators, 82), submit=True)
    # the recused evaluator does not hold the evaluation open
    assert evaluations.get_evaluation(engine, actor=admin, evaluation_id=created.id).status == "completed"


# --- results --------------------------------------------------------------------------------------------

def test_mean_then_trimmed_mean_from_five_scorecards_on_known_numbers(engine):
    names = ["evaluator", "jc_wangsy", "jc_lijing", "jc_chenxd", "ry_zhouwj"]
    created, people, mine = _panel(engine, names)
    leader = actor_for(engine, "leader")
    indicators = _indicators(engine, actor_for(engine, "admin"), _template_id(engine))
    totals = dict(zip(names, (70, 80, 85, 90, 99)))
    for person in people[:3]:
        scorecard_entry.save_scores(engine, actor=person, assignment_id=mine[person.username],
                                scores=_scores_for_total(indicators, totals[person.username]), submit=True)
    partial = eval_results.evaluation_result(engine, actor=leader, evaluation_id=created.id)
    assert partial.scorecards == 3 and partial.result == pytest.approx(235 / 3) and not partial.trimmed
    assert partial.grade == "pass" and not partial.complete
    scorecard_entry.save_scores(engine, actor=people[3], assignment_id=mine["jc_chenxd"],
                            scores=_scores_for_total(indicators, 90), submit=True)
    four = eval_results.evaluation_result(engine, actor=leader, evaluation_id=created.id)
    assert four.result == pytest.approx(81.25) and four.grade == "good" and not four.trimmed
    scorecard_entry.save_scores(engine, actor=people[4], assignment_id=mine["ry_zhouwj"],
                            scores=_scores_for_total(indicators, 99), submit=True)
    five = eval_results.evaluation_result(engine, actor=leader, evaluation_id=created.id)
    assert five.result == pytest.approx(85.0) and five.trimmed and five.grade == "good" and five.complete
    assert five.mean == pytest.approx(84.8)
    assert rules.panel_result([70, 80, 85, 90, 99]) == pytest.approx(85.0)
    assert rules.panel_result([70, 80, 85, 90]) == pytest.approx(81.25)
    listed = eval_results.evaluation_list(engine, actor=leader)
    row = listed[listed["id"] == created.id].iloc[0]
    assert row["result"] == pytest.approx(85.0) and row["grade"] == "good" and row["scorecards"] == 5
    scores = eval_results.submitted_scores(engine, actor=leader, evaluation_id=created.id)
    wide, columns = eval_results.side_by_side(scores)
    assert len(columns) == 5 and list(wide[columns].sum()) == [70, 80, 85, 90, 99]
    assert len(wide) == 15 and wide["mean"].sum() == pytest.approx(84.8, abs=0.05)


@pytest.mark.reads_only
def test_grade_bands_are_configurable_in_python_and_sql(engine, monkeypatch):
    assert [rules.grade_for(v) for v in (95, 90, 89.99, 80, 60, 59.9)] == [
        "excellent", "excellent", "good", "good", "pass", "fail"]
    leader = actor_for(engine, "leader")
    before = eval_results.summary(engine, actor=leader).grades
    monkeypatch.setattr(rules, "GRADE_BANDS", ((95, "excellent"), (85, "good"), (70, "pass"), (0, "fail")))
    assert rules.grade_for(90) == "good"
    after = eval_results.summary(engine, actor=leader).grades
    assert sum(after.values()) == sum(before.values())
    assert after["excellent"] < before["excellent"] and after["fail"] > before["fail"]


@pytest.mark.reads_only
def test_calibration_matches_an_independent_computation_and_shows_the_lenient_evaluator(engine):
    admin = actor_for(engine, "admin")
    frame = eval_results.calibration(engine, actor=admin)
    with reading(engine) as s:
        rows = pd.DataFrame(s.execute(select(Assignment.evaluation_id, AppUser.username, Assignment.total)
                                      .join(AppUser, AppUser.id == Assignment.evaluator_id)
                                      .where(Assignment.status == "submitted")).all(),
                            columns=["evaluation_id", "username", "total"])
    results = rows.groupby("evaluation_id")["total"].agg(lambda s: rules.panel_result(list(s)))
    sizes = rows.groupby("evaluation_id")["total"].size()
    rows = rows[rows["evaluation_id"].map(sizes) >= 2]
    expected = (rows["total"] - rows["evaluation_id"].map(results)).groupby(rows["username"]).mean()
    got = frame.set_index("username")["mean_deviation"]
    assert set(got.index) == set(expected.index)
    for username, value in expected.items():
        assert got[username] == pytest.approx(value, abs=1e-6)
    assert frame.iloc[0]["username"] == "ry_hezq" and frame.iloc[0]["mean_deviation"] >= rules.CALIBRATION_FLAG
    assert (frame.iloc[1:]["mean_deviation"].abs() < rules.CALIBRATION_FLAG).all()


@pytest.mark.reads_only
def test_distribution_league_and_project_rounds(engine):
    leader = actor_for(engine, "leader")
    filters = eval_results.ResultFilter(round="post", year=2019)
    summary = eval_results.summary(engine, actor=leader, filters=filters)
    for by in eval_results.DIMENSIONS:
        frame = eval_results.grade_distribution(engine, actor=leader, by=by, filters=filters)
        assert frame["count"].sum() == summary.completed
        assert set(frame["grade"]) <= set(rules.grades())
    league = eval_results.league_table(engine, actor=leader, filters=filters, min_evaluations=2)
    assert (league["evaluations"] >= 2).all() and league["mean_result"].is_monotonic_decreasing
    assert set(league["grade"]) <= set(rules.grades())
    listed = eval_results.evaluation_list(engine, actor=leader)
    two = listed.groupby("project_id")["round"].nunique()
    project_id = int(two[two >= 2].index[0])
    rounds = eval_results.project_rounds(engine, actor=leader, project_id=project_id)
    assert list(rounds["round"]) == sorted(rounds["round"], key=rules.ROUNDS.index) and len(rounds) >= 2
    assert rounds["grade"].notna().all()


@pytest.mark.reads_only
def test_scope_leader_sees_only_their_district(engine):
    leader, admin = actor_for(engine, "leader"), actor_for(engine, "admin")
    everywhere = eval_results.evaluation_list(engine, actor=admin)
    jinjiang = eval_results.evaluation_list(engine, actor=leader)
    assert len(jinjiang) < len(everywhere)
    assert jinjiang["project_code"].str.startswith("510104").all()
    outside = int(everywhere[~everywhere["project_code"].str.startswith("510104")].iloc[0]["id"])
    with pytest.raises(NotFound):
        eval_results.evaluation_result(engine, actor=leader, evaluation_id=outside)
    with pytest.raises(PermissionDenied):
        eval_results.evaluation_list(engine, actor=actor_for(engine, "street"))


# --- rectification --------------------------------------------------------------------------------------

def test_rectification_items_close_with_evidence_and_overdue_ones_are_listed(engine):
    admin, leader = actor_for(engine, "admin"), actor_for(engine, "leader")
    listed = eval_results.evaluation_list(engine, actor=admin, filters=eval_results.ResultFilter(round="post"))
    evaluation_id = int(listed[listed["grade"] == "fail"].iloc[0]["id"])
    findings = rectifications.findings_of(engine, actor=admin, evaluation_id=evaluation_id)
    assert findings
    with pytest.raises(InvalidInput) as err:
        rectifications.create_items(engine, actor=admin, evaluation_id=evaluation_id,
                                    items=[{"finding": findings[0], "owner": "", "due_on": clock.today()}])
    assert err.value.field == "owner"
    with pytest.raises(PermissionDenied):
        rectifications.create_items(engine, actor=leader, evaluation_id=evaluation_id,
                                    items=[{"finding": findings[0], "owner": "承接机构", "due_on": clock.today()}])
    count = rectifications.create_items(engine, actor=admin, evaluation_id=evaluation_id, items=[
        {"finding": f, "owner": "承接机构", "due_on": clock.today() + timedelta(days=30)} for f in findings])
    assert count == len(findings)
    items = rectifications.list_items(engine, actor=leader, evaluation_id=evaluation_id, status="open")
    item_id = int(items.iloc[0]["id"])
    with pytest.raises(InvalidInput) as err:
        rectifications.close_item(engine, actor=admin, item_id=item_id, evidence="ok")
    assert err.value.field == "evidence"
    with pytest.raises(PermissionDenied):
        rectifications.close_item(engine, actor=leader, item_id=item_id, evidence="已提交整改报告")
    closed = rectifications.close_item(engine, actor=admin, item_id=item_id, evidence="已提交整改报告及佐证材料")
    assert closed.status == "closed" and closed.closed_on == clock.today()
    with pytest.raises(DomainError) as err:
        rectifications.close_item(engine, actor=admin, item_id=item_id, evidence="再次销号的说明")
    assert err.value.code == "eval.error.already_closed"
    overdue = rectifications.list_items(engine, actor=leader, overdue_only=True)
    assert len(overdue) > 0 and (overdue["status"] == "open").all() and (overdue["due_on"] < clock.today()).all()
    assert (overdue["days_late"] > 0).all()
    counts = rectifications.counts(engine, actor=leader)
    assert counts["overdue"] == len(overdue) and counts["closed"] >= 1 and counts["open"] >= counts["overdue"]


# --- demo data ------------------------------------------------------------------------------------------

@pytest.mark.reads_only
def test_demo_data_tells_the_issues_story(engine):
    leader = actor_for(engine, "leader")
    with reading(engine) as s:
        closed_2019 = s.execute(select(func.count()).select_from(Project).where(
            Project.year == 2019, Project.stage == "closed")).scalar_one()
        panels = s.execute(select(func.count(Assignment.id)).join(Evaluation, Evaluation.id == Assignment.evaluation_id)
                           .join(Project, Project.id == Evaluation.project_id)
                           .where(Project.year == 2019, Evaluation.round == "post")
                           .group_by(Evaluation.id)).scalars().all()
        evaluators = s.execute(select(AppUser.username, AppUser.password_hash).where(
            AppUser.role == "evaluator")).all()
    assert len(panels) >= 0.8 * closed_2019 and set(panels) == {3}
    post_2019 = eval_results.ResultFilter(round="post", year=2019)
    grades = eval_results.summary(engine, actor=leader, filters=post_2019).grades
    assert grades["good"] > sum(grades.values()) / 2 and 0 < grades["fail"] < grades["excellent"] < grades["good"]
    assert 6 <= len(evaluators) <= 10
    assert all(h == "!disabled" for u, h in evaluators if u not in ("evaluator", "panyu_evaluator"))
    mid = evaluations.progress(engine, actor=leader, round="mid", status="open")
    assert (mid["draft"] > 0).any() and mid["overdue"].sum() == 1
    mine = scorecard_entry.my_assignments(engine, actor=actor_for(engine, "evaluator"))
    assert (mine["status"] == "not_started").sum() >= 2 and (mine["status"] == "submitted").sum() > 50
    counts = rectifications.counts(engine, actor=leader)
    assert counts["open"] > 0 and counts["closed"] > 0 and counts["overdue"] > 0


# --- bounds: dates in range and in order, evaluators within scope ---------------------------------------

def _user_id(engine, username):
    with reading(engine) as s:
        return s.execute(select(AppUser.id).where(AppUser.username == username)).scalar_one()


def test_an_evaluator_of_another_district_cannot_be_put_on_a_panel(engine):
    """hz_sunli works for 绿园区: neither a new evaluation nor an added assignment may put them on a 锦江区
    project, and the admin's pick list does not offer them; a 绿园区 project takes them."""
    admin = actor_for(engine, "admin")
    outsider, insider = _user_id(engine, "hz_sunli"), _user_id(engine, "evaluator")
    project_id = _fresh_project(engine, "post")
    data = {"project_id": project_id, "template_id": _template_id(engine), "agency": "长春市和众社会组织评估中心",
            "due_on": clock.today() + timedelta(days=20), "evaluator_ids": [insider, outsider],
            "assign_reason": HAND}
    with reading(engine) as s:
        before = s.execute(select(func.count()).select_from(Evaluation)).scalar_one()
    with pytest.raises(DomainError) as err:
        evaluations.create_evaluation(engine, actor=admin, data=data)
    assert (err.value.code, err.value.field) == ("eval.error.evaluator_out_of_scope", "evaluator_ids")
    assert "孙丽" in err.value.params["name"]
    with reading(engine) as s:
        assert s.execute(select(func.count()).select_from(Evaluation)).scalar_one() == before
    created = evaluations.create_evaluation(engine, actor=admin, data={**data, "evaluator_ids": [insider]})
    with pytest.raises(DomainError) as err:
        evaluations.assign(engine, actor=admin, evaluation_id=created.id, evaluator_ids=[outsider], reason=HAND)
    assert err.value.code == "eval.error.evaluator_out_of_scope"
    assert list(evaluations.panel(engine, actor=admin, evaluation_id=created.id)["evaluator_id"]) == [insider]
    offered = set(evaluations.evaluators(engine, actor=admin, project_id=project_id)["id"])
    assert insider in offered and outsider not in offered
    lvyuan = _fresh_project(engine, "post", district="220106")
    offered = set(evaluations.evaluators(engine, actor=admin, project_id=lvyuan)["id"])
    assert outsider in offered and insider not in offered
    other = evaluations.create_evaluation(engine, actor=admin, data={**data, "project_id": lvyuan,
                                                                     "evaluator_ids": [outsider]})
    assert list(evaluations.panel(engine, actor=admin, evaluation_id=other.id)["evaluator_id"]) == [outsider]
    with pytest.raises(InvalidInput) as err:
        evaluations.assign(engine, actor=admin, evaluation_id=created.id, evaluator_ids=[2 ** 70], reason=HAND)
    assert err.value.field == "evaluator_ids"


@pytest.mark.reads_only
@pytest.mark.parametrize("due_on", ["9999-12-31", "2200-01-01", "1999-01-01"])
def test_due_dates_of_evaluations_and_rectifications_lie_in_range(engine, due_on):
    admin = actor_for(engine, "admin")
    with pytest.raises(InvalidInput) as err:
        evaluations.create_evaluation(engine, actor=admin, data={
            "project_id": _fresh_project(engine), "template_id": _template_id(engine), "agency": "某评估机构",
            "due_on": due_on, "evaluator_ids": []})
    assert (err.value.field, err.value.code) == ("due_on", "rule.date_range")
    evaluation_id = int(eval_results.evaluation_list(engine, actor=admin).iloc[0]["id"])
    with pytest.raises(InvalidInput) as err:
        rectifications.create_items(engine, actor=admin, evaluation_id=evaluation_id, items=[
            {"finding": "台账资料不完整", "owner": "承接机构", "due_on": due_on}])
    assert (err.value.field, err.value.code) == ("due_on", "rule.date_range")


def test_a_due_date_ten_years_ahead_is_the_last_accepted(engine):
    admin = actor_for(engine, "admin")
    evaluation_id = int(eval_results.evaluation_list(engine, actor=admin).iloc[0]["id"])
    last = validation.latest_due()
    assert rectifications.create_items(engine, actor=admin, evaluation_id=evaluation_id, items=[
        {"finding": "台账资料不完整", "owner": "承接机构", "due_on": last}]) == 1
    with pytest.raises(InvalidInput) as err:
        rectifications.create_items(engine, actor=admin, evaluation_id=evaluation_id, items=[
            {"finding": "台账资料不完整", "owner": "承接机构", "due_on": last + timedelta(days=1)}])
    assert err.value.params["max"] == last.isoformat()


def test_a_rectification_cannot_be_closed_before_it_was_raised(engine, monkeypatch):
    """Raised today, closed a month later: a closing date before the raising day is refused (2020-01-01
    for an item of today), the raising day itself is accepted."""
    admin = actor_for(engine, "admin")
    evaluation_id = int(eval_results.evaluation_list(engine, actor=admin).iloc[0]["id"])
    raised = clock.today()
    rectifications.create_items(engine, actor=admin, evaluation_id=evaluation_id, items=[
        {"finding": "活动签到表缺失", "owner": "承接机构", "due_on": raised + timedelta(days=60)}])
    with reading(engine) as s:
        item_id = s.execute(select(Rectification.id).where(Rectification.evaluation_id == evaluation_id)
                            .order_by(Rectification.id.desc())).scalars().first()
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=30))
    for early in (date(2020, 1, 1), raised - timedelta(days=1)):
        with pytest.raises(DomainError) as err:
            rectifications.close_item(engine, actor=admin, item_id=item_id, evidence="已补齐签到表", closed_on=early)
        assert (err.value.code, err.value.field) == ("eval.error.closed_before_raised", "closed_on")
        assert err.value.params["raised"] == raised.isoformat()
    with pytest.raises(InvalidInput) as err:
        rectifications.close_item(engine, actor=admin, item_id=item_id, evidence="已补齐签到表", closed_on="1900-01-01")
    assert err.value.code == "rule.date_range"
    with reading(engine) as s:
        assert s.get(Rectification, item_id).status == "open"
    closed = rectifications.close_item(engine, actor=admin, item_id=item_id, evidence="已补齐签到表", closed_on=raised)
    assert closed.status == "closed" and closed.closed_on == raised


def test_evaluators_put_on_by_hand_need_a_reason_and_every_row_says_where_it_came_from(engine):
    """A hand assignment without a reason is refused (the page offers a draw instead); with one it is kept on
    the row; the rows made before draws existed carry 导入; the database itself refuses a row with neither."""
    admin, person = actor_for(engine, "admin"), actor_for(engine, "evaluator")
    data = {"project_id": _fresh_project(engine), "template_id": _template_id(engine), "agency": "某评估中心",
            "due_on": clock.today() + timedelta(days=10), "evaluator_ids": [person.user_id]}
    with pytest.raises(DomainError) as err:
        evaluations.create_evaluation(engine, actor=admin, data={**data, "assign_reason": "  "})
    assert (err.value.code, err.value.field) == ("eval.error.hand_reason", "assign_reason")
    created = evaluations.create_evaluation(engine, actor=admin, data={**data, "evaluator_ids": []})
    with pytest.raises(DomainError) as err:
        evaluations.assign(engine, actor=admin, evaluation_id=created.id, evaluator_ids=[person.user_id])
    assert err.value.code == "eval.error.hand_reason"
    evaluations.assign(engine, actor=admin, evaluation_id=created.id, evaluator_ids=[person.user_id], reason=HAND)
    panel = evaluations.panel(engine, actor=admin, evaluation_id=created.id)
    assert list(panel["assigned_reason"]) == [HAND] and panel["draw_id"].isna().all()
    with reading(engine) as s:
        sources = dict(s.execute(select(Assignment.assigned_reason, func.count()).where(Assignment.draw_id.is_(None))
                                 .group_by(Assignment.assigned_reason)).all())
    assert set(sources) == {rules.IMPORTED_REASON, HAND} and sources[rules.IMPORTED_REASON] > 100
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(Assignment.__table__.update().where(Assignment.id == int(panel["id"].iloc[0]))
                     .values(assigned_reason=None))
