"""The supervisor pool, the draw and the inbox through AppTest: an admin filters the pool by a link and adds a
supervisor (a missing field is named), a leader reads without forms; a panel is drawn for an evaluation from the
evaluations page's link and shows on its panel as drawn, a redraw without a reason is refused; the bell counts
the unread notifications and the inbox marks them read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db import clock
from db.engine import reading
from db.models import OrgUnit
from db.models.pipeline import Project
from db.models.scorecards import Evaluation, ScoreTemplate
from db.reminders import inbox
from db.scorecards import evaluations
from db.supervisors import draws
from db.users import actor_for
from factories.app import opened_as


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _table(at, heading: str):
    """The first table on the page with this column (AppTest does not expose a dataframe's key)."""
    return next(frame.value for frame in at.dataframe if heading in frame.value.columns)


def test_the_pool_filters_by_link_and_an_admin_adds_a_supervisor(app_db):
    at = opened_as("admin", "pages/supervisors.py")
    assert not at.exception and "第三方监督员资源库" in [title.value for title in at.title]
    everyone = len(_table(at, "资质状态"))
    at.query_params["specialty"] = "audit"
    at.run()
    audit = _table(at, "资质状态")
    assert 0 < len(audit) < everyone and audit["专业领域"].str.contains("财务审计").all()
    with reading(app_db) as s:
        jinjiang = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()
    at.selectbox(key="sup_add_district").select(jinjiang).run()
    at.text_input(key="sup_add_name").input("测试监督员")
    at.text_input(key="sup_add_qualification").input("注册会计师")
    at.date_input(key="sup_add_until").set_value(clock.today() + timedelta(days=500))
    at.button(key="sup_add_submit").click().run()
    assert "「专业领域」" in " ".join(_errors(at)), _errors(at)  # nothing saved, the field named
    at.multiselect(key="sup_add_specialties").set_value(["audit"])
    at.button(key="sup_add_submit").click().run()
    assert not at.exception and any("已添加监督员「测试监督员」" in s.value for s in at.success)
    assert "测试监督员" in set(_table(at, "资质状态")["姓名/机构"])

    leader = opened_as("leader", "pages/supervisors.py")
    assert not leader.exception and len(_table(leader, "资质状态")) == everyone + 1
    assert not leader.get("form") and not [e for e in leader.get("expander")]


def _new_evaluation(engine) -> int:
    admin = actor_for(engine, "admin")
    with reading(engine) as s:
        jinjiang = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()
        taken = select(Evaluation.project_id).where(Evaluation.round == "mid")
        project = s.execute(select(Project.id).where(Project.district_id == jinjiang, Project.domain == "governance",
                                                     Project.id.not_in(taken), Project.stage != "terminated")
                            .order_by(Project.id)).scalars().first()
        template = s.execute(select(ScoreTemplate.id).where(ScoreTemplate.code == "mid-standard")
                             .order_by(ScoreTemplate.version.desc())).scalars().first()
    return evaluations.create_evaluation(engine, actor=admin, data={
        "project_id": project, "template_id": template, "agency": "成都市锦诚社会工作评估中心",
        "due_on": clock.today() + timedelta(days=30)}).id


def test_a_panel_drawn_from_the_evaluations_link_lands_on_the_evaluation(app_db):
    evaluation_id = _new_evaluation(app_db)
    at = opened_as("admin", "pages/supervisor_draws.py")  # the evaluations page's link (checked below)
    at.query_params["evaluation"] = str(evaluation_id)
    at.run()
    assert not at.exception and at.selectbox(key="draw_evaluation").value == evaluation_id
    assert at.multiselect(key="draw_specialties").value == ["governance"]  # the project's domain
    at.number_input(key="draw_size").set_value(2)
    at.button(key="draw_button").click().run()
    assert not at.exception and any("已抽取 2 名监督员" in s.value for s in at.success), _errors(at)
    admin = actor_for(app_db, "admin")
    panel = evaluations.panel(app_db, actor=admin, evaluation_id=evaluation_id)
    assert len(panel) == 2 and panel["draw_id"].notna().all()
    draw_id = int(panel["draw_id"].iloc[0])
    assert draws.get_draw(app_db, actor=admin, draw_id=draw_id).reproduces

    at.session_state["draw_tab"] = "抽取记录"  # what clicking the tab does; the new draw is opened (?draw=)
    at.run()
    assert at.selectbox(key="draw_pick").value == draw_id
    assert len(_table(at, "顺序")) == 2
    assert [m.value for m in at.metric if m.label == "复核"] == ["一致"]
    at.button(key=f"draw_redraw_submit_{draw_id}").click().run()
    assert any("「原因」" in e for e in _errors(at)), _errors(at)
    assert draws.get_draw(app_db, actor=admin, draw_id=draw_id).status == "current"

    at.switch_page("pages/evaluations.py")
    at.query_params.clear()
    at.query_params.update({"evaluation": str(evaluation_id), "year": "all"})
    at.run()
    link = next(p for p in at.get("page_link") if p.proto.label == "从监督员资源库抽取评估组")
    assert link.proto.page.endswith("supervisor_draws") and f"evaluation={evaluation_id}" in link.proto.query_string
    assert _table(at, "来源")["来源"].str.startswith(f"随机抽取（第 {draw_id} 次）").all()


def test_the_bell_counts_the_unread_and_the_inbox_marks_them_read(app_db):
    leader = actor_for(app_db, "leader")
    unread = inbox.unread_count(app_db, actor=leader)
    assert unread > 1
    at = opened_as("leader", "pages/inbox.py")
    bell = [p.proto.label for p in at.sidebar.get("page_link") if p.proto.page.endswith("inbox")]
    assert bell == [f"消息提醒（{unread} 条未读）"]
    table = _table(at, "内容")
    assert len(table) == unread and table["状态"].eq("未读").all()
    first = int(inbox.notifications(app_db, actor=leader)["id"].iloc[0])
    at.multiselect(key="notice_pick").set_value([first]).run()
    at.button(key="notice_mark").click().run()
    assert any("已将 1 条提醒标为已读" in s.value for s in at.success)
    assert inbox.unread_count(app_db, actor=leader) == unread - 1
    at.button(key="notice_mark_all").click().run()
    assert inbox.unread_count(app_db, actor=leader) == 0 and any(i.value == "没有提醒。" for i in at.info)
    bell = [p.proto.label for p in at.sidebar.get("page_link") if p.proto.page.endswith("inbox")]
    assert bell == ["消息提醒"]
    at.query_params["show"] = "read"
    at.run()
    assert len(_table(at, "内容")) == unread
