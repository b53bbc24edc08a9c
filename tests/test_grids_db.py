"""Grid indicators at the db layer: roll-ups, status, entry rules, scope, the monthly lock, import."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import case, func, select

from components.texts import translate
from db import org_units, users
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.grids import indicators as gi
from db.grids import reports as grid_reports
from db.grids import rules as grid_periods
from db.grids.rules import Period, current_month, last_complete_month, last_due_month, month_add, parse_period
from db.models import AuditLog, OrgUnit
from db.models.grids import GridReport, IndicatorValue
from db.validation import InvalidInput
from factories.records import count_rows, set_today, street_grids, typical_values

pytestmark = pytest.mark.calendar  # date-sensitive: CI runs these again at awkward instants


def _unit(engine, code):
    return org_units.get_unit(engine, actor=users.actor_for(engine, "admin"), code=code)


# ---------------------------------------------------------------- seed


@pytest.mark.reads_only
def test_indicators_are_seeded_with_unit_target_and_direction(engine):
    defs = gi.definitions(engine)
    shown = defs[defs["displayed"]]
    assert list(shown["name"]) == ["开展活动数", "服务居民人次", "入户走访户数", "收集问题数", "解决问题数", "问题办结率",
                                   "志愿者参与人次", "社区资金筹集额", "居民满意度", "按时上报率", "上报完整率"]
    assert shown["target"].notna().all() and shown["unit"].str.len().gt(0).all()
    assert shown["higher_is_better"].map(bool).all()
    assert defs.loc["resolution_rate", ["numerator", "denominator"]].tolist() == ["problems_solved", "problems_reported"]
    assert defs.loc["satisfaction", ["numerator", "denominator"]].tolist() == ["satisfied", "respondents"]
    assert set(defs.loc[defs["kind"] == "sum", "code"]) == set(grid_reports.ENTERED)
    for code in grid_reports.ENTERED:  # the form's field names are the indicator names
        assert translate(f"grid.field.{code}", "zh").startswith(defs.loc[code, "name"])


@pytest.mark.reads_only
def test_demo_reports_cover_24_months_with_late_missing_and_outliers(engine):
    with reading(engine) as s:
        periods = s.execute(select(GridReport.period).distinct().order_by(GridReport.period)).scalars().all()
        luyuan = _unit(engine, "220106")
        luyuan_grids = s.execute(select(func.count(func.distinct(GridReport.grid_id)))
                                 .join(OrgUnit, OrgUnit.id == GridReport.grid_id)
                                 .where(OrgUnit.district_id == luyuan.id)).scalar_one()
        late = s.execute(select(func.count()).select_from(GridReport).where(GridReport.on_time.is_(False))).scalar_one()
        reports = s.execute(select(func.count()).select_from(GridReport)).scalar_one()
        values = s.execute(select(func.count()).select_from(IndicatorValue)).scalar_one()
    # the 24 complete months, less the last while none of its reports is in yet (the 1st of a month)
    assert periods[0] == month_add(last_complete_month(), -23) and last_due_month() in periods
    assert periods[-1] == last_complete_month() or (len(periods) == 23 and periods[-1] == month_add(last_complete_month(), -1))
    assert luyuan_grids == 312
    assert 0 < late < reports * 0.1  # some late, most on time
    assert reports < 605 * 24  # some missing
    assert values == reports * len(grid_reports.ENTERED)
    root = org_units.scope_unit(engine, actor=users.actor_for(engine, "admin"))
    span = Period("all", "range", periods[0], periods[-1])
    flagged = gi.outliers(engine, actor=users.actor_for(engine, "admin"), unit=root, period=span)
    assert 5 <= len(flagged) <= 40  # the planted few, not the seasons
    assert (flagged["value"] > 3 * flagged["mean"]).sum() >= 5


@pytest.mark.reads_only
def test_stored_outlier_flags_follow_the_rule(engine):
    grid_id = street_grids(engine)[0].id
    with reading(engine) as s:
        rows = s.execute(select(IndicatorValue.code, IndicatorValue.period, IndicatorValue.value, IndicatorValue.outlier)
                         .where(IndicatorValue.grid_id == grid_id)).all()
    for code in grid_reports.ENTERED:
        series = [(r.period, r.value) for r in rows if r.code == code]
        stored = {r.period for r in rows if r.code == code and r.outlier}
        assert gi.flagged_months(series) == stored, code


# ---------------------------------------------------------------- roll-ups


def test_ratios_are_computed_after_summing_not_averaged(engine):
    """Two grids of one community report this month: 9 of 10 and 50 of 100 problems solved. Averaging
    the grids' rates says 70%; the community solved 59 of 110 (53.6%)."""
    admin = users.actor_for(engine, "admin")
    community = _unit(engine, "220106001001")
    with reading(engine) as s:
        grids = s.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.parent_id == community.id)
                          .order_by(OrgUnit.code)).all()[:2]
    month = current_month()
    entered = [
        dict(typical_values(engine, grids[0].id), problems_carried=0, problems_reported=10, problems_solved=9,
             respondents=20, satisfied=19),
        dict(typical_values(engine, grids[1].id), problems_carried=0, problems_reported=100, problems_solved=50,
             respondents=80, satisfied=40),
    ]
    for grid, values in zip(grids, entered):
        grid_reports.submit_report(engine, actor=admin, grid_id=grid.id, period=month, values=values,
                                   confirm_outliers=True)
    period = parse_period(month)
    rows = gi.children(engine, actor=admin, unit=community, period=period).set_index("code")
    assert rows.loc[grids[0].code, "resolution_rate"] == pytest.approx(0.9)
    assert rows.loc[grids[1].code, "resolution_rate"] == pytest.approx(0.5)
    for unit in (community, _unit(engine, "220106001"), _unit(engine, "220106")):
        summary = gi.unit_summary(engine, actor=admin, unit=unit, period=period)
        assert summary["resolution_rate"] == pytest.approx(59 / 110)  # not (0.9 + 0.5) / 2
        assert summary["satisfaction"] == pytest.approx(59 / 100)  # not (0.95 + 0.5) / 2
        assert summary["problems_reported"] == 110 and summary["reports"] == 2
        assert summary["activities"] == entered[0]["activities"] + entered[1]["activities"]
    street_rows = gi.children(engine, actor=admin, unit=_unit(engine, "220106001"), period=period)
    assert street_rows.loc[street_rows["code"] == community.code, "resolution_rate"].item() == pytest.approx(59 / 110)
    assert summary["resolution_rate_status"] == "red" and rows.loc[grids[0].code, "resolution_rate_status"] == "green"


