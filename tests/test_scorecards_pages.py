"""Scorecard pages through AppTest: the evaluator declares, fills and submits the form (a bad value shows
its message); a leader sees the result and grade; admins follow progress, reopen, version a template and
close a rectification item; the Word and Excel files open and hold the scores."""

import io

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from components.scorecards import exports as eval_exports
from components.scorecards import report
from db.engine import reading
from db.models import AppUser
from db.models.scorecards import Assignment, Evaluation
from db.scorecards import entry as scorecard_entry
from db.scorecards import evaluations, rules
from db.scorecards import results as eval_results
from db.users import actor_for
from factories.app import signed_in
from factories.documents import word_problems


def _open_assignment(engine, username="evaluator", status="not_started"):
    with reading(engine) as s:
        return s.execute(select(Assignment.id).join(AppUser, AppUser.id == Assignment.evaluator_id)
                         .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
                         .where(AppUser.username == username, Assignment.status == status)
                         .order_by(Evaluation.due_on, Assignment.id)).scalars().first()


def _errors(at):
    return [e.value for e in at.error]


def test_evaluator_declares_fills_and_submits_the_scorecard(app_db):
    assignment_id = _open_assignment(app_db)
    person = actor_for(app_db, "evaluator")
    card = scorecard_entry.get_scorecard(app_db, actor=person, assignment_id=assignment_id)
    at = signed_in("evaluator")
    at.switch_page("pages/my_assignments.py").run()
    at.query_params["assignment"] = str(assignment_id)
    at.run()
    assert not at.exception and at.selectbox(key="my_assignment").value == assignment_id
    assert not at.number_input, "no score before the declaration"
    at.radio(key="coi_choice").set_value("none").run()
    at.button(key="coi_submit").click().run()
    assert any("声明已记录" in s.value for s in at.success)

    key = lambda code, part="p": f"sc_{assignment_id}_{code}_{part}"  # noqa: E731
    first, *rest = card.template.indicators
    at.number_input(key=key(first.code)).set_value(first.max_points + 2).run()
    label = f"{first.code} {first.name}"
    expected = f"「{label}」的得分须在 0 至 {first.max_points} 分之间。"
    assert expected in _errors(at), _errors(at)
    at.button(key="sc_save").click().run()  # refused by the db layer too, naming the indicator
    assert _errors(at).count(expected) == 2
    assert scorecard_entry.get_scorecard(app_db, actor=person, assignment_id=assignment_id).status == "not_started"

    at.number_input(key=key(first.code)).set_value(first.max_points)
    for indicator in rest[:-1]:
        at.number_input(key=key(indicator.code)).set_value(float(indicator.max_points - 1))
    at.run()
    running = first.max_points + sum(i.max_points - 1 for i in rest[:-1])
    metrics = {m.label: m.value for m in at.metric}
    grade_names = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
    assert metrics["当前合计"] == f"{running:.1f}" and metrics["暂定等级"] == grade_names[rules.grade_for(running)]
    assert metrics["已评指标"] == f"{len(card.template.indicators) - 1} / {len(card.template.indicators)}"
    at.button(key="sc_save").click().run()
    assert any("草稿已保存" in s.value for s in at.success)
    assert scorecard_entry.get_scorecard(app_db, actor=person, assignment_id=assignment_id).status == "draft"

    last = rest[-1]
    at.checkbox(key=f"sc_{assignment_id}_confirm").check().run()
    at.button(key="sc_submit").click().run()
    assert f"「{last.code} {last.name}」尚未评分。" in _errors(at)
    low = round(last.max_points * rules.COMMENT_BELOW_SHARE - 1, 1)
    at.number_input(key=key(last.code)).set_value(low).run()
    at.button(key="sc_submit").click().run()
    assert any(f"「{last.code} {last.name}」得分低于" in e and "须填写评分说明" in e for e in _errors(at))
    at.text_input(key=key(last.code, "c")).input("社区参与面较窄，骨干队伍尚未形成").run()
    at.button(key="sc_submit").click().run()
    assert any("评分表已提交" in s.value for s in at.success), _errors(at)
    saved = scorecard_entry.get_scorecard(app_db, actor=person, assignment_id=assignment_id)
    assert saved.status == "submitted" and saved.total == pytest.approx(running + low)
    assert saved.scores[last.id] == (low, "社区参与面较窄，骨干队伍尚未形成")
    assert not at.number_input and any("提交并锁定" in i.value for i in at.info)
    picker = at.selectbox(key="my_assignment")
    chosen = picker.options[picker.index]
    assert chosen.endswith("已提交") and "草稿" not in chosen, chosen  # the picker shows the real state


