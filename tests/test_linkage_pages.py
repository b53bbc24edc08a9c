"""五社联动 through AppTest (every page under every role is in tests/test_pages.py): 番禺区's leader reads seed 003's
figures, narrows to a street, switches to English and finds no form; a street worker registers a station through the
form, refused first naming the field; a community worker sees their community alone; the evaluator is kept out."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import reading
from db.models import OrgUnit
from db.models.linkage import SocialWorkStation
from factories.app import new_app, on_login_form, opened_as, submit_login
from factories.records import count_rows

PAGE = "pages/linkage.py"


def _panyu(query: dict | None = None):
    at = new_app(query)
    at.switch_page(PAGE)
    at.run()
    submit_login(at, "panyu", "Panyu@2026")
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_panyu_reads_seed_003_narrows_to_a_street_and_writes_nothing(app_db):
    at = _panyu()
    shown = _metrics(at)
    assert (shown["联动镇街"], shown["联动村居"], shown["孵化社区社会组织"], shown["参与社区企业"]) == (
        "16", "275", "1,825", "983")
    assert (shown["资助社区服务项目"], shown["举办活动"], shown["解决社区问题"], shown["服务人次"]) == (
        "57", "4,553", "2,689", "290,000")
    assert shown["筹集资金"].startswith("2,046")  # 万元: 800 through the funds, 1,246 from enterprises directly
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert {"lk_workbook", "lk_stations_dl_xlsx", "lk_rewards_dl_xlsx"} <= {b.key for b in at.get("download_button")}
    assert not any(b.key and b.key.startswith("lk_") and b.key.endswith("_submit") for b in at.button)
    with reading(app_db) as s:
        shiqiao = s.execute(select(OrgUnit.id).where(OrgUnit.code == "440113001")).scalar_one()
    at = _panyu({"street": str(shiqiao), "lang": "en"})
    shown = _metrics(at)
    assert (shown["Streets in the linkage"], shown["Communities in the linkage"]) == ("1", "24")
    assert at.title[0].value == "Five-party linkage"


def test_street_staff_register_a_station_through_the_form(app_db):
    at = opened_as("street", PAGE)
    assert not at.exception, at.exception
    before = count_rows(app_db, SocialWorkStation)
    at.button(key="lk_st_submit").click().run()
    assert any("「名称」" in e.value for e in at.error), [e.value for e in at.error]
    assert count_rows(app_db, SocialWorkStation) == before
    with reading(app_db) as s:
        street = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104001")).scalar_one()
    at.text_input(key="lk_st_name").input("春熙路街道社工站")
    at.selectbox(key="lk_st_unit").select(street)
    at.text_input(key="lk_st_operator").input("春熙路社会工作服务中心")
    at.button(key="lk_st_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    assert count_rows(app_db, SocialWorkStation) == before + 1
    assert _metrics(at)["社工站"] == "1"
    with reading(app_db) as s:
        zijing = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104001001")).scalar_one()
    at = opened_as("admin", PAGE, {"street": str(street), "community": str(zijing)})  # every district, narrowed
    assert not at.exception and _metrics(at)["社工站"] == "0" and _metrics(at)["联动镇街"] in ("0", "1")
    assert at.button(key="lk_en_submit") is not None and at.selectbox(key="lk_f_community").value == str(zijing)
    at = opened_as("community", PAGE)  # 紫荆社区 alone: no street or community to pick, its street's organizations
    assert not at.exception and _metrics(at)["联动村居"] in ("0", "1")
    assert not {"lk_f_street", "lk_f_community"} & {w.key for w in at.selectbox}
    assert any(m.label == "孵化社区社会组织" and m.help for m in at.metric)
    at = opened_as("evaluator", PAGE)
    assert not at.exception and not at.metric and not on_login_form(at)


def test_the_quiet_funds_alert_opens_the_funds_with_no_donation_this_year(app_db):
    """The overview's alert links to 社区基金 with ?quiet=1: the list then holds exactly the funds the alert counts
    (番禺区's funds gave their money in the round's year; 锦江区's all had a donation this year)."""
    from db import clock, users
    from db.linkage import overview as linkage_overview

    quiet = linkage_overview.alert_facts(app_db, actor=users.actor_for(app_db, "admin"), today=clock.today())[3]
    at = opened_as("admin", "pages/funds.py", {"quiet": "1"})
    assert not at.exception and any("只列出今年还没有收到捐赠的基金" in c.value for c in at.caption)
    assert quiet > 0 and quiet in [len(d.value) for d in at.dataframe]  # the list (the other: donors by kind)
