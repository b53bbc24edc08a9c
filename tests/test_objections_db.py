"""Objections during 公示 at the db layer: the window, the limits per number and per case, one answer, voiding a
case's result recomputes and republishes the ranking, role and scope, the audit, and no number kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import clock, users
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.models import AuditLog
from db.models.reminders import Notification
from db.models.voting import Campaign, Objection
from db.reminders import daily
from db.voting import codes as vote_codes
from db.voting import objections, rules
from db.voting import public as vote_public
from db.voting import results as vote_results
from factories.records import admin_actor, make_campaign, objection_ticket, published_campaign

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here


def published(engine, cases=12):
    return published_campaign(engine, cases=cases)


objector = objection_ticket

GROUNDS = "该案例申报材料中的服务人数与实际不符。\n<b>不是HTML</b> [链接](https://x.cn)"


def test_the_notice_window_is_publication_through_its_last_day():
    day = clock.today()
    assert rules.notice_running("published", day, day)
    assert not rules.notice_running("published", day - timedelta(days=1), day)
    assert not rules.notice_running("closed", day + timedelta(days=3), day)
    with pytest.raises(DomainError) as err:
        rules.require_notice_running("closed", None, day)
    assert err.value.code == "obj.error.notice_closed"


def test_objections_are_filed_within_the_limits_and_answered_once(engine, monkeypatch):
    monkeypatch.setenv("VOTE_OBJECTIONS_PER_PERSON", "2")
    campaign_id, ids = published(engine)
    ticket = objector(engine, campaign_id, "13900139011")
    receipt = objections.file_objection(engine, ticket=ticket, data={"case_id": ids[0], "grounds": GROUNDS})
    assert receipt.left == 1
    for data, code in (({"case_id": ids[0], "grounds": "再次对同一案例提出异议理由"}, "obj.error.already_objected"),
                       ({"case_id": ids[11], "grounds": GROUNDS}, "obj.error.not_winner"),  # ranked 12th
                       ({"case_id": ids[1], "grounds": "太短"}, "rule.min_length")):
        with pytest.raises(DomainError) as err:
            objections.file_objection(engine, ticket=ticket, data=data)
        assert err.value.code == code
    assert objections.file_objection(engine, ticket=ticket, data={"case_id": ids[1], "grounds": GROUNDS}).left == 0
    with pytest.raises(DomainError) as err:
        objections.file_objection(engine, ticket=ticket, data={"case_id": ids[2], "grounds": GROUNDS})
    assert err.value.code == "obj.error.limit" and err.value.params == {"limit": 2}
    with pytest.raises(DomainError) as err:
        objections.file_objection(engine, ticket="not-a-ticket", data={"case_id": ids[2], "grounds": GROUNDS})
    assert err.value.code == "vote.error.session_expired"

    # stored as typed, under the voter key, never the number
    with reading(engine) as s:
        rows = s.execute(select(Objection).where(Objection.campaign_id == campaign_id)
                         .order_by(Objection.id)).scalars().all()
        assert [r.grounds for r in rows] == [GROUNDS, GROUNDS] and [r.slot for r in rows] == [1, 2]
        assert rows[0].objector_key == vote_codes.voter_key("+8613900139011")
        first = rows[0].id
    assert objections.public_objections(engine, campaign_id)["answered"].empty  # nothing published unanswered

    admin, leader = admin_actor(engine), users.actor_for(engine, "leader")
    # the admins' inbox: the campaign's objections awaiting an answer, once per newest objection
    daily.make(engine)
    assert daily.make(engine) == 0
    with reading(engine) as s:
        told = s.execute(select(Notification.user_id, Notification.params).where(
            Notification.kind == "objections_pending", Notification.entity_id == campaign_id)).all()
    assert admin.user_id in [u for u, _ in told] and all('"n": 2' in p for _, p in told)
    answer = {"decision": "dismissed", "answer": "经核查，服务人数有台账和签到记录为证，异议不成立。"}
    with pytest.raises(PermissionDenied):
        objections.answer_objection(engine, actor=leader, objection_id=first, data=answer)
    with pytest.raises(DomainError) as err:
        objections.answer_objection(engine, actor=admin, objection_id=first,
                                    data={**answer, "void_case": True, "void_reason": "材料不实"})
    assert err.value.code == "obj.error.void_needs_upheld" and err.value.field == "void_case"
    assert objections.answer_objection(engine, actor=admin, objection_id=first, data=answer)["voided"] is False
    with pytest.raises(DomainError) as err:
        objections.answer_objection(engine, actor=admin, objection_id=first,
                                    data={"decision": "upheld", "answer": "改变主意，异议成立，理由如下。"})
    assert err.value.code == "obj.error.answered"
    shown = objections.public_objections(engine, campaign_id)["answered"]
    assert shown["id"].tolist() == [first] and shown["decision"].tolist() == ["dismissed"]
    assert shown["grounds"].tolist() == [GROUNDS]
    staff = objections.list_objections(engine, actor=leader, campaign_id=campaign_id)
    assert staff["state"].tolist() == ["dismissed", "pending"]
    assert objections.pending_counts(engine, actor=admin).get(campaign_id) == 1
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action, AuditLog.username).where(
            AuditLog.entity == "vote_objection").order_by(AuditLog.id)).all()
    assert [tuple(a) for a in actions][-3:] == [("vote_objection_file", "public"), ("vote_objection_file", "public"),
                                                ("vote_objection_answer", "admin")]


def test_an_upheld_objection_voids_the_case_and_the_ranking_is_republished(engine):
    campaign_id, ids = published(engine)
    admin = admin_actor(engine)
    before = vote_public.public_results(engine, campaign_id)
    assert before.loc[before["winner"], "title"].tolist() == [f"案例{i}" for i in range(10)]
    ticket = objector(engine, campaign_id, "13900139022")
    receipt = objections.file_objection(engine, ticket=ticket, data={"case_id": ids[0], "grounds": GROUNDS})
    # the notice is a week old tomorrow: the new publication starts a new one
    clock.set_now(clock.utcnow() + timedelta(days=2))
    with pytest.raises(DomainError) as err:
        objections.answer_objection(engine, actor=admin, objection_id=receipt.objection_id,
                                    data={"decision": "upheld", "answer": "经核查材料不实，异议成立。", "void_case": True})
    assert err.value.code == "obj.error.void_reason" and err.value.field == "void_reason"
    result = objections.answer_objection(engine, actor=admin, objection_id=receipt.objection_id, data={
        "decision": "upheld", "answer": "经核查材料不实，异议成立。", "void_case": True, "void_reason": "申报材料不实"})
    assert result["voided"] and result["winners"] == [f"案例{i}" for i in range(1, 11)]
    after = vote_public.public_results(engine, campaign_id)
    assert after["title"].tolist() == [f"案例{i}" for i in range(1, 12)]  # 案例0 has left the ranking
    assert after["rank"].tolist() == list(range(1, 12)) and after["winner"].sum() == 10
    assert "案例0" not in vote_results.ranking(engine, actor=admin, campaign_id=campaign_id)["title"].tolist()
    with reading(engine) as s:
        notice_until = s.get(Campaign, campaign_id).notice_until
        audit_rows = s.execute(select(func.count()).where(AuditLog.action.in_(("vote_case_void", "vote_republish")),
                                                           AuditLog.entity_id.in_((str(ids[0]), str(campaign_id))))
                               ).scalar_one()
    assert notice_until == clock.today() + timedelta(days=7) and audit_rows == 2
    published_view = objections.public_objections(engine, campaign_id)
    assert published_view["voided"]["title"].tolist() == ["案例0"]
    assert published_view["answered"]["voided_case"].tolist() == [True]
    # the voided case takes no more objections; the newly selected one does
    other = objector(engine, campaign_id, "13900139033")
    with pytest.raises(DomainError) as err:
        objections.file_objection(engine, ticket=other, data={"case_id": ids[0], "grounds": GROUNDS})
    assert err.value.code == "obj.error.not_winner"
    objections.file_objection(engine, ticket=other, data={"case_id": ids[10], "grounds": GROUNDS})


def test_no_code_and_no_objection_outside_the_notice(engine):
    campaign_id, ids = published(engine, cases=3)
    ticket = objector(engine, campaign_id, "13900139044")
    with reading(engine) as s:
        last_day = s.get(Campaign, campaign_id).notice_until
    clock.set_now(clock.local_day_start(last_day + timedelta(days=1)) + timedelta(minutes=1))
    with pytest.raises(DomainError) as err:
        objections.request_code(engine, campaign_id=campaign_id, phone="13900139055", client_address=None)
    assert err.value.code == "obj.error.notice_closed"
    open_id, open_ids = make_campaign(engine, cases=2)  # open for voting: no notice yet
    with pytest.raises(DomainError) as err:
        objections.request_code(engine, campaign_id=open_id, phone="13900139066", client_address=None)
    assert err.value.code == "obj.error.notice_closed"
    # a ticket still alive does not stretch the notice (verified at 23:59 of its last day, sent a minute later)
    clock.set_now(clock.local_day_start(last_day + timedelta(days=1)) - timedelta(minutes=1))
    late = objector(engine, campaign_id, "13900139077")
    clock.set_now(clock.utcnow() + timedelta(minutes=2))
    for t in (ticket, late):
        with pytest.raises(DomainError) as err:
            objections.file_objection(engine, ticket=t, data={"case_id": ids[0], "grounds": GROUNDS})
        assert err.value.code in ("obj.error.notice_closed", "vote.error.session_expired")
    with pytest.raises(DomainError) as err:
        objections.file_objection(engine, ticket=late, data={"case_id": ids[0], "grounds": GROUNDS})
    assert err.value.code == "obj.error.notice_closed"