def test_evaluator_cannot_open_another_evaluators_scorecard_by_link(app_db):
    theirs = _open_assignment(app_db, username="jc_lijing", status="draft")
    at = signed_in("evaluator")
    at.switch_page("pages/my_assignments.py").run()
    at.query_params["assignment"] = str(theirs)
    at.run()
    assert not at.exception
    assert at.selectbox(key="my_assignment").value != theirs
    assert theirs not in at.selectbox(key="my_assignment").options


def test_leader_sees_the_result_and_grade(app_db):
    leader = actor_for(app_db, "leader")
    listed = eval_results.evaluation_list(app_db, actor=leader, filters=eval_results.ResultFilter(round="post"))
    row = listed[listed["grade"] == "good"].iloc[0]
    at = signed_in("leader")
    at.switch_page("pages/eval_results.py").run()
    at.query_params["evaluation"] = str(int(row["id"]))
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["综合得分"] == f"{row['result']:.1f}" and metrics["等级"] == "良好"
    assert metrics["已提交评分表"] == "3"
    table = next(d.value for d in at.dataframe if "平均分" in d.value.columns)
    assert len(table.columns) == 4 + 3 + 1 and table.iloc[-1]["指标"] == ""
    assert table.iloc[-1]["平均分"] == pytest.approx(row["result"], abs=0.02)
    assert {m.label for m in at.metric} >= {"优秀", "良好", "合格", "不合格"}
    listing = next(d for d in at.dataframe if "综合得分" in d.value.columns and "评价轮次" in d.value.columns)
    assert list(listing.value.columns)[:3] == ["项目名称", "综合得分", "等级"]  # what a leader came for, in sight
    at.switch_page("pages/rectifications.py").run()
    assert list(at.dataframe[0].value.columns)[:4] == ["项目名称", "截止日期", "状态", "逾期天数"]


def test_results_filters_live_in_the_url(app_db):
    at = signed_in("leader")
    at.switch_page("pages/eval_results.py").run()
    total = {m.label: m.value for m in at.metric}["评价数"]
    at.selectbox(key="res_round").set_value("post").run()
    assert at.query_params["round"] in ("post", ["post"])
    assert {m.label: m.value for m in at.metric}["评价数"] != total
    at.selectbox(key="res_year").set_value(2019).run()
    assert at.query_params["year"] in ("2019", ["2019"])
    assert not any("平均偏差（分）" in d.value.columns for d in at.dataframe), "hidden tabs do not run"
    at.session_state["res_tab"] = "评估员校准"  # what clicking the tab does
    at.run()
    calibration = next(d.value for d in at.dataframe if "平均偏差（分）" in d.value.columns)
    assert calibration.iloc[0]["提示"] == "偏宽松"


