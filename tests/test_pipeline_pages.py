"""The pipeline pages through AppTest: the 2019 release by link, filters in the URL, the admin's stage
moves and the tender rule through the forms, street scope, and the Excel download."""

import io
import json

import openpyxl
from sqlalchemy import func, select

from components.pipeline import export as pipeline_export
from db import clock, users
from db.engine import reading
from db.models import OrgUnit
from db.models.pipeline import CatalogueItem, Project, SocialOrg
from db.pipeline import projects, rules
from db.pipeline.projects import ProjectFilter
from db.pipeline.social_orgs import rating_status
from factories.app import signed_in


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _open(role, page, **query):
    at = signed_in(role)
    at.switch_page(f"pages/{page}.py").run()
    if query:
        at.query_params.update(query)
        at.run()
    assert not at.exception, at.exception
    return at


def _frame_with(at, heading):
    return next(df.value for df in at.dataframe if heading in df.value.columns)


def test_leader_opening_year_2019_sees_260_projects_and_9730_wan(app_db):
    at = _open("leader", "projects", year="2019")
    figures = _metrics(at)
    assert figures["项目数"] == "260" and figures["预算金额"] == "9,730 万元"
    assert at.selectbox(key="pipe_f_year").value == 2019
    table = _frame_with(at, "项目名称")  # a page of 100 at a time: the browser is never sent the whole list
    assert len(table) == 100 and set(table["发布批次"]) == {"2019年项目发布会"}
    assert len(at.get("vega_lite_chart")) == 4
    at.number_input(key="pipe_list_page").set_value(3).run()
    last = _frame_with(at, "项目名称")
    assert len(last) == 60 and set(last["发布批次"]) == {"2019年项目发布会"}
    assert not set(last["项目名称"]) & set(table["项目名称"])


def test_filters_are_written_to_the_url_and_narrow_every_figure(app_db):
    at = _open("leader", "projects", year="2019")
    at.selectbox(key="pipe_f_domain").select("governance").run()
    assert at.query_params["domain"] in ("governance", ["governance"])
    assert at.query_params["year"] in ("2019", ["2019"])
    leader = users.actor_for(app_db, "leader")
    expected = projects.summary(app_db, actor=leader, filters=ProjectFilter(year=2019, domain="governance"))
    assert _metrics(at)["项目数"] == str(expected.projects) and expected.projects < 260
    at.selectbox(key="pipe_f_year").select(None).run()
    assert "year" not in at.query_params
    at.query_params["street"] = "510104003"
    at.run()
    assert set(_frame_with(at, "项目名称")["街道/镇"]) == {"合江亭街道"}