@pytest.mark.reads_only
def test_district_year_rolls_up_from_the_raw_values(engine):
    admin = users.actor_for(engine, "admin")
    district = _unit(engine, "510104")
    period = parse_period(last_complete_month()[:4])
    streets = gi.children(engine, actor=admin, unit=district, period=period)
    summary = gi.unit_summary(engine, actor=admin, unit=district, period=period)
    with reading(engine) as s:
        raw = {code: int(total) for code, total in s.execute(
            select(IndicatorValue.code, func.sum(IndicatorValue.value))
            .join(OrgUnit, OrgUnit.id == IndicatorValue.grid_id)
            .where(OrgUnit.district_id == district.id, IndicatorValue.period.between(period.first, period.last))
            .group_by(IndicatorValue.code))}
    assert len(streets) == 12 and streets["grids"].sum() == summary["grids"] == 293
    for code in grid_reports.ENTERED:
        assert streets[code].sum() == summary[code] == raw[code]
    assert summary["resolution_rate"] == pytest.approx(raw["problems_solved"] / raw["problems_reported"])
    averaged = streets["resolution_rate"].mean()
    assert summary["resolution_rate"] != pytest.approx(averaged, abs=1e-9)
    # completeness counts the reports of months already due, against those expected
    assert summary["completeness"] == pytest.approx(summary["reports_due"] / summary["expected"])
    assert summary["reports_due"] <= summary["reports"] and summary["reports_due"] <= summary["expected"]
    assert set(streets["activities_status"]) <= {"green", "amber", "red"}


def test_status_against_target_and_direction():
    assert gi.status_of(4.2, target=4, amber_from=3) == "green"
    assert gi.status_of(3.5, target=4, amber_from=3) == "amber"
    assert gi.status_of(2.9, target=4, amber_from=3) == "red"
    assert gi.status_of(0.04, target=0.05, amber_from=0.08, higher_is_better=False) == "green"
    assert gi.status_of(0.07, target=0.05, amber_from=0.08, higher_is_better=False) == "amber"
    assert gi.status_of(0.09, target=0.05, amber_from=0.08, higher_is_better=False) == "red"
    assert gi.status_of(None, target=4, amber_from=3) is None