def test_admin_sees_overdue_and_recusal_and_reopens_with_a_reason(app_db):
    at = signed_in("admin")
    at.switch_page("pages/evaluations.py").run()
    at.query_params["overdue"] = "1"
    at.run()
    progress = at.dataframe[0].value
    assert len(progress) == 1 and progress.iloc[0]["逾期"] == "是"
    at.query_params.pop("overdue")
    admin = actor_for(app_db, "admin")
    frame = evaluations.progress(app_db, actor=admin, round="mid")
    recused = int(frame[frame["recused"] > 0].iloc[0]["id"])
    at.query_params["evaluation"] = str(recused)
    at.run()
    panel = next(d.value for d in at.dataframe if "回避说明" in d.value.columns)
    assert "已回避" in set(panel["状态"]) and panel["回避说明"].str.len().max() > 0
    done = int(frame[frame["status"] == "completed"].iloc[0]["id"]) if (frame["status"] == "completed").any() else None
    target = done or recused
    at.query_params["evaluation"] = str(target)
    at.run()
    submitted = evaluations.panel(app_db, actor=admin, evaluation_id=target)
    assignment_id = int(submitted[submitted["status"] == "submitted"].iloc[0]["id"])
    at.selectbox(key="ev_reopen").set_value(assignment_id).run()
    at.text_input(key="ev_reopen_reason").input("ok")
    at.button(key="ev_reopen_btn").click().run()
    assert any("退回原因" in e for e in _errors(at))
    at.text_input(key="ev_reopen_reason").input("现场检查记录有误，请更正后重新提交")
    at.button(key="ev_reopen_btn").click().run()
    assert any("已退回" in s.value for s in at.success)
    panel = evaluations.panel(app_db, actor=admin, evaluation_id=target)
    assert panel.loc[panel["id"] == assignment_id, "status"].iloc[0] == "draft"


def test_saving_a_locked_template_makes_the_next_version(app_db):
    at = signed_in("admin")
    at.switch_page("pages/eval_templates.py").run()
    assert at.button(key="tpl_save").label == "保存为第 2 版"
    at.button(key="tpl_save").click().run()
    assert any("第 2 版" in s.value for s in at.success), _errors(at)
    listing = at.dataframe[0].value
    assert sorted(listing["版本"].tolist()).count(2) == 1 and "旧版本" in set(listing["状态"])


def test_admin_closes_a_rectification_item_with_evidence(app_db):
    at = signed_in("admin")
    at.switch_page("pages/rectifications.py").run()
    before = {m.label: m.value for m in at.metric}
    at.text_area(key="rect_evidence").input("好").run()
    at.button(key="rect_close_btn").click().run()
    assert any("整改佐证材料" in e for e in _errors(at))
    at.text_area(key="rect_evidence").input("已补齐档案资料，街道复查通过").run()
    at.button(key="rect_close_btn").click().run()
    after = {m.label: m.value for m in at.metric}
    assert int(after["已销号"]) == int(before["已销号"]) + 1 and int(after["整改中"]) == int(before["整改中"]) - 1
    leader = signed_in("leader")
    leader.switch_page("pages/rectifications.py").run()
    assert leader.dataframe and not leader.get("text_area")
    assert not any(b.key == "rect_close_btn" for b in leader.button)


