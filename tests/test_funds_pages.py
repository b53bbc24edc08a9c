"""社区基金 through AppTest (every page under every role is in tests/test_pages.py): community staff open their fund by
a link, record a donation and a grant refused with the field and rule named, reverse an entry; a leader reads the
district's figures, chart and list, filtered in the URL, with no form; typed names stay text; an admin founds a fund."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import reading
from db.models import OrgUnit
from db.models.funds import CommunityFund, FundEntry
from factories.app import opened_as
from factories.records import community_id, count_rows

ZIJING = "510104001001"
HOSTILE = "**粗体**[点我](http://evil.example)"


def _zijing_fund(engine) -> CommunityFund:
    with reading(engine) as s:
        return s.execute(select(CommunityFund).where(CommunityFund.unit_id == community_id(engine))).scalar_one()


def test_community_staff_record_the_ledger_of_their_fund(app_db):
    fund = _zijing_fund(app_db)
    at = opened_as("community", "pages/funds.py", {"fund": str(fund.id)})
    assert not at.exception, at.exception
    assert [m.label for m in at.metric][:4] == ["基金数", "累计募集", "累计资助", "结余"]
    assert {"fund_ledger_dl_xlsx", "fund_list_xlsx"} <= {b.key for b in at.get("download_button")}
    entries = count_rows(app_db, FundEntry)
    at.number_input(key="fund_grant_amount").set_value(fund.balance + 1)
    at.text_input(key="fund_grant_purpose").input("困难家庭节日慰问")
    at.button(key="fund_grant_submit").click().run()
    assert any("「金额（元）」" in e.value and "结余不能为负" in e.value for e in at.error), [e.value for e in at.error]
    assert count_rows(app_db, FundEntry) == entries
    at.number_input(key="fund_don_amount").set_value(1500)
    at.selectbox(key="fund_don_kind").select("enterprise")
    at.text_input(key="fund_don_name").input(HOSTILE)
    at.button(key="fund_don_submit").click().run()
    assert not at.exception and any(f"结余 {fund.balance + 1500:,} 元" in s.value for s in at.success)
    with reading(app_db) as s:
        gift = s.execute(select(FundEntry).where(FundEntry.donor_name == HOSTILE)).scalar_one()
    assert gift.amount == 1500 and not any("](http" in m.value for m in at.markdown)
    at.selectbox(key="fund_rev_entry").select(gift.id)
    at.text_input(key="fund_rev_reason").input("重复登记")
    at.button(key="fund_rev_submit").click().run()
    assert not at.exception and any("已冲正" in s.value for s in at.success)
    assert _zijing_fund(app_db).balance == fund.balance


def test_a_leader_reads_the_district_filtered_in_the_url_without_forms(app_db):
    at = opened_as("leader", "pages/funds.py")
    assert not at.exception
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert any("万元" in m.value for m in at.metric)
    with reading(app_db) as s:
        street = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104001")).scalar_one()
    at.selectbox(key="fund_f_street").select(str(street))
    at.run()
    assert at.query_params.get("street")
    assert not any(b.key and b.key.endswith("_submit") for b in at.button)  # leaders read, never write
    assert not at.get("expander")


def test_an_admin_founds_a_fund_refused_first_with_the_field_named(app_db):
    at = opened_as("admin", "pages/funds.py")
    assert not at.exception
    before = count_rows(app_db, CommunityFund)
    with reading(app_db) as s:
        unit = s.execute(select(OrgUnit.id).where(OrgUnit.level == "community", OrgUnit.id.not_in(
            select(CommunityFund.unit_id))).order_by(OrgUnit.code)).scalars().first()
    at.selectbox(key="fund_new_unit").select(unit)
    at.text_input(key="fund_new_name").input("新")
    at.button(key="fund_new_submit").click().run()
    assert any("「基金名称」至少需要 2 个字符" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key="fund_new_name").input("测试社区基金")
    at.text_input(key="fund_new_custodian").input("成都市慈善总会")
    at.button(key="fund_new_submit").click().run()
    assert not at.exception and any("已设立基金" in s.value for s in at.success), unit
    assert count_rows(app_db, CommunityFund) == before + 1 and at.query_params.get("fund")