@pytest.mark.reads_only
def test_periods_trend_heatmap_reporting_and_types(engine):
    admin = users.actor_for(engine, "admin")
    assert (parse_period("2026-Q3").first, parse_period("2026-Q3").last) == ("2026-07", "2026-09")
    assert parse_period("2025").months[-1] == "2025-12" and parse_period("2026-02").kind == "month"
    with pytest.raises(DomainError) as bad:
        parse_period("2026-13")
    assert bad.value.code == "grid.rule.period" and bad.value.field == "period"
    district = _unit(engine, "220106")
    last = last_due_month()  # the latest month whose reports are all in
    trend = gi.trend(engine, actor=admin, unit=district, code="satisfaction", last=last)
    in_demo = trend[trend["period"] >= month_add(last_complete_month(), -23)]  # 24 months before the 10th: one predates it
    assert len(trend) == 24 and len(in_demo) >= 23 and in_demo["value"].between(0.5, 1).all()
    assert (trend["target"] == 0.9).all()
    heat = gi.heatmap(engine, actor=admin, unit=district, code="activities", last=last)
    assert len(heat) == 10 * 12 and heat["value"].between(1, 10).all()
    period = parse_period(last[:4])
    reporting = gi.reporting(engine, actor=admin, unit=district, period=period)
    assert len(reporting) == 10 and reporting["grids"].sum() == 312
    assert (reporting["reports"] + reporting["missing"] == reporting["expected"]).all()
    assert reporting["completeness"].between(0.8, 1).all()
    assert (reporting["on_time_rate"] <= reporting["completeness"]).all()
    types = gi.community_types(engine, actor=admin, unit=org_units.scope_unit(engine, actor=admin), period=period)
    assert set(types["type"]) == {"城乡结合型", "物业弃管型", "传统老旧型", "高档封闭型"}
    assert types["grids"].sum() == 605
    gated = types.set_index("type")
    assert gated.loc["高档封闭型", "funds_per_grid"] > gated.loc["城乡结合型", "funds_per_grid"]


@pytest.mark.reads_only
def test_a_period_without_reports_reads_as_empty(engine):
    admin = users.actor_for(engine, "admin")
    future = parse_period(str(int(current_month()[:4]) + 2))
    summary = gi.unit_summary(engine, actor=admin, unit=_unit(engine, "220106"), period=future)
    assert summary["activities"] == 0 and summary["expected"] == 0 and summary["activities_status"] is None
    rows = gi.children(engine, actor=admin, unit=_unit(engine, "220106"), period=future)
    assert len(rows) == 10 and rows["resolution_rate"].isna().all() and rows["reports"].eq(0).all()
    months = gi.children(engine, actor=admin, unit=_unit(engine, "220106001001001"), period=future)
    assert len(months) == 12 and months["activities"].eq(0).all()


@pytest.mark.reads_only
def test_reads_are_scoped(engine):
    street = users.actor_for(engine, "street")
    leader = users.actor_for(engine, "leader")
    period = parse_period(last_complete_month())
    for actor in (street, leader):
        with pytest.raises(PermissionDenied):
            gi.children(engine, actor=actor, unit=_unit(engine, "220106"), period=period)
    own = org_units.scope_unit(engine, actor=street)
    assert len(gi.children(engine, actor=street, unit=own, period=period)) == 4


# ---------------------------------------------------------------- entry


def test_street_user_writes_only_their_own_streets_grids(engine):
    street = users.actor_for(engine, "street")
    month = current_month()
    other = street_grids(engine, "220106001")[0]
    before = count_rows(engine, GridReport)
    with pytest.raises(PermissionDenied):
        grid_reports.submit_report(engine, actor=street, grid_id=other.id, period=month,
                                   values=typical_values(engine, other.id))
    with pytest.raises(PermissionDenied):
        grid_reports.submit_report(engine, actor=users.actor_for(engine, "leader"), grid_id=other.id, period=month,
                                   values=typical_values(engine, other.id))
    assert count_rows(engine, GridReport) == before
    own = street_grids(engine)[0]
    saved = grid_reports.submit_report(engine, actor=street, grid_id=own.id, period=month,
                                       values=typical_values(engine, own.id))
    assert saved.status == "submitted" and saved.on_time and saved.values == typical_values(engine, own.id)
    community = _unit(engine, "510104001001")
    with pytest.raises(DomainError) as not_grid:
        grid_reports.submit_report(engine, actor=street, grid_id=community.id, period=month,
                                   values=typical_values(engine, own.id))
    assert not_grid.value.code == "grid.error.not_a_grid"


