"""The supervisor pool and its draws: each kind of exclusion, a draw reproduced from its recorded seed and
candidates, the workload rule, a redraw that needs a reason and keeps the earlier draw, a draw for an evaluation
becoming its assignments, and who may do what."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from db import clock
from db.engine import reading
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AuditLog, OrgUnit
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Assignment, Evaluation, ScoreTemplate
from db.models.supervisors import Supervisor, SupervisorDraw
from db.scorecards import evaluations
from db.supervisors import draws, pool, rules
from db.users import actor_for
from db.validation import InvalidInput

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here


def _district(engine, code: str) -> int:
    with reading(engine) as s:
        return s.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def _jinjiang(engine) -> int:
    return _district(engine, "510104")


def _orgs(engine, n=2) -> list[int]:
    with reading(engine) as s:
        return list(s.execute(select(SocialOrg.id).where(SocialOrg.district_id == _jinjiang(engine),
                                                         SocialOrg.active == True)  # noqa: E712
                              .order_by(SocialOrg.id.desc()).limit(n)).scalars())


def _add(engine, admin, name, **fields) -> int:
    data = {"name": name, "kind": "person", "qualification": "中级社会工作师", "district_id": _jinjiang(engine),
            "qualified_until": clock.today() + timedelta(days=400), "specialties": ["disability"], **fields}
    return pool.create_supervisor(engine, actor=admin, data=data).id


def test_a_draw_leaves_out_each_kind_of_conflict_and_says_why(engine):
    """Same agency as the contractor, engaged by it within the conflict window, a declared conflict, an expired
    qualification, no matching specialty, deactivated: each recorded with its reason; an engagement that ended
    before the window does not count."""
    admin = actor_for(engine, "admin")
    contractor, other = _orgs(engine)
    years = rules.conflict_years()
    people = {
        "same_agency": _add(engine, admin, "测试甲", agency_org_id=contractor),
        "engaged": _add(engine, admin, "测试乙"),
        "declared": _add(engine, admin, "测试丙"),
        "expired": _add(engine, admin, "测试丁", qualified_until=clock.today() - timedelta(days=1)),
        "specialty": _add(engine, admin, "测试戊", specialties=["culture_sports"]),
        "inactive": _add(engine, admin, "测试己"),
        "long_ago": _add(engine, admin, "测试庚"),
        "other_org": _add(engine, admin, "测试辛", agency_org_id=other),
    }
    tie = {"org_id": contractor, "note": "为该机构做过项目督导"}
    pool.add_tie(engine, actor=admin, supervisor_id=people["engaged"],
                 data={**tie, "kind": "engaged", "ended_on": clock.today() - timedelta(days=365 * years - 30)})
    pool.add_tie(engine, actor=admin, supervisor_id=people["long_ago"],
                 data={**tie, "kind": "engaged", "ended_on": clock.today() - timedelta(days=365 * years + 30)})
    pool.add_tie(engine, actor=admin, supervisor_id=people["declared"], data={**tie, "kind": "declared"})
    pool.set_active(engine, actor=admin, supervisor_id=people["inactive"], active=False, reason="长期出国，暂停")
    drawn = draws.draw(engine, actor=admin, data={"purpose": "inspection", "org_id": contractor, "year": 2025,
                                                  "size": 1, "specialties": ["disability"]})
    reasons = dict(drawn.excluded)
    for reason in ("same_agency", "engaged", "declared", "expired", "specialty", "inactive"):
        assert reasons[people[reason]] == reason, reason
    candidates = dict(drawn.candidates)
    assert people["long_ago"] in candidates and people["other_org"] in candidates
    assert set(candidates).isdisjoint(reasons) and len(drawn.members) == 1 and drawn.members[0] in candidates
    assert set(drawn.names) >= set(people.values())


def test_a_draw_reproduces_from_its_recorded_seed_and_candidates_and_is_audited(engine, monkeypatch):
    admin = actor_for(engine, "admin")
    org = _orgs(engine, 1)[0]
    monkeypatch.setattr(rules, "new_seed", lambda: 20190723)
    drawn = draws.draw(engine, actor=admin, data={"purpose": "enforcement", "org_id": org, "reference": "测试执检1号",
                                                  "size": 3})
    assert drawn.seed == 20190723 and drawn.reproduces and len(drawn.members) == 3
    assert rules.draw_panel(drawn.candidates, 3, 20190723) == drawn.members  # anyone can redo it from the row
    assert drawn.specialties == list(rules.wanted_specialties("enforcement", drawn and _domain(engine, org)))
    with reading(engine) as s:
        logged = s.execute(select(AuditLog).where(AuditLog.action == "supervisor_draw",
                                                  AuditLog.entity_id == str(drawn.id))).scalar_one()
    after = json.loads(logged.after)
    assert logged.username == "admin" and after["seed"] == 20190723 and after["members"] == drawn.members
    assert [tuple(c) for c in after["candidates"]] == drawn.candidates and after["excluded"]
    # the same candidates and seed give the same panel; another seed, in general, another one
    assert rules.draw_panel(list(reversed(drawn.candidates)), 3, 20190723) == drawn.members
    assert any(rules.draw_panel(drawn.candidates, 3, seed) != drawn.members for seed in range(1, 20))


def _domain(engine, org_id):
    with reading(engine) as s:
        return s.get(SocialOrg, org_id).domain


@pytest.mark.unit
def test_the_least_loaded_tier_is_drawn_first_at_random_within_it():
    candidates = [(1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (6, 3)]
    panels = [rules.draw_panel(candidates, 4, seed) for seed in range(200)]
    assert all(set(p[:3]) == {1, 2, 3} and p[3] in (4, 5) for p in panels)  # the whole first tier, then the next
    assert {p[3] for p in panels} == {4, 5} and len({tuple(p) for p in panels}) > 6  # chance decides among equals
    assert all(6 not in rules.draw_panel(candidates, 5, seed) for seed in range(50))
    assert {rules.draw_panel(candidates, 1, seed)[0] for seed in range(60)} == {1, 2, 3}


def test_workload_counts_current_draws_of_the_last_twelve_months(engine):
    """A member of a draw carries one more engagement into the next draw's candidates; the least-loaded are
    drawn first."""
    admin = actor_for(engine, "admin")
    first_org, second_org = _orgs(engine)
    first = draws.draw(engine, actor=admin, data={"purpose": "inspection", "org_id": first_org, "year": 2024,
                                                  "size": 2, "specialties": ["audit"]})
    second = draws.draw(engine, actor=admin, data={"purpose": "inspection", "org_id": second_org, "year": 2024,
                                                   "size": 2, "specialties": ["audit"]})
    before, after = dict(first.candidates), dict(second.candidates)
    for member in first.members:
        if member in after:
            assert after[member] == before[member] + 1
    lowest = min(after.values())
    if sum(1 for load in after.values() if load == lowest) >= 2:
        assert all(after[m] == lowest for m in second.members)


def _fresh_evaluation(engine, admin) -> Evaluation:
    with reading(engine) as s:
        taken = select(Evaluation.project_id).where(Evaluation.round == "mid")
        project = s.execute(select(Project.id).where(Project.district_id == _jinjiang(engine),
                                                     Project.domain == "governance", Project.id.not_in(taken),
                                                     Project.stage != "terminated")
                            .order_by(Project.id)).scalars().first()
        template = s.execute(select(ScoreTemplate.id).where(ScoreTemplate.code == "mid-standard")
                             .order_by(ScoreTemplate.version.desc())).scalars().first()
    return evaluations.create_evaluation(engine, actor=admin, data={
        "project_id": project, "template_id": template, "agency": "成都市锦诚社会工作评估中心",
        "due_on": clock.today() + timedelta(days=30)})


def test_a_draw_for_an_evaluation_becomes_its_panel_and_a_redraw_needs_a_reason_and_keeps_the_first(engine):
    admin = actor_for(engine, "admin")
    created = _fresh_evaluation(engine, admin)
    hezq = actor_for(engine, "ry_hezq").user_id
    evaluations.assign(engine, actor=admin, evaluation_id=created.id, evaluator_ids=[hezq],
                       reason="项目需要财务专业评估员")
    drawn = draws.draw(engine, actor=admin, data={"purpose": "evaluation", "evaluation_id": created.id, "size": 2})
    reasons = dict(drawn.excluded)
    assert "no_account" in reasons.values() and "on_panel" in reasons.values()  # only accounts, none twice
    panel = evaluations.panel(engine, actor=admin, evaluation_id=created.id)
    assert sorted(panel.loc[panel["draw_id"] == drawn.id, "evaluator_id"]) == sorted(_accounts(engine, drawn.members))
    with pytest.raises(DomainError) as err:  # one current draw per evaluation: change it by a redraw
        draws.draw(engine, actor=admin, data={"purpose": "evaluation", "evaluation_id": created.id, "size": 2})
    assert err.value.code == "sup.error.draw_exists"
    with pytest.raises(InvalidInput) as err:
        draws.redraw(engine, actor=admin, draw_id=drawn.id, reason=" ")
    assert err.value.field == "reason"
    left_out = drawn.members[0]
    again = draws.redraw(engine, actor=admin, draw_id=drawn.id, reason="原抽中人员出差", set_aside=[left_out])
    assert again.replaces_id == drawn.id and again.reason == "原抽中人员出差" and left_out not in again.members
    assert dict(again.excluded)[left_out] == "set_aside"
    earlier = draws.get_draw(engine, actor=admin, draw_id=drawn.id)
    assert earlier.status == "superseded" and earlier.members == drawn.members and earlier.reproduces
    panel = evaluations.panel(engine, actor=admin, evaluation_id=created.id)
    assert set(panel["draw_id"].dropna()) == {again.id} and len(panel) == 3  # the hand one stays
    listed = draws.list_draws(engine, actor=admin, evaluation_id=created.id)
    assert list(listed["status"]) == ["current", "superseded"]
    with pytest.raises(DomainError) as err:
        draws.redraw(engine, actor=admin, draw_id=drawn.id, reason="再抽一次")
    assert err.value.code == "sup.error.superseded"
    # once a drawn evaluator has started scoring, the panel is no longer redrawn
    with engine.begin() as conn:
        conn.execute(update(Assignment).where(Assignment.draw_id == again.id).values(status="draft"))
    with pytest.raises(DomainError) as err:
        draws.redraw(engine, actor=admin, draw_id=again.id, reason="再抽一次")
    assert err.value.code == "eval.error.assignment_started"
    assert draws.get_draw(engine, actor=admin, draw_id=again.id).status == "current"


def _accounts(engine, supervisor_ids):
    with reading(engine) as s:
        return list(s.execute(select(Supervisor.user_id).where(Supervisor.id.in_(supervisor_ids))).scalars())


def test_too_few_candidates_is_refused_and_writes_nothing(refusing_engine):
    admin = actor_for(refusing_engine, "admin")
    org = _orgs(refusing_engine, 1)[0]
    with pytest.raises(DomainError) as err:
        draws.draw(refusing_engine, actor=admin, data={"purpose": "inspection", "org_id": org, "year": 2025,
                                                       "size": rules.MAX_PANEL, "specialties": ["disability"]})
    assert (err.value.code, err.value.field) == ("sup.error.too_few", "size") and err.value.params["found"] < 15
    with pytest.raises(InvalidInput) as err:
        draws.draw(refusing_engine, actor=admin, data={"purpose": "inspection", "org_id": org, "size": 2})
    assert err.value.field == "year"


def test_leaders_read_the_pool_but_never_write_and_the_record_shows(refusing_engine):
    leader, street = actor_for(refusing_engine, "leader"), actor_for(refusing_engine, "street")
    listed = pool.pool(refusing_engine, actor=leader)
    assert 50 <= len(listed) <= 60 and listed["active"].all()
    with pytest.raises(PermissionDenied):
        _add(refusing_engine, leader, "越权添加")
    with pytest.raises(PermissionDenied):
        pool.pool(refusing_engine, actor=street)
    with pytest.raises(InvalidInput) as err:
        _add(refusing_engine, actor_for(refusing_engine, "admin"), "无专长", specialties=[])
    assert err.value.field == "specialties"
    record = pool.record(refusing_engine, actor=leader).set_index("id")
    hezq = int(listed.loc[listed["username"] == "ry_hezq", "id"].iloc[0])
    assert record.loc[hezq, "mean_deviation"] > 3  # the demo's lenient evaluator, from calibration
    assert record["engagements"].sum() > 20 and record["due"].sum() > 0
    assert 0 <= record["on_time_rate"].dropna().min() and record["on_time_rate"].dropna().max() <= 1
    with reading(refusing_engine) as s:
        draw_id = s.execute(select(func.min(SupervisorDraw.id))).scalar_one()
    assert draws.get_draw(refusing_engine, actor=leader, draw_id=draw_id).reproduces  # the demo's too
    lvyuan_leader = replace(leader, scope_id=_district(refusing_engine, "220106"), scope_name="绿园区")
    with pytest.raises(NotFound):
        draws.get_draw(refusing_engine, actor=lvyuan_leader, draw_id=draw_id)
