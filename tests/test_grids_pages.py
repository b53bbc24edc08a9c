"""Grid pages through AppTest: drill-down by query parameters, the period picker, entry and import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from components.grids.dashboard_sections import OUTLIER_LIMIT
from db import users
from db.engine import reading
from db.grids import indicators as grid_indicators
from db.grids import rules as grid_periods
from db.grids.rules import (
    current_month,
    default_period,
    last_complete_month,
    last_due_month,
    parse_period,
    recent_periods,
)
from db.models import OrgUnit
from db.models.grids import GridReport, IndicatorValue
from db.org_units import get_unit
from factories import records
from factories.app import signed_in

# date-sensitive at the turn of a year and around a month's due day (the db layer under it: at every instant)
pytestmark = pytest.mark.calendar("year", "due_day")

def _year() -> str:
    """The year before the last due month: twelve months of reports on any day (in February the current
    year holds one month, on 1 January none). Read when the test runs, at its instant, not at import."""
    return str(int(last_due_month()[:4]) - 1)


def _param(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def _dashboard(role, **query):
    at = signed_in(role)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/grid_dashboard.py").run()
    assert not at.exception, at.exception
    return at


def test_drill_down_from_district_to_grid_by_query_parameters(app_db):
    at = _dashboard("admin", unit="220106", period=_year())
    assert at.subheader[0].value == f"{_year()}年 · 绿园区"
    metrics = {m.label: m.value for m in at.metric}
    assert len(metrics) == 11 and metrics["问题办结率"].endswith("%") and metrics["开展活动数 (场)"].replace(",", "").isdigit()
    assert float(metrics["社区资金筹集额（万元）"].replace(",", "")) > 100
    streets = at.dataframe[0].value
    assert len(streets) == 10 and streets["网格数"].sum() == 312 and "正阳街道" in set(streets["名称"])
    assert {"问题办结率 (%)", "居民满意度 (%)", "按时上报率 (%)", "达标指标数"} <= set(streets.columns)

    at.selectbox(key="grid_drill").select("220106001").run()
    assert _param(at, "unit") == "220106001" and _param(at, "period") == _year()
    communities = at.dataframe[0].value
    assert at.subheader[0].value.endswith("正阳街道") and len(communities) == 7

    at.query_params["unit"] = "220106001001"
    at.run()
    grids = at.dataframe[0].value
    assert len(grids) == 6 and all(name.endswith("网格") for name in grids["名称"])

    at.query_params["unit"] = "220106001001001"
    at.run()
    assert at.subheader[0].value.endswith("兴华社区第1网格")
    months = at.dataframe[0].value
    assert list(months["月份"]) == [f"{_year()}-{m:02d}" for m in range(1, 13)]
    at.query_params["tab"] = "roster"
    at.run()
    roster = at.dataframe[0].value
    assert roster.iloc[0, 0] == "网格长" and len(roster) >= 3

    at.button(key="grid_crumb_220106").click().run()
    assert _param(at, "unit") == "220106" and len(at.dataframe[0].value) == 10


def test_period_picker_writes_the_query_and_the_query_sets_the_picker(app_db):
    at = _dashboard("leader", unit="510104", period=_year())
    at.radio(key="grid_period_kind").set_value("quarter").run()
    quarter = recent_periods("quarter", count=1)[0]
    assert _param(at, "period") == quarter and at.selectbox(key="grid_period").value == quarter
    month = recent_periods("month", count=3)[2]
    at.radio(key="grid_period_kind").set_value("month").run()
    at.selectbox(key="grid_period").select(month).run()
    assert _param(at, "period") == month
    assert at.subheader[0].value == f"{int(month[:4])}年{int(month[5:])}月 · 锦江区"
    at.query_params["period"] = "2026-Q9"
    at.run()
    assert any("统计周期无效" in w.value for w in at.warning)
    assert at.selectbox(key="grid_period").value == default_period().text


def test_leader_sees_status_against_target_and_the_tabs(app_db):
    at = _dashboard("leader", unit="510104", period=_year())
    statuses = {m.proto.delta for m in at.metric}
    assert statuses <= {"达标", "接近目标", "未达标"} and len(statuses) >= 2
    assert len(at.dataframe[0].value) == 12  # the streets of 锦江区
    at.query_params["tab"] = "trend"
    at.query_params["ind"] = "satisfaction"
    at.run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 2
    assert at.selectbox(key="grid_ind").value == "satisfaction"
    at.query_params["tab"] = "reporting"
    at.run()
    reporting = at.dataframe[0].value
    assert len(reporting) == 12 and (reporting["已上报"] <= reporting["应上报"]).all()
    at.query_params["tab"] = "types"
    at.run()
    with reading(app_db) as s:
        kinds = set(s.execute(select(OrgUnit.kind).where(OrgUnit.level == "community",
                                                         OrgUnit.code.like("510104%"))).scalars())
    types = at.dataframe[0].value
    assert set(types["社区类型"]) == kinds and types["网格数"].sum() == 293
    # the outliers of the latest year (where the demo plants them), as many as the db layer finds: on
    # some days (early in a year) there are none, and the page says so instead of showing a table
    latest = parse_period(last_due_month()[:4])
    at.query_params["period"] = latest.text
    at.query_params["tab"] = "outliers"
    at.run()
    leader = users.actor_for(app_db, "leader")
    expected = grid_indicators.outliers(app_db, actor=leader, unit=get_unit(app_db, actor=leader, code="510104"),
                                        period=latest)
    if expected.empty:
        assert not at.dataframe and any("没有异常值" in i.value for i in at.info)
    else:
        assert len(at.dataframe) == 1 and {"填报值", "此前 12 个月均值"} <= set(at.dataframe[0].value.columns)
        assert len(at.dataframe[0].value) == min(len(expected), OUTLIER_LIMIT)


def test_street_user_is_kept_to_their_street(app_db):
    at = _dashboard("street", unit="220106", period=_year())
    assert any("不在您的管辖范围" in w.value for w in at.warning)
    assert at.subheader[0].value.endswith("春熙路街道") and len(at.dataframe[0].value) == 4


def _entry(role="street"):
    at = signed_in(role)
    at.switch_page("pages/grid_entry.py").run()
    assert not at.exception, at.exception
    return at


def _fill(at, values):
    for code, value in values.items():
        at.number_input(key=f"grid_in_{code}").set_value(value)


def test_entry_form_submits_and_reloads_the_stored_values(app_db):
    at = _entry()
    grid_id, grid_code = records.street_grids(app_db)[1]
    at.selectbox(key="grid_entry_grid").select(grid_code).run()
    at.selectbox(key="grid_entry_period").select(current_month()).run()
    values = records.typical_values(app_db, grid_id)
    _fill(at, values)
    next(b for b in at.button if b.proto.is_form_submitter).click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已保存" in s.value for s in at.success)
    with reading(app_db) as s:
        stored = dict(s.execute(select(IndicatorValue.code, IndicatorValue.value)
                                .where(IndicatorValue.grid_id == grid_id, IndicatorValue.period == current_month())).all())
    assert stored == values
    assert at.number_input(key="grid_in_activities").value == values["activities"]


def test_entry_form_shows_the_rule_and_asks_to_confirm_outliers(app_db):
    at = _entry()
    at.selectbox(key="grid_entry_period").select(current_month()).run()
    grid_code = at.selectbox(key="grid_entry_grid").value
    with reading(app_db) as s:
        grid_id = s.execute(select(OrgUnit.id).where(OrgUnit.code == grid_code)).scalar_one()
    values = records.typical_values(app_db, grid_id)
    _fill(at, {**values, "problems_carried": 0, "problems_reported": 3, "problems_solved": 4})
    next(b for b in at.button if b.proto.is_form_submitter).click()
    at.run()
    assert [e.value for e in at.error] == ["「解决问题数」不能超过收集问题数与上月结转问题数之和（3）。"]
    _fill(at, {**values, "served": values["served"] * 20})
    next(b for b in at.button if b.proto.is_form_submitter).click()
    at.run()
    assert any("服务居民人次" in w.value and "相差悬殊" in w.value for w in at.warning)
    with reading(app_db) as s:
        assert s.execute(select(GridReport.id).where(GridReport.grid_id == grid_id,
                                                     GridReport.period == current_month())).first() is None
    at.checkbox(key="grid_entry_confirm").check()
    next(b for b in at.button if b.proto.is_form_submitter).click()
    at.run()
    assert any("已按您的确认保存" in s.value for s in at.success)


def test_admin_reopens_a_locked_month_on_the_entry_page(app_db, monkeypatch):
    month = last_complete_month()
    at = signed_in("admin")  # before moving the clock, which could otherwise predate the account
    records.set_today(monkeypatch, grid_periods.due_date(month) + timedelta(days=2))
    at.switch_page("pages/grid_entry.py").run()
    at.selectbox(key="grid_entry_street").select("510104001").run()
    at.selectbox(key="grid_entry_period").select(month).run()
    assert any("锁定" in w.value for w in at.warning)
    assert at.button(key="grid_reopen_button") is not None
    at.text_input(key="grid_reopen_reason").input("社区申请更正活动场次").run()
    at.button(key="grid_reopen_button").click().run()
    assert any("已重新开放" in s.value for s in at.success)
    assert not any("锁定" in w.value for w in at.warning)
    assert not at.number_input(key="grid_in_activities").proto.disabled


def test_import_page_rejects_a_bad_file_and_accepts_the_fixed_one(app_db):
    at = signed_in("street")
    at.switch_page("pages/grid_import.py").run()
    assert not at.exception
    assert {b.label for b in at.get("download_button")} >= {"下载 Excel 模板", "下载 CSV 模板"}
    at.selectbox(key="grid_import_period").select(current_month()).run()
    street = users.actor_for(app_db, "street")
    frame = records.filled_template(app_db, street, current_month()).astype(object)
    frame.loc[2, "表示满意人数"] = -1
    at.get("file_uploader")[0].upload("bad.csv", frame.to_csv(index=False).encode("utf-8-sig"), "text/csv")
    at.run()
    at.button(key="grid_import_button").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("文件中有 1 处问题，未写入任何数据")
    report = at.dataframe[0].value
    assert report.values.tolist() == [[4, "表示满意人数", "「表示满意人数」不能小于 0。"]]
    with reading(app_db) as s:
        assert s.execute(select(GridReport.id).where(GridReport.period == current_month())).first() is None
    frame.loc[2, "表示满意人数"] = 10
    at.get("file_uploader")[0].set_value(("good.csv", frame.to_csv(index=False).encode("utf-8-sig"), "text/csv"))
    at.run()
    at.button(key="grid_import_button").click().run()
    assert any(s.value.startswith(f"导入成功：{len(frame)} 个网格") for s in at.success)


def test_clicking_a_row_of_the_children_table_opens_that_unit(monkeypatch):
    """AppTest cannot click a dataframe row, so the callback gets the state a click leaves."""
    from types import SimpleNamespace

    from streamlit.util import AttributeDictionary

    from components import url_state
    from components.grids import dashboard_sections as sections

    state = {"grid_table_220106": AttributeDictionary({"selection": AttributeDictionary({"rows": [1], "columns": []})})}
    fake = SimpleNamespace(session_state=state, query_params={})
    monkeypatch.setattr(sections, "st", fake)
    monkeypatch.setattr(url_state, "st", fake)
    sections._drill("grid_table_220106", ["220106001", "220106002", "220106003"])
    assert fake.query_params == {"unit": "220106002"}
    state["grid_table_220106"]["selection"]["rows"] = []
    fake.query_params.clear()
    sections._drill("grid_table_220106", ["220106001"])
    assert fake.query_params == {}
