"""微创投 rounds in the db layer, on the seeded demo (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set): a round
from its pool (a community fund's grant out of its ledger, the district special fund) through applications checked
for eligibility, cap and co-funding, a review on the scorecard area's own evaluations, assignments and conflict
declarations, the decision, the agreement, payments from the pool, activities and closing reports; every write
audited; the pool never below zero, also when eight threads pay from it at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from db import clock, users
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.funds import reads, reviews, round_reads, rounds, rules
from db.funds import reminders as funds_reminders
from db.models import AuditLog, OrgUnit
from db.models.funds import CommunityFund, FundEntry, GrantApplication, GrantRound
from db.models.pipeline import SocialOrg
from db.models.scorecards import Assignment, Evaluation, ScoreTemplate
from db.scorecards import entry, evaluations
from db.scorecards.templates import get_template
from factories.records import community_id, district_id

pytestmark = pytest.mark.db


def _refused(call, code: str, field: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code == code, err.value
    if field is not None:
        assert err.value.field == field, err.value
    return err.value


def _day(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def _round(engine, admin, **extra) -> int:
    data = {"name": "锦江区社区微创投（测试）", "unit_id": district_id(engine), "opens_on": _day(-30),
            "closes_on": _day(-1), "cap": 20_000, "cofund_pct": 20, "registrations": ["registered", "filed"],
            "org_kinds": ["community"], **extra}
    return rounds.create_round(engine, actor=admin, data=data).id


def _community_org(engine, **where) -> SocialOrg:
    with reading(engine) as s:
        return s.execute(select(SocialOrg).where(SocialOrg.district_id == district_id(engine), SocialOrg.active,
                                                 *[getattr(SocialOrg, k) == v for k, v in where.items()])
                         .order_by(SocialOrg.id)).scalars().first()


def _apply(engine, actor, round_id, org_id, **extra):
    data = {"org_id": org_id, "title": "楼道垃圾分类督导", "theme": "waste_sorting", "unit_id": community_id(engine),
            "budget": 20_000, "requested": 15_000, "submitted_on": _day(-10), **extra}
    return rounds.submit_application(engine, actor=actor, round_id=round_id, data=data)


def _fund_with_money(engine) -> CommunityFund:
    with reading(engine) as s:
        return s.execute(select(CommunityFund).where(CommunityFund.district_id == district_id(engine))
                         .order_by(CommunityFund.balance.desc())).scalars().first()


def _actions(engine, n: int) -> list[str]:
    with reading(engine) as s:
        return s.execute(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(n)).scalars().all()[::-1]


def test_a_round_from_pool_to_closing_report_on_the_scorecard_machinery(engine):
    admin, street = users.actor_for(engine, "admin"), users.actor_for(engine, "street")
    community, evaluator = users.actor_for(engine, "community"), users.actor_for(engine, "evaluator")
    round_id = _round(engine, admin)
    fund = _fund_with_money(engine)
    # the pool: 10,000 from a community fund (a grant out of its ledger) and 40,000 from the special fund
    source = rounds.add_source(engine, actor=admin, round_id=round_id,
                               data={"kind": "fund", "fund_id": fund.id, "amount": 10_000, "added_on": _day(-20)})
    with reading(engine) as s:
        assert s.get(CommunityFund, fund.id).balance == fund.balance - 10_000
        out = s.execute(select(FundEntry).where(FundEntry.fund_id == fund.id).order_by(FundEntry.id.desc())).scalar()
        assert (out.kind, out.amount, out.purpose) == ("grant", 10_000, "微创投资金池：锦江区社区微创投（测试）")
    assert source.pool_balance == 10_000
    _refused(lambda: rounds.add_source(engine, actor=admin, round_id=round_id, data={
        "kind": "fund", "fund_id": fund.id, "amount": fund.balance, "added_on": _day(-20)}),
        "fund.error.insufficient", "amount")
    rounds.add_source(engine, actor=admin, round_id=round_id, data={"kind": "special", "amount": 40_000,
                                                                    "added_on": _day(-20)})
    # applications, entered by street staff for their street: eligibility, cap, co-funding, window
    org = _community_org(engine, kind="community")
    other = _community_org(engine, kind="private_non_enterprise")
    _refused(lambda: _apply(engine, street, round_id, other.id), "mg.error.org_kind", "org_id")
    _refused(lambda: _apply(engine, street, round_id, org.id, budget=30_000, requested=25_000), "mg.error.over_cap",
             "requested")
    _refused(lambda: _apply(engine, street, round_id, org.id, requested=17_000), "mg.error.cofund", "requested")
    _refused(lambda: _apply(engine, street, round_id, org.id, submitted_on=_day(-31)), "mg.error.outside_window",
             "submitted_on")
    outside = community_id(engine, "510104002001")
    with pytest.raises(PermissionDenied):
        _apply(engine, street, round_id, org.id, unit_id=outside)
    with pytest.raises(PermissionDenied):
        _apply(engine, community, round_id, org.id)
    first = _apply(engine, street, round_id, org.id).id
    second = _apply(engine, street, round_id, org.id, title="独居老人智能手环", theme="smart_elderly").id
    # the review: an evaluation of the application, its panel on the scorecard area's rules
    with reading(engine) as s:
        template_id = s.execute(select(ScoreTemplate.id).where(ScoreTemplate.round == "pre")
                                .order_by(ScoreTemplate.version.desc())).scalars().first()
    review = {"template_id": template_id, "agency": "成都市社会工作服务评估中心", "due_on": _day(7),
              "evaluator_ids": [evaluator.user_id], "assign_reason": "微创投评审专家"}
    _refused(lambda: reviews.start_review(engine, actor=admin, application_id=first,
                                          data={**review, "assign_reason": None}), "eval.error.hand_reason")
    evaluation_id = reviews.start_review(engine, actor=admin, application_id=first, data=review).id
    reviews.start_review(engine, actor=admin, application_id=second, data=review)
    mine = entry.my_assignments(engine, actor=evaluator)
    row = mine[mine["evaluation_id"] == evaluation_id].iloc[0]
    assert (row["project_title"], row["status"]) == ("楼道垃圾分类督导", "not_started")
    assignment_id = int(row["id"])
    _refused(lambda: rounds.decide(engine, actor=admin, application_id=first, data={"decision": "funded"}),
             "mg.error.review_open", "decision")
    scorecard = entry.get_scorecard(engine, actor=evaluator, assignment_id=assignment_id)
    assert scorecard.project_code.startswith("WCT")
    _refused(lambda: entry.save_scores(engine, actor=evaluator, assignment_id=assignment_id, scores={}),
             "eval.error.declare_first")
    entry.declare(engine, actor=evaluator, assignment_id=assignment_id, conflict=False)
    template = get_template(engine, actor=admin, template_id=template_id)
    entry.save_scores(engine, actor=evaluator, assignment_id=assignment_id, submit=True,
                      scores={i.id: i.max_points for i in template.indicators})
    panel = evaluations.panel(engine, actor=admin, evaluation_id=evaluation_id)
    assert panel["status"].tolist() == ["submitted"] and panel["total"].tolist() == [100.0]
    # a conflict recuses, as on any panel
    second_assignment = int(entry.my_assignments(engine, actor=evaluator).query("project_title == '独居老人智能手环'")
                            ["id"].iloc[0])
    entry.declare(engine, actor=evaluator, assignment_id=second_assignment, conflict=True, note="申报机构为本人亲属所在单位")
    # decisions
    _refused(lambda: rounds.decide(engine, actor=admin, application_id=first,
                                   data={"decision": "funded", "awarded": 15_001}), "mg.error.award", "awarded")
    rounds.decide(engine, actor=admin, application_id=first, data={"decision": "funded", "awarded": 12_000})
    _refused(lambda: rounds.decide(engine, actor=admin, application_id=second, data={"decision": "not_funded"}),
             "mg.error.review_open", "decision")  # recused, nobody scored it: not complete
    # agreement and payments
    _refused(lambda: rounds.disburse(engine, actor=admin, application_id=first,
                                     data={"amount": 1_000, "paid_on": _day(0)}), "mg.error.no_agreement", "amount")
    rounds.sign_agreement(engine, actor=admin, application_id=first, data={"agreement_no": "JJWCT-2026-001",
                                                                           "agreement_on": _day(0)})
    paid = rounds.disburse(engine, actor=admin, application_id=first, data={"amount": 8_000, "paid_on": _day(0)})
    assert (paid.pool_balance, paid.disbursed) == (42_000, 8_000)
    _refused(lambda: rounds.disburse(engine, actor=admin, application_id=first,
                                     data={"amount": 4_001, "paid_on": _day(0)}), "mg.error.over_award", "amount")
    # activities by community staff of the project's community; the closing report by street staff
    rounds.report_activity(engine, actor=community, application_id=first, data={
        "held_on": _day(0), "place": "紫荆社区活动室", "participants": 35, "people_served": 120, "problems_solved": 3,
        "problems": "楼道堆物清理"})
    _refused(lambda: rounds.report_activity(engine, actor=community, application_id=first, data={
        "held_on": _day(-5), "place": "紫荆社区", "participants": 1, "people_served": 1, "problems_solved": 0}),
        "mg.error.before_agreement", "held_on")
    _refused(lambda: rounds.close_round(engine, actor=admin, round_id=round_id,
                                        data={"closing_report": "本轮微创投已全部完成评审与资助。"}),
             "mg.error.undecided", "closing_report")
    rounds.close_project(engine, actor=street, application_id=first, data={"closing_report": "完成楼道督导十二次，居民满意。"})
    # the figures, and every write in the audit log
    figures = round_reads.get_round(engine, actor=admin, round_id=round_id)
    assert {k: figures[k] for k in ("pool", "pool_balance", "applications", "funded", "awarded", "disbursed",
                                     "activities", "people_served", "problems_solved", "state")} == {
        "pool": 50_000, "pool_balance": 42_000, "applications": 2, "funded": 1, "awarded": 12_000,
        "disbursed": 8_000, "activities": 1, "people_served": 120, "problems_solved": 3, "state": "reviewing"}
    apps = round_reads.applications(engine, actor=admin, round_id=round_id)
    assert apps.set_index("id").loc[first, "result"] == 100.0
    assert _actions(engine, 6) == ["coi_conflict", "mg_decide", "mg_agreement", "mg_disburse", "mg_activity",
                                   "mg_project_close"]
    # a leader reads, never writes; another district's staff do not see the round
    leader = users.actor_for(engine, "leader")
    assert len(round_reads.list_rounds(engine, actor=leader)) >= 1
    with pytest.raises(PermissionDenied):
        rounds.add_source(engine, actor=leader, round_id=round_id, data={"kind": "special", "amount": 1,
                                                                         "added_on": _day(0)})


def test_eight_threads_paying_at_once_never_take_the_pool_below_zero(engine):
    admin = users.actor_for(engine, "admin")
    round_id = _round(engine, admin)
    rounds.add_source(engine, actor=admin, round_id=round_id, data={"kind": "special", "amount": 300,
                                                                    "added_on": _day(-20)})
    org = _community_org(engine, kind="community")
    app_id = _apply(engine, admin, round_id, org.id, budget=1_000, requested=480).id
    with transaction(engine) as s:  # an award beyond the pool (decide would refuse it) to let the pool's guard bite
        s.execute(update(GrantApplication).where(GrantApplication.id == app_id).values(
            status=rules.FUNDED, awarded=480, decided_on=clock.today(), agreement_no="T-1", agreement_on=clock.today()))
    barrier, results = threading.Barrier(8), [None] * 8

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = rounds.disburse(engine, actor=admin, application_id=app_id,
                                             data={"amount": 60, "paid_on": _day(0)}).pool_balance
        except DomainError as err:
            results[index] = err.code

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r for r in results if isinstance(r, int)) == [0, 60, 120, 180, 240]
    assert results.count("mg.error.pool_insufficient") == 3
    with reading(engine) as s:
        assert s.execute(select(GrantRound.pool_balance).where(GrantRound.id == round_id)).scalar_one() == 0
        assert s.get(GrantApplication, app_id).disbursed == 300
        assert s.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "mg_disburse")
                         ).scalar_one() == 5
    with pytest.raises(Exception):  # and the database itself refuses, whoever writes
        with transaction(engine) as s:
            s.execute(update(GrantRound).where(GrantRound.id == round_id).values(pool_balance=-1))


def test_rounds_refuse_bad_input_and_roles_in_the_db_layer(refusing_engine):
    engine = refusing_engine
    admin, street = users.actor_for(engine, "admin"), users.actor_for(engine, "street")
    good = {"name": "测试微创投", "unit_id": district_id(engine), "opens_on": _day(-30), "closes_on": _day(-1),
            "cap": 20_000, "cofund_pct": 20, "registrations": ["filed"], "org_kinds": ["community"]}
    with pytest.raises(PermissionDenied):
        rounds.create_round(engine, actor=street, data=good)
    for field, value, code in (("closes_on", _day(-31), "mg.error.window"), ("cap", 0, "rule.gt"),
                               ("cofund_pct", 95, "rule.le"), ("registrations", [], "rule.required"),
                               ("org_kinds", ["alien"], "rule.choice"), ("name", "短", "rule.min_length")):
        _refused(lambda: rounds.create_round(engine, actor=admin, data={**good, field: value}), code, field)
    with reading(engine) as s:
        grid = s.execute(select(OrgUnit.id).where(OrgUnit.level == "community")).scalars().first()
    _refused(lambda: rounds.create_round(engine, actor=admin, data={**good, "unit_id": grid}), "mg.error.round_unit",
             "unit_id")
    with pytest.raises(NotFound):
        rounds.disburse(engine, actor=admin, application_id=2**31, data={"amount": 1, "paid_on": _day(0)})


def test_the_co_funding_rule_is_exact_in_whole_yuan():
    assert rules.cofunded_enough(10_000, 8_000, 20) and not rules.cofunded_enough(10_000, 8_001, 20)
    assert rules.cofunded_enough(3, 3, 0) and rules.round_state(*[clock.today()] * 2, None, clock.today()) == "open"


def test_the_demo_reproduces_seed_003_in_panyu(refusing_engine):
    """番禺区: 160 community funds raising 800万元; the 115万元 round over three streets with 112 applications, 71
    funded, 196 activities by September, each application reviewed on a scorecard; the 番禺 account sees 番禺 alone."""
    engine = refusing_engine
    panyu = users.actor_for(engine, "panyu")
    figures = reads.summary(engine, actor=panyu)
    assert (figures.funds, figures.raised) == (160, 8_000_000)
    # granted: the round's pool and the 57 projects of the 五社联动 demo (seed_data/panyu_linkage.py)
    assert figures.granted == 1_150_000 + 1_140_000 and figures.balance == 8_000_000 - figures.granted
    (row,) = round_reads.list_rounds(engine, actor=panyu).to_dict("records")
    assert (row["pool"], row["applications"], row["funded"], row["activities"]) == (1_150_000, 112, 71, 196)
    assert 0 <= row["pool_balance"] < row["pool"] and row["awarded"] <= row["pool"]
    apps = round_reads.applications(engine, actor=panyu, round_id=row["id"])
    assert apps["review_status"].eq("completed").all() and apps["result"].notna().all()
    funded, refused = (apps.loc[apps["status"] == s, "result"] for s in ("funded", "not_funded"))
    assert funded.min() > refused.max()
    assert apps["street"].nunique() == 3 and (apps["disbursed"] <= apps["awarded"]).all()
    acts = round_reads.activities(engine, actor=panyu, round_id=row["id"])
    assert acts["held_on"].max().month <= 9
    assert round_reads.list_rounds(engine, actor=users.actor_for(engine, "leader")).empty  # 锦江区's leader


def test_open_review_scorecards_remind_their_evaluator(engine):
    """A review scorecard still open, due in two days: its evaluator is reminded (review_due); past due: review_overdue;
    a submitted one, or one of a project evaluation, is not this source's."""
    today = clock.today()
    assert funds_reminders.review_assignments(engine, today) == []  # the demo's reviews are all submitted
    with transaction(engine) as s:
        evaluation_id, assignment_id = s.execute(
            select(Evaluation.id, Assignment.id).join(Assignment, Assignment.evaluation_id == Evaluation.id)
            .where(Evaluation.application_id.is_not(None)).order_by(Evaluation.id)).first()
        s.execute(update(Evaluation).where(Evaluation.id == evaluation_id).values(
            status="open", due_on=today + timedelta(days=2)))
        s.execute(update(Assignment).where(Assignment.id == assignment_id).values(status="draft"))
    (due,) = funds_reminders.review_assignments(engine, today)
    assert (due.kind, due.entity, due.entity_id) == ("review_due", "assignment", assignment_id)
    assert due.user_id == users.actor_for(engine, "panyu_evaluator").user_id and due.params["app"].startswith("WCT")
    assert [d.kind for d in funds_reminders.review_assignments(engine, today + timedelta(days=3))] == ["review_overdue"]
    assert funds_reminders.review_assignments(engine, today - timedelta(days=2)) == []  # not yet within REMIND_DAYS
