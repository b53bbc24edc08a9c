"""社区基金 in the db layer, on the seeded demo (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set): admins found
funds within their scope; staff record donations, grants and reversals for the funds of their scope; the ledger is
never edited, each entry audited in its own transaction; the balance never goes below zero, also when eight
threads race for the same money; the sums (raised, granted, balance, by donor kind, by month) net out reversals."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from db import clock, users
from db.access import Actor
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.funds import funds, ledger, reads, rules
from db.models import AuditLog, OrgUnit
from db.models.community import CommunityProject
from db.models.funds import CommunityFund, FundEntry
from factories.records import community_id, count_rows

ZIJING = "510104001001"


def _refused(call, code: str, field: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code == code, err.value
    if field is not None:
        assert err.value.field == field, err.value
    return err.value


def _fund_of(engine, code: str = ZIJING) -> CommunityFund:
    with reading(engine) as s:
        return s.execute(select(CommunityFund).where(CommunityFund.unit_id == community_id(engine, code))).scalar_one()


def _empty_fund(engine, code: str = "510104001002") -> int:
    """A fresh fund, founded a year ago, with nothing in it (its unit's demo fund, if any, taken over)."""
    admin = users.actor_for(engine, "admin")
    unit = community_id(engine, code)
    with transaction(engine) as s:
        existing = s.execute(select(CommunityFund.id).where(CommunityFund.unit_id == unit)).scalar_one_or_none()
    if existing is not None:
        return _drained(engine, existing)
    founded = (clock.today() - timedelta(days=365)).isoformat()
    return funds.create_fund(engine, actor=admin, data={"unit_id": unit, "name": "测试基金", "founded_on": founded,
                                                        "custodian": "成都市慈善总会"}).id


def _drained(engine, fund_id: int) -> int:
    with transaction(engine) as s:  # a test's own starting point: the demo's entries moved off this fund
        s.execute(update(CommunityFund).where(CommunityFund.id == fund_id).values(balance=0))
    return fund_id


def _donate(engine, actor, fund_id, amount=100, **extra):
    data = {"amount": amount, "entry_on": clock.today().isoformat(), "donor_kind": "resident", **extra}
    return ledger.record_donation(engine, actor=actor, fund_id=fund_id, data=data)


def _grant(engine, actor, fund_id, amount, **extra):
    data = {"amount": amount, "entry_on": clock.today().isoformat(), "purpose": "困难家庭节日慰问", **extra}
    return ledger.record_grant(engine, actor=actor, fund_id=fund_id, data=data)


def _balance(engine, fund_id: int) -> int:
    with reading(engine) as s:
        return s.execute(select(CommunityFund.balance).where(CommunityFund.id == fund_id)).scalar_one()


# --- rules, without a database ----------------------------------------------------------------------

def test_a_reversal_nets_out_on_its_side():
    for side, amount in ((rules.IN, 500), (rules.OUT, 300)):
        reversal = rules.reversal_amount(amount)
        assert rules.balance_change(side, amount) + rules.balance_change(side, reversal) == 0
    assert rules.balance_change(rules.OUT, 300) == -300 and rules.month_of(date(2026, 1, 31)) == "2026-01"


# --- writes -----------------------------------------------------------------------------------------

def test_staff_record_the_ledger_of_their_scope_audited_entry_by_entry(engine):
    community = users.actor_for(engine, "community")
    fund_id = _fund_of(engine).id
    start = _balance(engine, fund_id)
    audits = count_rows(engine, AuditLog)
    gift = _donate(engine, community, fund_id, "1,200", donor_name="王芳")
    assert (gift.amount, gift.balance) == (1200, start + 1200)
    anonymous = _donate(engine, community, fund_id, 800, donor_name="李强", anonymous=True, donor_kind="enterprise")
    with reading(engine) as s:
        assert s.get(FundEntry, anonymous.id).donor_name is None  # anonymous wins over a typed name
        project = s.execute(select(CommunityProject.id)
                            .where(CommunityProject.community_id == _fund_of(engine).community_id)).scalars().first()
    grant = _grant(engine, community, fund_id, 500, project_id=project, purpose=None)
    assert grant.balance == start + 1500
    back = ledger.reverse(engine, actor=community, data={"entry_id": grant.id, "reason": "金额录入错误"})
    assert (back.side, back.amount, back.balance) == ("out", -500, start + 2000)
    assert count_rows(engine, AuditLog) == audits + 4
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(4)).scalars().all()
    assert actions == ["fund_reversal", "fund_grant", "fund_donation", "fund_donation"]
    _refused(lambda: ledger.reverse(engine, actor=community, data={"entry_id": grant.id, "reason": "再冲一次"}),
             "fund.error.already_reversed", "entry_id")
    _refused(lambda: ledger.reverse(engine, actor=community, data={"entry_id": back.id, "reason": "冲正的冲正"}),
             "fund.error.reverse_reversal", "entry_id")
    # the sums agree with the balance column, reversals netted out
    figures = reads.summary(engine, actor=community, fund_id=fund_id)
    assert figures.raised - figures.granted == figures.balance == _balance(engine, fund_id)
    ledger_rows = reads.ledger(engine, actor=community, fund_id=fund_id)
    assert int(ledger_rows.loc[ledger_rows["id"] == grant.id, "reversed_by"].iloc[0]) == back.id


