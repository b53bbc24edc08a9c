"""The leadership overview: its db layer against the areas' own readers and a naive recount, the home
page under leader and admin (figures, scope and year, every link's filter, the pages those links open),
and the briefing files opened with openpyxl and python-docx."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import parse_qs

import docx
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

from components import formatting
from components.overview import briefing, briefing_files
from db import clock
from db.community import dashboard as community_dashboard
from db.engine import reading
from db.errors import NotFound
from db.models.community import Proposal
from db.models.pipeline import Project
from db.models.scorecards import Evaluation
from db.org_units import get_unit
from db.overview import headline as overview
from db.overview import reads as overview_reads
from db.overview import rules as overview_rules
from db.pipeline import projects
from db.pipeline.projects import ProjectFilter
from db.scorecards import rectifications
from db.scorecards import results as eval_results
from db.scorecards.results import ResultFilter
from db.users import actor_for
from db.voting import campaigns as voting_campaigns
from db.voting import review as vote_review
from factories.app import signed_in
from factories.documents import word_problems

pytestmark = pytest.mark.calendar  # date-sensitive: CI runs these again at awkward instants



def _actor(engine, username, scope_code=None):
    actor = actor_for(engine, username)
    if scope_code:
        actor = overview.narrowed(actor, get_unit(engine, actor=actor, code=scope_code))
    return actor


# --- db layer ---------------------------------------------------------------------------------------

@pytest.mark.reads_only
@pytest.mark.parametrize("username,year", [("leader", 2019), ("leader", "this"), ("admin", "this")])
def test_money_by_domain_and_street_add_up_to_the_pipeline_summary(engine, username, year):
    year = clock.today().year if year == "this" else year  # the test's instant, not the import's
    actor = _actor(engine, username)
    total = projects.summary(engine, actor=actor, filters=ProjectFilter(year=year))
    for by in ("domain", "street"):
        frame = overview.money_by(engine, actor=actor, year=year, by=by)
        assert frame["projects"].sum() == total.projects > 0
        assert frame["budget"].sum() == total.budget
        assert frame["disbursed"].sum() == total.disbursed
        assert frame["contracted"].sum() == total.contracted


@pytest.mark.reads_only
def test_the_2019_release_reads_9730_wan_in_the_overview(engine):
    ov = overview.overview(engine, actor=_actor(engine, "leader"), year=2019, today=clock.today())
    assert ov.pipeline.projects == 260 and ov.pipeline.budget == 97_300_000
    assert {h.key: h.value for h in briefing.headlines(ov, "zh")}["ov.h.budget"] == "9,730 万元"
    assert ov.vote is not None and ov.vote.status == "published" and ov.vote.winners == 10
    assert ov.vote.pending_flags == 0  # the published campaign's review is over


@pytest.mark.reads_only
def test_a_narrowed_view_never_widens_and_matches_the_street_filter(engine):
    leader = actor_for(engine, "leader")
    admin = actor_for(engine, "admin")
    lvyuan = get_unit(engine, actor=admin, code="220106")
    with pytest.raises(NotFound):
        overview.narrowed(leader, lvyuan)  # a leader of 锦江区 cannot look at 绿园区
    street = get_unit(engine, actor=admin, code="510104001")
    narrow = overview.narrowed(admin, street)
    assert (narrow.scope_level, narrow.scope_id, narrow.role, narrow.user_id) == ("street", street.id, "admin",
                                                                                   admin.user_id)
    by_filter = projects.summary(engine, actor=admin, filters=ProjectFilter(year=2019, street_id=street.id))
    ov = overview.overview(engine, actor=narrow, year=2019, today=clock.today())
    assert ov.pipeline == by_filter and 0 < ov.pipeline.projects < 260
    assert ov.results == eval_results.summary(engine, actor=admin, filters=ResultFilter(year=2019, street_id=street.id),
                                              today=clock.today())
    assert ov.scope_district_code == "510104"


@pytest.mark.reads_only
def test_failed_evaluations_are_the_completed_ones_graded_fail(engine):
    leader = actor_for(engine, "leader")
    listed = eval_results.evaluation_list(engine, actor=leader, filters=ResultFilter(year=2019))
    expected = set(listed[(listed["grade"] == "fail") & (listed["status"] == "completed")]["id"])
    failed = overview.failed_evaluations(engine, actor=leader, year=2019, today=clock.today())
    assert set(failed["evaluation_id"]) == expected and expected
    assert list(failed["result"]) == sorted(failed["result"])  # worst first


@pytest.mark.reads_only
def test_alerts_count_what_the_area_readers_count(engine):
    admin = actor_for(engine, "admin")
    ov = overview.overview(engine, actor=admin, year=clock.today().year, today=clock.today())
    alerts = {a.kind: a for a in ov.alerts}
    assert alerts["stage_overdue"].count == projects.summary(engine, actor=admin, today=clock.today()).overdue > 0
    assert alerts["rectification_overdue"].count == rectifications.counts(engine, actor=admin, today=clock.today())["overdue"]
    failed = overview.failed_evaluations(engine, actor=admin, today=clock.today())
    assert alerts["failed_evaluation"].count == int(((failed["items"] == 0) | (failed["open_items"] > 0)).sum())
    assert alerts["red_grids"].params["month"] == ov.red_month


@pytest.mark.reads_only
def test_red_grids_and_weakest_grids_match_a_naive_recount(engine):
    """Sum reported and solved per grid first, then divide: recounted here from the raw value rows."""
    leader = actor_for(engine, "leader")
    ov = overview.overview(engine, actor=leader, year=clock.today().year, today=clock.today())
    with engine.connect() as conn:
        values = pd.read_sql("select v.grid_id, v.period, v.code, v.value from indicator_value v "
                             "join org_unit g on g.id = v.grid_id where g.district_id = "
                             f"{leader.scope_id} and v.code in ('problems_reported', 'problems_solved')", conn)
        amber = conn.exec_driver_sql("select amber_from from indicator where code = 'resolution_rate'").scalar()
    month = values[values["period"] == ov.red_month].pivot_table(index="grid_id", columns="code", values="value",
                                                                 aggfunc="sum")
    rate = month["problems_solved"] / month["problems_reported"]
    assert {a.kind: a.count for a in ov.alerts}.get("red_grids", 0) == int((rate < amber).sum())
    assert ov.weakest_month == ov.red_month  # this year: the latest complete month
    year = values[values["period"] == ov.weakest_month].pivot_table(index="grid_id", columns="code",
                                                                    values="value", aggfunc="sum")
    year = year[year["problems_reported"] >= overview.WEAKEST_MIN_REPORTED]
    lowest = (year["problems_solved"] / year["problems_reported"]).sort_values().head(overview.WEAKEST_GRIDS)
    assert list(ov.weakest_grids["rate"].round(9)) == list(lowest.round(9))


def test_closing_a_failed_evaluations_rectification_clears_its_alert(engine):
    admin = actor_for(engine, "admin")
    failed = overview.failed_evaluations(engine, actor=admin, today=clock.today())
    target = failed[failed["items"] == 0].iloc[0]
    before = {a.kind: a.count for a in overview.overview(engine, actor=admin, year=clock.today().year, today=clock.today()).alerts}
    rectifications.create_items(engine, actor=admin, evaluation_id=int(target["evaluation_id"]), items=[
        {"finding": "服务记录不完整", "owner": "承接机构", "due_on": clock.today()}])
    item = rectifications.list_items(engine, actor=admin, evaluation_id=int(target["evaluation_id"])).iloc[0]
    rectifications.close_item(engine, actor=admin, item_id=int(item["id"]), evidence="已补齐服务台账并复核")
    after = {a.kind: a.count for a in overview.overview(engine, actor=admin, year=clock.today().year, today=clock.today()).alerts}
    assert after["failed_evaluation"] == before["failed_evaluation"] - 1


def test_only_leaders_and_admins_read_the_overview(engine):
    with pytest.raises(Exception) as refused:
        overview.overview(engine, actor=actor_for(engine, "street"), year=clock.today().year, today=clock.today())
    assert type(refused.value).__name__ == "PermissionDenied"


# --- the home page ----------------------------------------------------------------------------------

def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _links(at) -> list[tuple[str, str, dict]]:
    return [(link.proto.label, link.proto.page, {k: v[0] for k, v in parse_qs(link.proto.query_string).items()})
            for link in at.main.get("page_link")]


def _expected_metrics(ov) -> dict[str, str]:
    heads = {h.key: h.value for h in briefing.headlines(ov, "zh")}
    return {"项目数": heads["ov.h.projects"], "已拨付资金": formatting.headline_money(ov.pipeline.disbursed, "zh"),
            "已完成评估": heads["ov.h.evaluations"], "十佳评选有效票": f"{ov.vote.valid:,}" if ov.vote else "—",
            "问题办结率": heads["ov.h.resolution"] if briefing.has_grid_data(ov) else "—",
            # 社区营造's year
            "收集居民建议": f"{ov.community.collected:,}", "议事会采纳": f"{ov.community.adopted:,}",
            "实施完成": f"{ov.community.carried_out:,}", "居民已评价": f"{ov.community.evaluated:,}",
            # 五社联动·微创投's year: the 五社联动 dashboard's figures (db/linkage/dashboard.py)
            "联动村居": f"{ov.linkage.year.communities:,}", "筹集资金": formatting.wan_yuan(ov.linkage.year.raised, "zh"),
            "资助项目（含微创投）": f"{ov.linkage.year.projects_funded + ov.linkage.year.microgrant_funded:,}",
            "举办活动": f"{ov.linkage.year.activities:,}", "服务人次": f"{ov.linkage.year.people_served:,}"}


@pytest.mark.calendar("year", "leap")
@pytest.mark.parametrize("role", ["leader", "admin"])
def test_home_figures_equal_the_db_layer_for_scope_and_year(app_db, role):
    at = signed_in(role)
    ov = overview.overview(app_db, actor=actor_for(app_db, role), year=clock.today().year, today=clock.today())
    assert _metrics(at) == _expected_metrics(ov)
    at.selectbox(key="ov_year").select(2019).run()
    assert not at.exception and at.query_params["year"] in ("2019", ["2019"])
    ov2019 = overview.overview(app_db, actor=actor_for(app_db, role), year=2019, today=clock.today())
    assert _metrics(at) == _expected_metrics(ov2019) and _metrics(at)["项目数"] == "260"
    assert any("9,730 万元" in str(c.value) for c in at.caption)  # budget beside the disbursed figure


@pytest.mark.reads_only
def test_the_overviews_reductions_equal_the_full_reads(engine):
    """What the overview reduces in SQL (red grids and the weakest of a month; last year's 社区营造 without its
    year-free alerts) is what the full per-grid rates and the area's own reader give."""
    amber = float(overview.grid_indicators.definitions(engine).loc["resolution_rate", "amber_from"])
    for username in ("leader", "admin"):
        actor = actor_for(engine, username)
        unit = get_unit(engine, actor=actor, unit_id=actor.scope_id)
        ov = overview.overview(engine, actor=actor, year=clock.today().year, today=clock.today())
        for month in (ov.red_month, f"{clock.today().year - 1}-06", "1999-01"):
            full = overview_reads.grid_rates(engine, actor=actor, unit=unit, months=[month])
            got = overview_reads.month_rates(engine, actor=actor, unit=unit, month=month, amber_from=amber,
                                             limit=overview.WEAKEST_GRIDS, min_reported=overview.WEAKEST_MIN_REPORTED)
            want = full[full["reported"] >= overview.WEAKEST_MIN_REPORTED].head(overview.WEAKEST_GRIDS)
            assert got.red == len(overview_rules.red_grids(full, amber))
            pd.testing.assert_frame_equal(got.weakest, want[["grid_id", "reported", "solved", "rate"]].reset_index(
                drop=True), check_exact=True)
        assert ov.community_last_year == community_dashboard.overview_facts(
            engine, actor=actor, year=clock.today().year - 1, today=clock.today())


