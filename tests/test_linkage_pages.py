"""五社联动 through AppTest (every page under every role is in tests/test_pages.py): 番禺区's leader reads seed 003's
figures, narrows to a street, switches to English and finds no form; a street worker registers a station through the
form, refused first naming the field; a community worker sees their community alone and records an activity there;
the evaluator is kept out. The admin's first view sends no form, and an opened form's unit picker the streets only
(then one street's units): the admin registers a worker, an enterprise and marks one as left, found by name."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import reading
from db.models import OrgUnit
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation
from factories.app import new_app, on_login_form, opened_as, submit_login
from factories.records import count_rows

PAGE = "pages/linkage.py"
FORMS = ("lk_st_open", "lk_wk_open", "lk_en_open", "lk_ac_open", "lk_sw_open")  # the forms' switches


def _panyu(query: dict | None = None):
    at = new_app(query)
    at.switch_page(PAGE)
    at.run()
    submit_login(at, "panyu", "Panyu@2026")
    at.run()
    assert not at.exception, at.exception
    return at


def _communities(engine, street: int) -> int:
    with reading(engine) as s:
        return len(s.execute(select(OrgUnit.id).where(OrgUnit.street_id == street, OrgUnit.level == "community",
                                                      OrgUnit.active)).all())


def _unit_id(engine, code: str) -> int:
    with reading(engine) as s:
        return s.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


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
    assert not any(b.key == "lk_st_submit" for b in at.button)  # drawn once opened
    at.toggle(key="lk_st_open").set_value(True).run()
    assert "lk_st_unit_street" not in {w.key for w in at.selectbox}  # one street: nothing to pick first
    at.button(key="lk_st_submit").click().run()
    assert any("「名称」" in e.value for e in at.error), [e.value for e in at.error]
    assert count_rows(app_db, SocialWorkStation) == before
    with reading(app_db) as s:
        street = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104001")).scalar_one()
    at.text_input(key="lk_st_name").input("春熙路街道社工站")
    unit = at.selectbox(key="lk_st_unit")
    assert unit.options[0] == "春熙路街道（镇街本级）" and len(unit.options) == 1 + _communities(app_db, street)
    unit.select(street)
    at.text_input(key="lk_st_operator").input("春熙路社会工作服务中心")
    at.button(key="lk_st_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    assert count_rows(app_db, SocialWorkStation) == before + 1
    assert _metrics(at)["社工站"] == "1"
    with reading(app_db) as s:
        zijing = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104001001")).scalar_one()
    at = opened_as("admin", PAGE, {"street": str(street), "community": str(zijing)})  # every district, narrowed
    assert not at.exception and _metrics(at)["社工站"] == "0" and _metrics(at)["联动镇街"] in ("0", "1")
    assert at.selectbox(key="lk_f_community").value == str(zijing)
    at.toggle(key="lk_en_open").set_value(True).run()  # the picker begins at the page's community
    assert (at.selectbox(key="lk_en_unit_street").value, at.selectbox(key="lk_en_unit").value) == (street, zijing)
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


def test_the_admins_first_view_sends_no_form_and_a_form_the_streets_alone(app_db):
    """Every form of the city's admin drawn at once sent every street and community four times over: now a form
    is drawn when its switch is on, and its unit picker holds the streets (38) until one is picked, then that
    street's units; the worker's stations are the street's."""
    with reading(app_db) as s:
        levels = dict(s.execute(select(OrgUnit.level, func.count()).where(OrgUnit.active)
                                .group_by(OrgUnit.level)).all())
    at = opened_as("admin", PAGE)
    assert not at.exception, at.exception
    first_view = sum(len(w.options) for w in at.selectbox)  # the filters' options alone
    assert first_view < levels["community"], {w.key: len(w.options) for w in at.selectbox}
    assert {w.key for w in at.toggle} >= set(FORMS)
    assert not any(b.key and b.key.endswith("_submit") for b in at.button)
    assert max(len(w.options) for w in at.selectbox) == levels["street"] + 1  # the street filter: 全部 and 38
    for key in FORMS:
        at.toggle(key=key).set_value(True)
    at.run()
    assert not at.exception, at.exception
    assert {b.key for b in at.button} >= {"lk_st_submit", "lk_wk_submit", "lk_en_submit", "lk_ac_submit"}
    sent = {w.key: len(w.options) for w in at.selectbox}
    assert sum(sent.values()) < levels["community"], sent  # was four pickers of 423 units each
    for form in ("lk_st", "lk_wk", "lk_en", "lk_ac"):
        assert sent[f"{form}_unit_street"] == levels["street"] and sent[f"{form}_unit"] == 0
        assert at.selectbox(key=f"{form}_unit_street").options[0].startswith(("番禺区 · ", "锦江区 · ", "绿园区 · "))
    assert sent["lk_sw_row"] <= 50 and at.selectbox(key="lk_wk_station").disabled

    shiqiao = _unit_id(app_db, "440113001")
    at.selectbox(key="lk_wk_unit_street").select(shiqiao).run()
    unit = at.selectbox(key="lk_wk_unit")
    assert len(unit.options) == 1 + _communities(app_db, shiqiao) and unit.value is None
    with reading(app_db) as s:
        station, community = s.execute(select(SocialWorkStation.id, SocialWorkStation.community_id).where(
            SocialWorkStation.street_id == shiqiao, SocialWorkStation.active)).first()
        ours = s.execute(select(func.count()).select_from(SocialWorkStation).where(
            SocialWorkStation.street_id == shiqiao, SocialWorkStation.active)).scalar_one()
    assert len(at.selectbox(key="lk_wk_station").options) == ours
    before = count_rows(app_db, SocialWorker)
    at.text_input(key="lk_wk_name").input("陈社工")
    at.selectbox(key="lk_wk_unit").select(community or shiqiao)
    at.selectbox(key="lk_wk_station").select(station)
    at.button(key="lk_wk_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    with reading(app_db) as s:
        added = s.execute(select(SocialWorker).order_by(SocialWorker.id.desc()).limit(1)).scalar_one()
    assert count_rows(app_db, SocialWorker) == before + 1
    assert (added.name, added.station_id, added.street_id) == ("陈社工", station, shiqiao)


def test_the_admin_registers_an_enterprise_and_marks_one_as_left_found_by_name(app_db):
    shiqiao = _unit_id(app_db, "440113001")
    at = opened_as("admin", PAGE, {"street": str(shiqiao)})
    at.toggle(key="lk_en_open").set_value(True).run()
    assert at.selectbox(key="lk_en_unit_street").value == shiqiao and at.selectbox(key="lk_en_unit").value is None
    before = count_rows(app_db, CommunityEnterprise)
    at.text_input(key="lk_en_name").input("市桥街便民超市")
    at.text_input(key="lk_en_contribution").input("为长者配送生活用品")
    at.button(key="lk_en_submit").click().run()
    assert any("「所在村居/镇街」" in e.value for e in at.error), [e.value for e in at.error]  # no unit yet
    assert count_rows(app_db, CommunityEnterprise) == before
    at.selectbox(key="lk_en_unit").select(shiqiao)
    at.button(key="lk_en_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    assert count_rows(app_db, CommunityEnterprise) == before + 1

    at.toggle(key="lk_sw_open").set_value(True).run()
    at.radio(key="lk_sw_kind").set_value("enterprise").run()
    listed = at.selectbox(key="lk_sw_row").options
    assert len(listed) == 50 and any("只列出前 50 条" in c.value for c in at.caption)  # the street's 60+, capped
    at.text_input(key="lk_sw_find").input("便民超").run()
    found = at.selectbox(key="lk_sw_row")
    assert [o.split("（")[0] for o in found.options] == ["市桥街便民超市"]
    with reading(app_db) as s:
        row = s.execute(select(CommunityEnterprise.id).where(CommunityEnterprise.name == "市桥街便民超市")).scalar_one()
    found.select(row).run()
    at.button(key="lk_sw_off").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    with reading(app_db) as s:
        assert s.get(CommunityEnterprise, row).active is False
    at.text_input(key="lk_sw_find").input("100%").run()  # typed % is a letter, not a wildcard
    assert at.selectbox(key="lk_sw_row").options == [] and any(c.value == "还没有记录。" for c in at.caption)


def test_community_staff_record_an_activity_in_their_community(app_db):
    zijing = _unit_id(app_db, "510104001001")
    at = opened_as("community", PAGE)
    at.toggle(key="lk_ac_open").set_value(True).run()
    unit = at.selectbox(key="lk_ac_unit")  # their community, nothing to choose
    assert (unit.options, unit.value, unit.disabled) == (["紫荆社区"], zijing, True)
    assert "lk_ac_unit_street" not in {w.key for w in at.selectbox}
    before = count_rows(app_db, LinkageActivity)
    at.text_input(key="lk_ac_title").input("邻里议事会")
    at.number_input(key="lk_ac_participants").set_value(30)
    at.button(key="lk_ac_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    assert count_rows(app_db, LinkageActivity) == before + 1
    with reading(app_db) as s:
        added = s.execute(select(LinkageActivity).order_by(LinkageActivity.id.desc()).limit(1)).scalar_one()
    assert (added.title, added.community_id, added.participants) == ("邻里议事会", zijing, 30)