def test_the_balance_never_goes_below_zero_and_nothing_is_half_written(engine):
    admin = users.actor_for(engine, "admin")
    fund_id = _empty_fund(engine)
    gift = _donate(engine, admin, fund_id, 300)
    entries, audits = count_rows(engine, FundEntry), count_rows(engine, AuditLog)
    err = _refused(lambda: _grant(engine, admin, fund_id, 301), "fund.error.insufficient", "amount")
    assert err.params == {"amount": "301", "balance": "300"}
    _grant(engine, admin, fund_id, 200)
    # the donation cannot be taken back now: 200 of it was granted
    _refused(lambda: ledger.reverse(engine, actor=admin, data={"entry_id": gift.id, "reason": "捐赠人撤回"}),
             "fund.error.insufficient", "amount")
    assert (count_rows(engine, FundEntry), count_rows(engine, AuditLog)) == (entries + 1, audits + 1)
    with pytest.raises(Exception):  # and the database itself refuses, whoever writes
        with transaction(engine) as s:
            s.execute(update(CommunityFund).where(CommunityFund.id == fund_id).values(balance=-1))
    assert _balance(engine, fund_id) == 100


def test_eight_threads_granting_at_once_spend_exactly_the_balance(engine):
    admin = users.actor_for(engine, "admin")
    fund_id = _empty_fund(engine)
    _donate(engine, admin, fund_id, 300)
    barrier, results = threading.Barrier(8), [None] * 8

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = _grant(engine, admin, fund_id, 60).balance
        except DomainError as err:
            results[index] = err.code

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    granted = sorted(r for r in results if isinstance(r, int))
    assert granted == [0, 60, 120, 180, 240]  # each success saw the one before it
    assert results.count("fund.error.insufficient") == 3
    assert _balance(engine, fund_id) == 0
    with reading(engine) as s:
        assert s.execute(select(func.count()).where(FundEntry.fund_id == fund_id, FundEntry.kind == "grant")
                         ).scalar_one() == 5
        assert s.execute(select(func.count()).select_from(AuditLog)
                         .where(AuditLog.action == "fund_grant", AuditLog.username == "admin")).scalar_one() == 5


BAD = [("amount", 0, "rule.gt"), ("amount", "12.5", "rule.whole_yuan"), ("amount", 10_000_000_001, "rule.money_max"),
       ("amount", "很多", "rule.number"), ("donor_kind", "alien", "rule.choice"), ("entry_on", "2026-02-30", "rule.date"),
       ("donor_name", "名" * 61, "rule.max_length")]


@pytest.mark.parametrize("field,value,code", BAD)
def test_bad_input_names_the_field_and_the_rule(refusing_engine, field, value, code):
    community = users.actor_for(refusing_engine, "community")
    fund_id = _fund_of(refusing_engine).id
    _refused(lambda: _donate(refusing_engine, community, fund_id, **{field: value}), code, field)


def test_dates_uses_and_projects_are_checked(refusing_engine):
    community = users.actor_for(refusing_engine, "community")
    fund = _fund_of(refusing_engine)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    _refused(lambda: _donate(refusing_engine, community, fund.id, 100, entry_on=tomorrow), "fund.error.future_day",
             "entry_on")
    before = (fund.founded_on - timedelta(days=1)).isoformat()
    _refused(lambda: _donate(refusing_engine, community, fund.id, 100, entry_on=before), "fund.error.before_founded",
             "entry_on")
    _refused(lambda: _grant(refusing_engine, community, fund.id, 1, purpose="  "), "fund.error.grant_use", "purpose")
    _refused(lambda: _grant(refusing_engine, community, fund.id, 1, purpose="短"), "rule.min_length", "purpose")
    with reading(refusing_engine) as s:
        elsewhere = s.execute(select(CommunityProject.id).where(CommunityProject.community_id != fund.community_id)
                              ).scalars().first()
    _refused(lambda: _grant(refusing_engine, community, fund.id, 1, project_id=elsewhere),
             "fund.error.project_elsewhere", "project_id")
    _refused(lambda: ledger.reverse(refusing_engine, actor=community, data={"entry_id": 1, "reason": "短"}),
             "rule.min_length", "reason")