@pytest.mark.reads_only
def test_the_overviews_vote_counts_and_worst_contractors_equal_the_areas_readers(engine):
    """The overview's narrower reads give what the areas' full readers give: its vote counts the review's summary
    (live and, for the published 2019 campaign with its voided burst, stored) and the admin's case list; its worst
    contractors, cut in SQL, the league table's lowest by mean result and name."""
    admin = actor_for(engine, "admin")
    campaigns = voting_campaigns.list_campaigns(engine, actor=admin)
    assert {"open", "published"} <= set(campaigns["status"])
    for campaign_id in campaigns["id"]:
        campaign = voting_campaigns.get_campaign(engine, actor=admin, campaign_id=int(campaign_id))
        got = overview_reads.vote_counts(engine, campaign)
        cases = len(voting_campaigns.admin_cases(engine, actor=admin, campaign_id=campaign.id))
        for live in (False, True):
            summary = vote_review.summary(engine, actor=admin, campaign_id=campaign.id, live=live)
            assert got == {"valid": summary["valid"], "void": summary["void"], "voters": summary["voters"],
                           "cases": cases}, (campaign.status, live)
        if campaign.status == "published":
            assert got["void"] > 0 and got["valid"] > 90_000
    for username, scope in (("leader", None), ("admin", None), ("admin", "510104001")):
        actor = _actor(engine, username, scope)
        full = eval_results.league_table(engine, actor=actor)
        for limit in (overview_rules.WORST_CONTRACTORS, 1, len(full) + 1):
            want = full.sort_values(["mean_result", "name"]).head(limit).reset_index(drop=True)
            # exact values; a rating column without a gap comes back int64 where the whole table's had NaN elsewhere
            pd.testing.assert_frame_equal(eval_results.league_table(engine, actor=actor, lowest=limit), want,
                                          check_exact=True, check_dtype=False)
        assert len(full) > overview_rules.WORST_CONTRACTORS or scope