def test_word_and_excel_files_open_and_hold_the_scores(app_db):
    leader = actor_for(app_db, "leader")
    listed = eval_results.evaluation_list(app_db, actor=leader, filters=eval_results.ResultFilter(round="post"))
    evaluation_id = int(listed[listed["grade"] == "pass"].iloc[0]["id"])
    facts = eval_results.report_facts(app_db, actor=leader, evaluation_id=evaluation_id)
    result = eval_results.evaluation_result(app_db, actor=leader, evaluation_id=evaluation_id)
    scores = eval_results.submitted_scores(app_db, actor=leader, evaluation_id=evaluation_id)
    evaluation = evaluations.get_evaluation(app_db, actor=leader, evaluation_id=evaluation_id)
    first = scores.iloc[0]

    book = load_workbook(io.BytesIO(eval_exports.score_sheet_xlsx(facts, result, scores, "zh")))
    sheet = book["评分表"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[:4] == ("一级指标", "编号", "指标", "分值"))
    assert rows[header][4] == first["evaluator_name"] and rows[header + 1][1] == first["code"]
    assert rows[header + 1][4] == first["points"]
    total_row = next(r for r in rows if r[0] == "合计")
    assert total_row[3] == 100 and sorted(total_row[4:7]) == sorted(scores.groupby("assignment_id")["points"].sum())
    assert any(r[0] == "评价结果" and "合格" in r[1] for r in rows)
    comments = book["评分说明"]
    assert comments.max_row - 2 == (scores["comment"].fillna("").str.strip() != "").sum()  # title, headings

    document = Document(io.BytesIO(report.report_docx(facts, evaluation, result, scores, "zh")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、基本情况", "二、评价结论", "三、主要问题", "四、整改建议", "五、评分表"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert facts.project_title in text and "评价等级：合格" in text and evaluation.findings.splitlines()[0] in text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:4] == ["一级指标", "编号", "指标", "分值"]
    assert table.rows[1].cells[4].text == str(eval_exports._num(first["points"]))
    assert table.rows[-1].cells[0].text == "合计"
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"
    assert word_problems(document) == []  # the 公文 page, fonts and page numbers


def _project_section(project_id: int, username: str) -> None:
    from components import store
    from components.scorecards.project_section import render_project_evaluations
    from db.users import actor_for

    render_project_evaluations(actor_for(store.engine(), username), project_id)


def _project_with_rounds(engine, username="leader"):
    """A project the user can see that went through two rounds or more."""
    person = actor_for(engine, username)
    with reading(engine) as s:
        ids = s.execute(select(Evaluation.project_id).group_by(Evaluation.project_id)
                        .having(func.count(func.distinct(Evaluation.round)) >= 2)
                        .order_by(Evaluation.project_id)).scalars().all()
    return next(i for i in ids if not eval_results.project_rounds(engine, actor=person, project_id=i).empty)


def test_project_section_lists_the_rounds_with_result_and_grade(app_db):
    project_id = _project_with_rounds(app_db, "street")
    expected = eval_results.project_rounds(app_db, actor=actor_for(app_db, "street"), project_id=project_id)
    at = AppTest.from_function(_project_section, args=(project_id, "street"), default_timeout=30).run()
    assert not at.exception
    table = at.dataframe[0].value
    names = {"pre": "事前论证", "mid": "事中评价", "post": "事后评估"}
    assert list(table["评价轮次"]) == [names[r] for r in expected["round"]] and len(table) >= 2
    assert table.iloc[-1]["综合得分"] == f"{expected.iloc[-1]['result']:.1f}"
    assert {m.label for m in at.metric} == {"最近完成的评价", "综合得分", "等级"}
    assert not at.get("page_link")  # street staff see the rounds; the results page is for leaders and admins
    from db.models.pipeline import Project

    with reading(app_db) as s:  # a 绿园区 project: outside the 春熙路 street user's scope
        elsewhere = s.execute(select(Evaluation.project_id).join(Project, Project.id == Evaluation.project_id)
                              .where(Project.code.like("220106%"))).scalars().first()
    outside = AppTest.from_function(_project_section, args=(elsewhere, "street"), default_timeout=30).run()
    assert not outside.exception and not outside.dataframe and not outside.metric


def test_project_page_shows_the_rounds_once_wired(app_db):
    from components.pipeline import project_detail as project_detail_view

    if "render_project_evaluations" not in open(project_detail_view.__file__, encoding="utf-8").read():
        pytest.skip("the pipeline's project page does not call render_project_evaluations yet")
    from db.models.pipeline import Project

    project_id = _project_with_rounds(app_db)
    with reading(app_db) as s:
        code = s.get(Project, project_id).code
    expected = eval_results.project_rounds(app_db, actor=actor_for(app_db, "leader"), project_id=project_id)
    at = signed_in("leader")
    at.switch_page("pages/project_detail.py").run()
    at.query_params["project"] = code
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "评价轮次" in d.value.columns and "综合得分" in d.value.columns)
    assert len(table) == len(expected)
    assert table.iloc[-1]["综合得分"] == f"{expected.iloc[-1]['result']:.1f}"