def test_roles_and_scopes_are_checked_in_the_db_layer(refusing_engine):
    leader, street = users.actor_for(refusing_engine, "leader"), users.actor_for(refusing_engine, "street")
    community = users.actor_for(refusing_engine, "community")
    zijing = _fund_of(refusing_engine)
    with pytest.raises(PermissionDenied):
        _donate(refusing_engine, leader, zijing.id, 100)  # leaders read, never write
    with pytest.raises(PermissionDenied):
        funds.update_fund(refusing_engine, actor=street, fund_id=zijing.id,
                          data={"name": "改名", "founded_on": "2021-01-01", "custodian": "成都市慈善总会"})
    other = Actor(user_id=community.user_id, username="x", display_name="x", role="community",
                  scope_id=community_id(refusing_engine, "510104001002"), scope_level="community", scope_name="x")
    with pytest.raises(NotFound):
        _donate(refusing_engine, other, zijing.id, 100)  # another community's fund reads as not found
    with pytest.raises(NotFound):
        reads.get_fund(refusing_engine, actor=other, fund_id=zijing.id)
    # each reads its own scope: the district all 20, the street its communities' and its own, the community one
    assert len(reads.list_funds(refusing_engine, actor=leader)) == 20
    street_funds = reads.list_funds(refusing_engine, actor=street)
    assert 1 < len(street_funds) < 20 and set(street_funds["street_id"]) == {street.scope_id}
    assert list(reads.list_funds(refusing_engine, actor=community)["id"]) == [zijing.id]


def test_admins_found_one_fund_per_unit_and_edit_it_audited(engine):
    admin = users.actor_for(engine, "admin")
    free = reads.units_without_fund(engine, actor=admin)
    unit = int(free.loc[free["level"] == "community", "id"].iloc[0])
    data = {"unit_id": unit, "name": "  新社区基金 ", "founded_on": "2025-03-01", "custodian": "锦江区慈善会",
            "managers": "张三、李四"}
    created = funds.create_fund(engine, actor=admin, data=data)
    assert (created.name, created.balance) == ("新社区基金", 0)
    _refused(lambda: funds.create_fund(engine, actor=admin, data=data), "fund.error.unit_has_fund", "unit_id")
    with reading(engine) as s:
        grid = s.execute(select(OrgUnit.id).where(OrgUnit.level == "grid")).scalars().first()
    _refused(lambda: funds.create_fund(engine, actor=admin, data={**data, "unit_id": grid}), "fund.error.unit_level",
             "unit_id")
    future = (clock.today() + timedelta(days=1)).isoformat()
    _refused(lambda: funds.update_fund(engine, actor=admin, fund_id=created.id, data={**data, "founded_on": future}),
             "fund.error.future_day", "founded_on")
    funds.update_fund(engine, actor=admin, fund_id=created.id, data={**data, "custodian": "成都市慈善总会"})
    zijing = _fund_of(engine)
    _refused(lambda: funds.update_fund(engine, actor=admin, fund_id=zijing.id, data={
        "name": zijing.name, "founded_on": clock.today().isoformat(), "custodian": zijing.custodian}),
        "fund.error.after_first_entry", "founded_on")
    with reading(engine) as s:
        row = s.execute(select(AuditLog).where(AuditLog.action == "fund_update")).scalar_one()
    assert "成都市慈善总会" in row.after and "managers" not in row.after  # only what changed


def test_the_demo_has_twenty_funds_whose_sums_agree(refusing_engine):
    leader = users.actor_for(refusing_engine, "leader")
    listed = reads.list_funds(refusing_engine, actor=leader)
    figures = reads.summary(refusing_engine, actor=leader)
    assert figures.funds == len(listed) == 20 and count_rows(refusing_engine, FundEntry) > 300
    assert (listed["raised"] - listed["granted"] == listed["balance"]).all() and (listed["balance"] >= 0).all()
    assert figures.raised == listed["raised"].sum() == sum(figures.by_donor.values())
    assert set(figures.by_donor) == set(rules.DONOR_KINDS)
    months = reads.by_month(refusing_engine, actor=leader)
    assert (months["raised"].sum(), months["granted"].sum()) == (figures.raised, figures.granted)
    assert list(months["month"]) == sorted(months["month"])
    assert months["month"].iloc[-1] <= rules.month_of(clock.today())