@pytest.mark.reads_only
def test_last_year_to_the_same_day_matches_a_naive_recount(engine):
    today = clock.today()  # the fixed clock of the run (and each calendar instant)
    year, until = today.year, overview_reads.same_day_last_year(today)
    leader = actor_for(engine, "leader")
    end = clock.local_day_start(until + timedelta(days=1))
    with reading(engine) as s:  # a naive recount of last year as it stood on the same day
        mine = Project.district_id == leader.scope_id
        created = s.execute(select(func.count(), func.coalesce(func.sum(Project.budget), 0))
                            .where(mine, Project.year == year - 1, Project.created_at < end)).one()
        done = s.execute(select(func.count()).select_from(Evaluation).join(Project, Project.id == Evaluation.project_id)
                         .where(mine, Project.year == year - 1, Evaluation.status == "completed",
                                Evaluation.completed_at < end)).scalar_one()
        collected = s.execute(select(func.count()).select_from(Proposal).where(
            Proposal.district_id == leader.scope_id, Proposal.submitted_on.between(date(year - 1, 1, 1), until))
        ).scalar_one()
    assert overview_reads.same_period_last_year(engine, actor=leader, year=year, today=today) == \
        overview_reads.SamePeriod(until=until, projects=created[0], budget=created[1], evaluations=done,
                                  proposals=collected)
    assert overview_reads.same_period_last_year(engine, actor=leader, year=year - 1, today=today) is None
    assert overview_reads.same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)