def test_validation_names_the_field_and_the_rule(engine):
    street = users.actor_for(engine, "street")
    grid = street_grids(engine)[0]
    good = typical_values(engine, grid.id)
    with pytest.raises(InvalidInput) as err:
        grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=current_month(),
                                   values={**good, "activities": -1, "served": 3.5, "visits": None})
    assert sorted((f, c) for f, c, _ in err.value.problems) == [
        ("activities", "rule.ge"), ("served", "rule.integer"), ("visits", "rule.required")]
    cases = [({"problems_reported": 5, "problems_carried": 2, "problems_solved": 8}, "problems_solved",
              "grid.rule.solved_le_open", "「解决问题数」不能超过收集问题数与上月结转问题数之和（7）。"),
             ({"respondents": 30, "satisfied": 31}, "satisfied", "grid.rule.satisfied_le_respondents",
              "「表示满意人数」不能超过满意度受访人数（30）。")]
    for change, field, code, message in cases:
        with pytest.raises(InvalidInput) as err:
            grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=current_month(),
                                       values={**good, **change})
        assert [(f, c) for f, c, _ in err.value.problems] == [(field, code)]
        params = err.value.problems[0][2]
        assert translate(code, "zh", field=translate(f"grid.field.{field}", "zh"), **params) == message
    # solved may exceed this month's reports when the backlog is cleared
    saved = grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=current_month(),
                                       values={**good, "problems_reported": 5, "problems_carried": 2, "problems_solved": 7})
    assert saved.values["problems_solved"] == 7
    with pytest.raises(DomainError) as future:
        grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=month_add(current_month(), 1),
                                   values=good)
    assert future.value.code == "grid.rule.future_period" and future.value.field == "period"


def test_outlier_needs_confirmation_then_is_listed(engine):
    street = users.actor_for(engine, "street")
    grid = street_grids(engine)[1]
    values = typical_values(engine, grid.id)
    values["served"] *= 10
    with pytest.raises(grid_reports.NeedsConfirmation) as err:
        grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=current_month(), values=values)
    assert [(f, c) for f, c, _ in err.value.problems] == [("served", "grid.rule.outlier")]
    assert count_rows(engine, GridReport, GridReport.period == current_month()) == 0
    saved = grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=current_month(), values=values,
                                       confirm_outliers=True)
    assert saved.confirmed == ["served"]
    listed = gi.outliers(engine, actor=street, unit=org_units.scope_unit(engine, actor=street),
                         period=parse_period(current_month()))
    assert listed[["grid_code", "code", "value"]].values.tolist() == [[grid.code, "served", values["served"]]]
    assert bool(listed["confirmed"].item())


def test_month_locks_after_due_day_until_an_admin_reopens(engine, monkeypatch):
    street, admin = users.actor_for(engine, "street"), users.actor_for(engine, "admin")
    month = last_due_month()
    due = grid_periods.due_date(month)
    grid = street_grids(engine)[2]
    values = typical_values(engine, grid.id)
    set_today(monkeypatch, due)  # the due day itself is still open
    assert not grid_reports.get_report(engine, actor=street, grid_id=grid.id, period=month).locked
    with pytest.raises(DomainError) as not_locked:
        grid_reports.reopen(engine, actor=admin, grid_id=grid.id, period=month, reason="更正录入错误")
    assert not_locked.value.code == "grid.error.not_locked"
    set_today(monkeypatch, due + timedelta(days=1))
    state = grid_reports.get_report(engine, actor=street, grid_id=grid.id, period=month)
    assert state.locked and state.status == "submitted"
    for actor in (street, admin):  # the admin too must reopen first, so the change is on record
        with pytest.raises(DomainError) as locked:
            grid_reports.submit_report(engine, actor=actor, grid_id=grid.id, period=month, values=values)
        assert locked.value.code == "grid.error.locked" and locked.value.field == "period"
    with pytest.raises(PermissionDenied):
        grid_reports.reopen(engine, actor=street, grid_id=grid.id, period=month, reason="想改一下数据")
    with pytest.raises(InvalidInput) as no_reason:
        grid_reports.reopen(engine, actor=admin, grid_id=grid.id, period=month, reason="  ")
    assert no_reason.value.field == "reason"
    opened = grid_reports.reopen(engine, actor=admin, grid_id=grid.id, period=month, reason="社区更正活动场次")
    assert opened.status == "open" and opened.reopened and not opened.locked
    saved = grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=month, values=values)
    assert saved.locked and saved.on_time == state.on_time  # a correction keeps the first submission's timeliness
    with pytest.raises(DomainError):
        grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=month, values=values)
    with reading(engine) as s:
        audit_rows = s.execute(select(AuditLog.action, AuditLog.after).where(AuditLog.action.like("grid_report%"))
                               .order_by(AuditLog.id)).all()
    assert [a for a, _ in audit_rows] == ["grid_report_reopen", "grid_report_submit"]
    assert "社区更正活动场次" in audit_rows[0].after