def test_admin_advances_a_project_through_the_form_and_the_timeline_shows_it(app_db):
    with reading(app_db) as s:
        code = s.execute(select(Project.code).where(Project.stage == "needs_survey").order_by(Project.code)).scalar()
    at = _open("admin", "project_detail", project=code)
    at.text_area(key="pipe_advance_note").input("需求调研报告经街道党工委审定")
    at.button(key="pipe_advance_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("目标确立" in s.value for s in at.success)
    timeline = _frame_with(at, "新阶段")
    assert timeline.iloc[0]["备注"] == "需求调研报告经街道党工委审定"
    assert (timeline.iloc[0]["原阶段"], timeline.iloc[0]["新阶段"]) == ("需求摸排", "目标确立")
    assert timeline.iloc[0]["操作人"] == "区民政局 管理员"
    with reading(app_db) as s:
        assert s.execute(select(Project.stage).where(Project.code == code)).scalar() == "goal_setting"


def _tender_with_unrated_contractor(engine) -> str:
    today = clock.today()
    with reading(engine) as s:
        code = s.execute(select(Project.code).join(SocialOrg, SocialOrg.id == Project.contractor_org_id)
                         .join(OrgUnit, OrgUnit.id == Project.district_id)
                         .where(Project.stage == "tender", OrgUnit.code == "510104",
                                Project.contract_amount.is_not(None), rating_status(today) != "ok")
                         .order_by(Project.code)).scalar()
    assert code, "the demo has a tender whose bidder is below 3A"
    return code


def test_tender_without_a_valid_3a_contractor_is_refused_unless_an_exception_is_recorded(app_db):
    code = _tender_with_unrated_contractor(app_db)
    at = _open("admin", "project_detail", project=code)
    assert any("例外理由" in w.value for w in at.warning)
    at.button(key="pipe_advance_submit").click().run()
    assert any("承接组织" in e.value and "3A" in e.value for e in at.error)
    with reading(app_db) as s:
        assert s.execute(select(Project.stage).where(Project.code == code)).scalar() == "tender"
    at.text_area(key="pipe_exception_reason").input("该服务领域区内仅此一家机构具备资质")
    at.button(key="pipe_advance_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    with reading(app_db) as s:
        row = s.execute(select(Project.stage, Project.rating_exception).where(Project.code == code)).one()
    assert row == ("implementation", "该服务领域区内仅此一家机构具备资质")
    assert "该服务领域区内仅此一家机构具备资质" in _frame_with(at, "新阶段").iloc[0]["备注"]


def test_street_user_sees_only_their_street(app_db):
    at = _open("street", "projects")
    table = _frame_with(at, "项目名称")
    street = users.actor_for(app_db, "street")
    assert len(table) == projects.summary(app_db, actor=street).projects > 0
    assert set(table["街道/镇"]) == {"春熙路街道"}
    assert at.selectbox(key="pipe_f_street").disabled
    with reading(app_db) as s:
        elsewhere = s.execute(select(Project.code).join(OrgUnit, OrgUnit.id == Project.street_id)
                              .where(OrgUnit.name == "水井坊街道")).scalar()
    at.switch_page("pages/project_detail.py").run()
    at.query_params["project"] = elsewhere
    at.run()
    assert any("不在您的管辖范围" in w.value for w in at.warning)
    assert not at.metric and not at.dataframe


def test_excel_download_holds_the_filtered_rows(app_db):
    leader = users.actor_for(app_db, "leader")
    frame = projects.list_projects(app_db, actor=leader, filters=ProjectFilter(year=2019, domain="charity"))
    book = openpyxl.load_workbook(io.BytesIO(pipeline_export.excel_file(frame, "zh")))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    headings, body = rows[0], rows[1:]
    assert "项目名称" in headings and "预算（万元）" in headings and "服务领域" in headings
    assert len(body) == len(frame) > 0
    assert {row[headings.index("项目编号")] for row in body} == set(frame["code"])
    assert {row[headings.index("服务领域")] for row in body} == {"慈善救助"}
    assert round(sum(row[headings.index("预算（万元）")] for row in body) * 10_000) == frame["budget"].sum()
    csv = pipeline_export.csv_file(frame, "zh")
    assert csv.startswith(b"\xef\xbb\xbf") and len(csv.decode("utf-8-sig").strip().splitlines()) == len(frame) + 1
    at = _open("leader", "projects", year="2019", domain="charity")
    assert {b.label for b in at.get("download_button")} >= {"下载 Excel", "下载 CSV"}


def test_registry_compliance_and_catalogue_pages_show_their_figures(app_db):
    at = _open("leader", "social_orgs")
    figures = _metrics(at)
    assert (figures["登记"], figures["备案"]) == ("230", "149")
    at = _open("admin", "compliance")
    listed = _frame_with(at, "检查项")
    assert {"阶段时限", "承接组织评级", "人员经费占比", "管理费占比", "拨付不超合同", "指导目录"} <= set(listed["检查项"])
    # marks every Chinese font has (an emoji ❌ was an empty box without an emoji font)
    assert "× 不合规" in set(listed["结果"]) and not any(ch in "".join(listed["结果"]) for ch in "✅❌⚠")
    at = _open("leader", "catalogue")
    assert _metrics(at)["目录大类"] == "5" and any("不在指导目录内" in w.value for w in at.warning)


def test_compliance_labels_the_rows_it_shows_and_the_file_holds_every_row(app_db, monkeypatch):
    """Only the first rows are labelled and drawn on each run; the download, built when asked for, labels
    every finding and carries the plain project code instead of the link."""
    from components import tables
    from components.pipeline import compliance

    built = {}

    def downloads(frame, *, name, key):
        built[key] = frame() if callable(frame) else frame

    monkeypatch.setattr(compliance, "SHOWN", 3)
    monkeypatch.setattr(tables, "downloads", downloads)
    at = _open("admin", "compliance")
    shown, every = _frame_with(at, "检查项"), built["pipe_compliance"]
    assert len(shown) == 3 and len(every) > 3
    assert any(f"共 {len(every)} 条" in c.value for c in at.caption)
    assert list(every.columns) == list(shown.columns) and every.head(3)["结果"].tolist() == shown["结果"].tolist()
    codes = every["项目编号"].tolist()
    assert all(code and "/" not in code and "?" not in code for code in codes)  # plain codes, not links
    assert shown["项目编号"].str.contains("project_detail").all()


def test_admin_registers_a_project_and_lands_on_its_detail(app_db):
    at = _open("admin", "project_admin")
    with reading(app_db) as s:
        item = s.execute(select(CatalogueItem.id).where(CatalogueItem.code == "A06")).scalar_one()
    at.selectbox(key="pipe_new_catalogue").select(item)
    at.text_input(key="pipe_new_title").input("春熙路街道社区书院运营项目（三期）")
    at.text_input(key="pipe_new_buyer").input("春熙路街道办事处")
    at.text_input(key="pipe_new_budget").input("300,000")
    at.text_input(key="pipe_new_personnel_cost").input("200000")
    at.button(key="pipe_create_submit").click().run()
    assert any("人员经费" in e.value and "60%" in e.value for e in at.error)
    at.text_input(key="pipe_new_personnel_cost").input("150000")
    at.button(key="pipe_create_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已登记项目" in s.value for s in at.success)
    with reading(app_db) as s:
        stage = s.execute(select(Project.stage).where(Project.title == "春熙路街道社区书院运营项目（三期）")).scalar()
    assert stage == "needs_survey"


def test_a_budget_of_1e308_is_refused_with_the_fields_limit_not_saved_as_1_yuan(app_db):
    """The browser's integer box read "1e308" with parseInt (1 yuan); the amount boxes are text now and the
    db layer answers, naming the field and its limit, in either language."""
    def attempt(lang):
        at = _open("admin", "project_admin", **({"lang": lang} if lang != "zh" else {}))
        at.text_input(key="pipe_new_title").input("超大预算测试项目")
        at.text_input(key="pipe_new_buyer").input("春熙路街道办事处")
        at.text_input(key="pipe_new_budget").input("1e308")
        at.text_input(key="pipe_new_target_beneficiaries").input("1e308")
        at.button(key="pipe_create_submit").click().run()
        assert not at.exception, at.exception
        return " ".join(e.value for e in at.error).replace("\\", "")  # st.error's markdown escapes

    zh = attempt("zh")
    assert "预算金额（元）" in zh and "不能超过 100 亿元" in zh and "计划服务人数" in zh
    en = attempt("en")
    assert "Budget (yuan)" in en and "10,000,000,000 yuan" in en
    with reading(app_db) as s:
        assert s.execute(select(Project.id).where(Project.title == "超大预算测试项目")).first() is None


def test_a_long_contractor_filter_offers_the_matches_of_its_search_box(app_db):
    at = _open("leader", "projects")
    leader = users.actor_for(app_db, "leader")
    contractors = projects.filter_options(app_db, actor=leader).contractors
    assert len(contractors) > 50  # the demo's 锦江区 already has more than a select should send
    offered = at.selectbox(key="pipe_f_contractor").options
    assert len(offered) == 51  # "all" and the first 50
    name = sorted(contractors.values())[-1]
    at.text_input(key="pipe_f_contractor_q").input(name).run()
    offered = at.selectbox(key="pipe_f_contractor").options
    assert name in offered and len(offered) < 51
    org_id = next(i for i, n in contractors.items() if n == name)
    at.selectbox(key="pipe_f_contractor").select(org_id).run()
    assert at.query_params["contractor"] in (str(org_id), [str(org_id)])
    assert _metrics(at)["项目数"] == str(projects.summary(app_db, actor=leader,
                                                           filters=ProjectFilter(contractor_org_id=org_id)).projects)


def test_overdue_projects_by_street_are_counted_on_the_overdue_list_and_in_its_excel(app_db):
    at = _open("leader", "projects", overdue="1")
    leader = users.actor_for(app_db, "leader")
    today = clock.today()
    with reading(app_db) as s:  # a naive recount: late in one of the six stages, within 锦江区
        counted = dict(s.execute(
            select(OrgUnit.name, func.count()).select_from(Project).join(OrgUnit, OrgUnit.id == Project.street_id)
            .where(Project.district_id == leader.scope_id, Project.stage.in_(rules.STAGES), Project.stage_due < today)
            .group_by(OrgUnit.name)).all())
    assert sum(counted.values()) > 1
    shown = _frame_with(at, "逾期项目数")
    assert dict(zip(shown["街道/镇"], shown["逾期项目数"])) == counted  # every street listed has overdue ones
    assert list(shown["逾期项目数"]) == sorted(shown["逾期项目数"], reverse=True)
    assert _metrics(at)["逾期项目"] == str(sum(counted.values()))
    specs = at.get("vega_lite_chart")
    assert len(specs) == 5 and json.loads(specs[4].proto.spec)["title"] == "各街道/镇逾期项目数"
    # the Excel holds the same table as its second sheet
    frame = projects.list_projects(app_db, actor=leader, filters=ProjectFilter(overdue_only=True))
    streets = projects.by_street(app_db, actor=leader, filters=ProjectFilter(overdue_only=True))
    book = openpyxl.load_workbook(io.BytesIO(pipeline_export.excel_file(frame, "zh", "t", streets=streets)))
    rows = list(book["逾期项目按街道"].iter_rows(values_only=True))
    headings = rows[1]  # under the title row
    assert {row[headings.index("街道/镇")]: row[headings.index("逾期项目数")] for row in rows[2:]} == counted
    # and with nothing overdue the section says so instead of an empty chart
    at.query_params.clear()
    at.query_params.update({"year": "2019"})  # the 2019 release is long closed
    at.run()
    assert _metrics(at)["项目数"] == "260" and any("没有逾期项目" in c.value for c in at.caption) and len(at.get("vega_lite_chart")) == 4


def test_project_detail_from_the_menu_starts_with_the_projects_changed_last(app_db):
    at = _open("street", "project_detail")
    street = users.actor_for(app_db, "street")
    with reading(app_db) as s:  # a naive recount: the street's projects, last changed first
        codes = s.execute(select(Project.code).where(Project.street_id == street.scope_id)
                          .order_by(Project.updated_at.desc(), Project.code.desc()).limit(8)).scalars().all()
    assert any(h.value == "最近更新的项目" for h in at.subheader)
    shown = [link.proto.label.split(" · ")[0].replace("\\", "") for link in at.get("page_link")
             if link.proto.icon == ":material/description:" and " · " in link.proto.label]  # escaped: shown as text
    assert shown == codes and len(codes) == 8
    assert any(link.proto.label == "返回项目清单" for link in at.get("page_link"))