@pytest.mark.calendar("year", "leap")
def test_a_year_still_running_is_compared_with_the_same_months_of_the_last(app_db):
    today = clock.today()
    year = today.year
    ov = overview.overview(app_db, actor=actor_for(app_db, "leader"), year=year, today=today)
    then = ov.last_year_to_date.projects  # last year to this day (recounted in the test above)
    at = signed_in("leader")
    span = f"1月1日–{today.month}月{today.day}日"
    table = next(d.value for d in at.dataframe if "指标" in d.value.columns and "较上年同期" in d.value.columns)
    assert list(table.columns) == ["指标", f"{year}年（{span}）", f"{year - 1}年同期（{span}）", "较上年同期",
                                   f"{year - 1}年全年"]
    rows = table.set_index("指标")
    assert rows.loc["项目数", f"{year - 1}年同期（{span}）"] == f"{then:,}"
    change = ov.pipeline.projects - then
    assert rows.loc["项目数", "较上年同期"] == ("+" if change > 0 else "") + f"{change:,}"
    assert rows.loc["项目数", f"{year - 1}年全年"] == f"{ov.pipeline_last_year.projects:,}"
    assert rows.loc["已拨付资金", "较上年同期"] == "—"  # money paid keeps no history: never part against whole
    cards = {m.label: m for m in at.metric}
    assert cards["项目数"].delta == f"{('+' if change > 0 else '')}{change:,}（较上年同期）"
    assert cards["已拨付资金"].delta in (None, "")
    assert any(f"{year}年尚未结束" in c.value for c in at.caption)
    assert list(briefing.community_rows(ov, "zh").columns)[1:] == [f"{year}年（{span}）", f"{year - 1}年全年"]
    at.selectbox(key="ov_year").select(2019).run()  # a finished year: the whole of the one before
    table = next(d.value for d in at.dataframe if "指标" in d.value.columns and "同比变化" in d.value.columns)
    assert list(table.columns) == ["指标", "2019年", "2018年", "同比变化"]
    assert not any("较上年同期" in (m.delta or "") for m in at.metric)


