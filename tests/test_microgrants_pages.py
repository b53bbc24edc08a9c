"""微创投 through AppTest (every page under every role is in tests/test_pages.py): an admin opens a round through the
form (refused first, naming the field), fills its pool, and a street worker enters an application refused by the
co-funding rule with the field named; a leader reads with no form."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db import clock
from db.engine import reading
from db.models.funds import GrantApplication, GrantRound
from db.models.pipeline import SocialOrg
from factories.app import opened_as
from factories.records import community_id, count_rows, district_id


def test_a_round_is_opened_filled_and_applied_to_through_the_page(app_db):
    at = opened_as("admin", "pages/microgrants.py")
    assert not at.exception, at.exception
    at.text_input(key="mg_new_name").input("测试")
    at.button(key="mg_new_submit").click().run()
    assert any("「名称」" in e.value for e in at.error), [e.value for e in at.error]
    at.selectbox(key="mg_new_unit").select(district_id(app_db))
    at.text_input(key="mg_new_name").input("锦江区社区微创投（页面）")
    at.date_input(key="mg_new_opens").set_value(clock.today() - timedelta(days=10))
    at.date_input(key="mg_new_closes").set_value(clock.today() + timedelta(days=10))
    at.button(key="mg_new_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    with reading(app_db) as s:
        round_id = s.execute(select(GrantRound.id).order_by(GrantRound.id.desc())).scalars().first()
    at = opened_as("admin", "pages/microgrants.py", {"round": str(round_id)})
    at.radio(key="mg_src_kind").set_value("special")
    at.number_input(key="mg_src_amount").set_value(100_000)
    at.button(key="mg_src_submit").click().run()
    assert not at.exception and any("资金池余额 100,000 元" in s.value for s in at.success)
    assert any(m.label == "资金池" and "10" in m.value for m in at.metric)
    before = count_rows(app_db, GrantApplication)  # 番禺区's demo round has its own
    at = opened_as("street", "pages/microgrants.py", {"round": str(round_id)})
    assert not at.exception, at.exception
    with reading(app_db) as s:
        org = s.execute(select(SocialOrg.id).where(SocialOrg.kind == "community", SocialOrg.active,
                                                   SocialOrg.district_id == district_id(app_db))).scalars().first()
    at.selectbox(key="mg_app_org").select(org)
    at.text_input(key="mg_app_title").input("社区长者智能手机课堂")
    at.selectbox(key="mg_app_unit").select(community_id(app_db))
    at.number_input(key="mg_app_budget").set_value(10_000)
    at.number_input(key="mg_app_requested").set_value(9_000)
    at.button(key="mg_app_submit").click().run()
    assert any("「申请资助金额（元）」过高" in e.value for e in at.error), [e.value for e in at.error]
    assert count_rows(app_db, GrantApplication) == before
    at.number_input(key="mg_app_requested").set_value(8_000)
    at.button(key="mg_app_submit").click().run()
    assert not at.exception and count_rows(app_db, GrantApplication) == before + 1
    at = opened_as("leader", "pages/microgrants.py", {"round": str(round_id)})
    assert not at.exception and {"mg_apps_dl_xlsx", "mg_rounds_dl_xlsx"} <= {b.key for b in at.get("download_button")}
    assert not any(b.key and b.key.endswith("_submit") for b in at.button)