@pytest.mark.reads_only
def test_a_month_not_yet_due_is_neither_late_nor_counted_in_the_rates(engine, monkeypatch):
    """On 2 December November's reports are coming in but not due until 10 December: it is "not yet
    due", never late or missing, and the year's completeness and on-time rates leave it out."""
    admin = users.actor_for(engine, "admin")
    district = _unit(engine, "510104")
    month = last_due_month()  # fully reported in the demo
    year = parse_period(month[:4])
    grids = gi.unit_summary(engine, actor=admin, unit=district, period=year)["grids"]

    def recount(last: str) -> tuple[int, int]:
        with reading(engine) as s:
            return tuple(s.execute(
                select(func.count(), func.sum(case((GridReport.on_time, 1), else_=0)))
                .join(OrgUnit, OrgUnit.id == GridReport.grid_id)
                .where(OrgUnit.district_id == district.id, GridReport.submitted_at.is_not(None),
                       GridReport.period.between(year.first, last))).one())

    set_today(monkeypatch, grid_periods.due_date(month))  # the due day: still open
    assert grid_periods.not_yet_due([month]) == [month] and last_due_month() == month_add(month, -1)
    rows = gi.reporting(engine, actor=admin, unit=district, period=parse_period(month))
    assert rows["expected"].eq(0).all() and rows["missing"].eq(0).all() and rows["late"].eq(0).all()
    assert rows["completeness"].isna().all() and set(rows["completeness_status"]) == {"not_due"}
    assert set(rows["on_time_rate_status"]) == {"not_due"} and rows["not_due"].sum() > 0
    summary = gi.unit_summary(engine, actor=admin, unit=district, period=year)
    months_due = len(grid_periods.month_range(year.first, month)) - 1
    assert summary["expected"] == grids * months_due
    if months_due:  # in January the year has no due month yet
        reports, on_time = recount(month_add(month, -1))
        assert summary["completeness"] == pytest.approx(reports / (grids * months_due))
        assert summary["on_time_rate"] == pytest.approx(on_time / (grids * months_due))
        assert summary["completeness"] > 0.9 and summary["on_time_rate_status"] in ("green", "amber")
    month_rows = gi.monthly(engine, actor=admin, unit=district, last=month, months=2)
    assert month_rows["on_time_rate_status"].tolist()[-1] == "not_due"

    set_today(monkeypatch, grid_periods.due_date(month) + timedelta(days=1))  # now it counts
    rows = gi.reporting(engine, actor=admin, unit=district, period=parse_period(month))
    assert rows["expected"].sum() == grids and rows["not_due"].eq(0).all()
    # the day after the due day the late reports are still coming in
    assert rows["completeness"].between(0.7, 1).all() and not set(rows["completeness_status"]) & {"not_due", None}
    summary = gi.unit_summary(engine, actor=admin, unit=district, period=year)
    reports, on_time = recount(month)
    assert summary["completeness"] == pytest.approx(reports / (grids * (months_due + 1)))


def test_missing_month_reopened_and_reported_late(engine, monkeypatch):
    admin = users.actor_for(engine, "admin")
    month = last_due_month()
    set_today(monkeypatch, grid_periods.due_date(month) + timedelta(days=3))
    with reading(engine) as s:
        reported = set(s.execute(select(GridReport.grid_id).where(GridReport.period == month)).scalars())
    grid = next(g for g in street_grids(engine, "2201") if g.id not in reported)
    grid_reports.reopen(engine, actor=admin, grid_id=grid.id, period=month, reason="补报遗漏月份")
    saved = grid_reports.submit_report(engine, actor=admin, grid_id=grid.id, period=month,
                                       values=typical_values(engine, grid.id))
    assert saved.reopened and not saved.on_time


def test_simultaneous_first_submissions_leave_one_report(engine):
    street = users.actor_for(engine, "street")
    grid = street_grids(engine)[3]
    values = typical_values(engine, grid.id)
    barrier, outcomes = threading.Barrier(4), []

    def submit(extra: int) -> None:
        barrier.wait()
        try:
            grid_reports.submit_report(engine, actor=street, grid_id=grid.id, period=current_month(),
                                       values={**values, "activities": values["activities"] + extra})
            outcomes.append("saved")
        except DomainError as err:
            outcomes.append(err.code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "saved" in outcomes and set(outcomes) <= {"saved", "grid.error.concurrent"}
    assert count_rows(engine, GridReport, GridReport.grid_id == grid.id, GridReport.period == current_month()) == 1
    assert count_rows(engine, IndicatorValue, IndicatorValue.grid_id == grid.id,
                  IndicatorValue.period == current_month()) == len(grid_reports.ENTERED)