@pytest.mark.calendar("year", "leap")
def test_every_link_carries_its_filter(app_db):
    at = signed_in("leader")
    links = _links(at)
    year = str(clock.today().year)
    targets = {page for _, page, _ in links}
    assert {"projects", "eval_results", "vote_review", "grid_dashboard", "rectifications"} <= targets
    for label, page, params in links:
        assert params, f"{label} links to {page} without a filter"
        if page in ("eval_results", "grid_dashboard") and "grade" not in params and "ind" not in params:
            assert params.get("year", params.get("period", "")).startswith(year) or params.get("period"), label
    by_label = {label: (page, params) for label, page, params in links}
    assert by_label["查看本年度项目"] == ("projects", {"year": year})
    assert by_label["查看评估结果"] == ("eval_results", {"year": year})
    assert by_label["查看网格办结率"] == ("grid_dashboard", {"unit": "510104", "period": year, "ind": "resolution_rate"})
    overdue = [params for label, page, params in links if page == "projects" and "stage" in params]
    assert overdue and all(p["overdue"] == "1" and p["year"] == year for p in overdue)
    alert_pages = {page: params for label, page, params in links if "超过" in label or "预警" in label}
    assert alert_pages["projects"] == {"overdue": "1"}
    assert alert_pages["rectifications"] == {"status": "open", "overdue": "1"}


@pytest.mark.calendar("year", "leap")
def test_scope_selector_narrows_every_figure_and_link(app_db):
    at = signed_in("admin")
    at.selectbox(key="ov_district").select("510104").run()
    at.selectbox(key="ov_street").select("510104001").run()
    assert not at.exception and at.query_params["scope"] in ("510104001", ["510104001"])
    narrow = _actor(app_db, "admin", "510104001")
    ov = overview.overview(app_db, actor=narrow, year=clock.today().year, today=clock.today())
    assert _metrics(at) == _expected_metrics(ov)
    assert ov.pipeline.projects < overview.overview(app_db, actor=actor_for(app_db, "admin"), year=clock.today().year,
                                                    today=clock.today()).pipeline.projects
    for label, page, params in _links(at):
        expected = "510104" if page == "vote_review" else "510104001"  # campaigns belong to districts
        assert params.get("scope") == expected, label
    assert any("查看范围：春熙路街道" in c.value for c in at.sidebar.caption)
    sidebar = {link.proto.page: link.proto.query_string for link in at.sidebar.get("page_link")}
    assert sidebar["projects"] == "scope=510104001"  # the menu keeps the narrowed view


@pytest.mark.calendar("year", "leap")
def test_a_scope_outside_the_users_own_is_ignored_with_a_warning(app_db):
    at = signed_in("leader", {"scope": "220106"})  # 绿园区: not the leader's district
    assert not at.exception
    assert any("不在您的管辖范围内" in w.value for w in at.warning)
    ov = overview.overview(app_db, actor=actor_for(app_db, "leader"), year=clock.today().year, today=clock.today())
    assert _metrics(at) == _expected_metrics(ov)


@pytest.mark.calendar("year", "leap")
def test_the_links_open_their_pages_with_the_filter_applied(app_db):
    at = signed_in("leader")
    leader = actor_for(app_db, "leader")
    at.switch_page("pages/projects.py").run()
    at.query_params.clear()
    at.query_params.update({"overdue": "1"})
    at.run()
    assert at.toggle(key="pipe_f_overdue").value is True
    assert _metrics(at)["项目数"] == str(projects.summary(app_db, actor=leader, today=clock.today()).overdue)
    at.switch_page("pages/compliance.py").run()
    at.query_params.clear()
    at.query_params.update({"check": "contractor_rating"})
    at.run()
    assert not at.exception and at.selectbox(key="pipe_compliance_check").value == "contractor_rating"
    at.switch_page("pages/eval_results.py").run()
    at.query_params.clear()
    at.query_params.update({"grade": "fail", "year": "2019"})
    at.run()
    assert not at.exception and at.selectbox(key="res_grade").value == "fail"
    table = next(df.value for df in at.dataframe if "等级" in df.value.columns)
    assert set(table["等级"]) == {"不合格"} and len(table) == len(
        overview.failed_evaluations(app_db, actor=leader, year=2019, today=clock.today()))


@pytest.mark.calendar("year", "leap")
def test_the_home_offers_both_briefing_files(app_db):
    at = signed_in("leader")
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"下载数据工作簿（Excel）", "下载领导简报（Word）"} <= buttons


# --- the briefing files -----------------------------------------------------------------------------

@pytest.mark.reads_only
def test_the_workbook_has_one_sheet_per_area_in_wan_yuan(engine):
    ov = overview.overview(engine, actor=actor_for(engine, "leader"), year=2019, today=clock.today())
    book = openpyxl.load_workbook(io.BytesIO(briefing_files.workbook(ov, "zh")))
    assert book.sheetnames == ["概览", "项目与资金", "第三方评估", "十佳评选", "网格指标", "社区营造", "五社联动", "预警事项"]
    linkage = {row[0]: row[1] for row in book["五社联动"].iter_rows(min_row=5, values_only=True)}
    assert linkage["举办活动"] == f"{ov.linkage.year.activities:,}" and "联动村居" in linkage
    rows = list(book["项目与资金"].iter_rows(values_only=True))
    heading = next(i for i, row in enumerate(rows) if row[0] == "服务领域")
    budget_col = rows[heading].index("预算（万元）")
    budgets = []
    for row in rows[heading + 1:]:
        if not row[0]:
            break
        budgets.append(row[budget_col])
    assert round(sum(budgets), 2) == 9730.0
    summary = [row for row in book["概览"].iter_rows(values_only=True)]
    assert ("预算金额", "9,730 万元") == summary[5][:2]  # file title, blank, table title, headings, projects
    assert summary[0][0].startswith("领导简报（") and book["概览"].print_title_rows == "$1:$4"
    alerts = [row[0] for row in book["预警事项"].iter_rows(values_only=True)][4:]
    assert alerts == briefing.alert_lines(ov, "zh") and alerts


@pytest.mark.reads_only
def test_the_word_briefing_holds_figures_charts_and_alerts(engine):
    ov = overview.overview(engine, actor=actor_for(engine, "admin"), year=clock.today().year, today=clock.today())
    document = docx.Document(io.BytesIO(briefing_files.word(ov, "zh")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "领导简报" in text and "预警事项" in text
    for line in briefing.alert_lines(ov, "zh"):
        assert line in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert briefing.headlines(ov, "zh")[0].value in cells and "已拨付资金" in cells
    assert f"{clock.today().year}年社区营造" in text and {"收集居民建议", f"{ov.community.collected:,}"} <= cells
    linkage = briefing.linkage_rows(ov, "zh")  # the whole city holds 番禺区's 五社联动: its section is in the file
    assert briefing.has_linkage_data(ov) and set(linkage.iloc[:, 1]) <= cells and linkage.iloc[:, 0].iloc[0] in cells
    assert len(document.inline_shapes) == len(briefing.chart_list(ov, "zh")) >= 3
    style = document.styles["Normal"].element.rPr.rFonts
    assert style.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"
    assert word_problems(document) == []  # the 公文 page, fonts and page numbers
    # the home page sends these specs unvalidated (components/overview/data.py): they pass Vega-Lite's schema here
    for chart in (briefing.money_chart(ov, "domain", "zh"), briefing.money_chart(ov, "street", "en"),
                  briefing.grade_chart(ov, "zh")):
        assert chart is not None and chart.to_dict()["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


@pytest.mark.reads_only
def test_the_english_briefing_has_no_untranslated_chinese_labels(engine):
    ov = overview.overview(engine, actor=actor_for(engine, "leader"), year=clock.today().year, today=clock.today())
    book = openpyxl.load_workbook(io.BytesIO(briefing_files.workbook(ov, "en")))
    headings = [c for ws in book.worksheets for c in next(ws.iter_rows(min_row=4, max_row=4, values_only=True))]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in str(h or "")) for h in headings), headings
