"""Office files in the form offices file them (issue 16): Word documents as 公文 (GB/T 9704) filled from a
template an administrator may replace, and workbooks that print on A4 with a title row, repeated headings,
万元 as #,##0.00 and real dates. Documents are built from small samples, not from the demo database."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from sqlalchemy import select

from components import exports
from components.office import templates
from components.office.kinds import KINDS
from components.overview import briefing_files
from components.scorecards import report
from db import office_templates
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.models import AuditLog
from db.spreadsheets import FIRST_DATA_ROW, read_table
from db.users import actor_for
from factories.app import signed_in
from factories.documents import sheet_problems, word_problems

DAY = date(2026, 11, 18)


def _report(lang="zh", template=None, **changes) -> Document:
    facts, evaluation, result, scores = report.sample_inputs(lang)
    facts = facts.model_copy(update=changes)
    return Document(io.BytesIO(report.report_docx(facts, evaluation, result, scores, lang, DAY, template)))


def _edited(kind, old: str, new: str) -> bytes:
    """The built-in template with one tag rewritten, as an office would in Word."""
    document = Document(io.BytesIO(templates.default_bytes(kind)))
    paragraph = next(p for p in document.paragraphs if p.text == old)
    paragraph.runs[0].text = new
    for run in paragraph.runs[1:]:
        run.text = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the 公文 layout ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_the_shipped_templates_are_what_their_builders_make(kind):
    """components/office/defaults/*.docx are the builders' output, part by part (the zip's dates aside):
    `python -m components.office.kinds` writes them again after a builder changes."""
    built = zipfile.ZipFile(io.BytesIO(templates.built_bytes(kind)))
    shipped = zipfile.ZipFile(templates.default_path(kind))
    assert built.namelist() == shipped.namelist()
    assert [name for name in built.namelist() if built.read(name) != shipped.read(name)] == []


def test_the_report_is_a_gongwen_with_its_fonts_margins_and_page_numbers():
    document = _report()
    assert word_problems(document) == []
    section = document.sections[0]
    measured = {name: round(getattr(section, name).mm, 1) for name in
                ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
    assert measured == {"page_width": 210.0, "page_height": 297.0, "top_margin": 37.0, "bottom_margin": 35.0,
                        "left_margin": 28.0, "right_margin": 26.0}
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", "春熙路街道长者饭堂运营项目事中评价报告")
    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == [
        "一、基本情况", "二、评价结论", "三、主要问题", "四、整改建议", "五、评分表"]
    texts = [p.text for p in paragraphs]
    assert "项目名称：春熙路街道长者饭堂运营项目" in texts and "1. 台账不完整。" in texts and "无。" in texts
    issuer, day = paragraphs[-2:]  # the issuing unit and the date close the document, at the right
    assert (issuer.text, day.text) == ("四川蓉益社会组织评估中心", "2026年11月18日")
    assert issuer.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["一级指标", "编号", "指标", "分值", "王思远", "李敏", "平均分"]
    assert [c.text for c in table.rows[-1].cells][:4] == ["合计", "", "", "100"] and len(table.rows) == 5
    table_xml = zipfile.ZipFile(io.BytesIO(templates.default_bytes(report.REPORT))).read("word/fontTable.xml").decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in table_xml  # 黑体 where 小标宋 is missing


def test_the_english_report_has_the_same_layout():
    document = _report("en")
    assert word_problems(document) == []
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][0] == "1. Background"


def test_the_briefing_fills_its_tables_pictures_and_alerts():
    content = briefing_files.sample("zh")
    document = Document(io.BytesIO(templates.fill(briefing_files.BRIEFING,
                                                  lambda doc: briefing_files.context(content, doc))))
    assert word_problems(document) == []
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:3] == ["领导简报", content.meta, "一、主要指标"] and "1. 3 个项目超过阶段办理时限" in texts
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == ["评估不合格的项目及整改情况",
                                                                                   "十佳案例评选"]
    assert len(document.inline_shapes) == 2 and len(document.tables) == 3
    assert [c.text for c in document.tables[0].rows[1].cells] == ["参评案例", "30"]


def test_typed_text_stays_text_and_cannot_break_the_document():
    document = _report(project_title='<w:p>&"社区"\x07\x0c营造', agency="{{ title }}")
    assert document.paragraphs[0].text == '<w:p>&"社区"营造事中评价报告'
    assert [p.text for p in document.paragraphs if p.text.strip()][-2] == "{{ title }}"  # filled, never re-read


# --- an office's own template --------------------------------------------------------------------------

def test_an_office_template_is_used_for_the_report():
    own = _edited(report.REPORT, "{{ issuer }}", "锦江区社会治理委员会（{{ fact.street }}）")
    templates.check(report.REPORT, own, "zh")
    texts = [p.text for p in _report(template=own).paragraphs if p.text.strip()]
    assert texts[-2] == "锦江区社会治理委员会（春熙路街道）"


@pytest.mark.parametrize("tag, named", [("{{ titel }}", "titel"), ("{{ fact.projct_title }}", "projct_title"),
                                        ("{{ labels.basic }}{{ aaa }}{{ zzz }}", "aaa, zzz")])
def test_a_template_naming_a_missing_field_is_refused_with_its_name(tag, named):
    with pytest.raises(DomainError) as refused:
        templates.check(report.REPORT, _edited(report.REPORT, "{{ title }}", tag), "zh")
    assert (refused.value.code, refused.value.params) == ("office.error.missing_fields", {"fields": named})


def test_a_broken_tag_or_a_file_that_is_no_docx_is_refused():
    with pytest.raises(DomainError) as refused:
        templates.check(briefing_files.BRIEFING, _edited(briefing_files.BRIEFING, "{{ title }}", "{{ title"), "en")
    assert refused.value.code == "office.error.syntax"
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    for data in (b"%PDF-1.7 not a docx", fake.getvalue()):
        with pytest.raises(DomainError) as refused:
            templates.check(report.REPORT, data, "zh")
        assert refused.value.code == "office.error.not_docx"


def test_a_template_cannot_reach_python_internals():
    """Templates run sandboxed: an admin's upload is checked, and filling it could otherwise run any code."""
    hostile = _edited(report.REPORT, "{{ title }}", "{{ title.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(DomainError) as refused:
        templates.check(report.REPORT, hostile, "zh")
    assert refused.value.code == "office.error.render" and "SecurityError" in refused.value.params["detail"]
    filled = report.context(*report.sample_inputs(), "zh", DAY)
    document = Document(io.BytesIO(templates.fill(report.REPORT, lambda _: filled, hostile)))
    assert document.paragraphs[0].text == filled["title"]  # the built-in template served instead


def test_a_stored_template_that_fails_on_real_data_gives_way_to_the_built_in_one(caplog):
    """Checked against the sample (two findings), the tag breaks on a report with one: the download works."""
    own = _edited(report.REPORT, "{{ title }}", "{{ findings[1] }}")
    templates.check(report.REPORT, own, "zh")
    facts, evaluation, result, scores = report.sample_inputs()
    evaluation = evaluation.model_copy(update={"findings": "只有一条问题。"})
    with caplog.at_level(logging.WARNING):
        document = Document(io.BytesIO(report.report_docx(facts, evaluation, result, scores, "zh", DAY, own)))
    assert document.paragraphs[0].text == "春熙路街道长者饭堂运营项目事中评价报告"
    assert "the built-in one was used" in caplog.text


def test_the_fields_list_names_what_a_template_may_use():
    fields = dict(templates.fields(report.REPORT, "zh"))
    assert fields["fact.project_title"] == "春熙路街道长者饭堂运营项目" and "scores.rows[]" in fields
    assert "charts[]" in dict(templates.fields(briefing_files.BRIEFING, "en"))


def test_storing_a_template_takes_an_admin_and_is_audited(engine):
    admin, leader = actor_for(engine, "admin"), actor_for(engine, "leader")
    own = _edited(report.REPORT, "{{ issuer }}", "锦江区民政局")
    with pytest.raises(PermissionDenied):
        office_templates.save_template(engine, actor=leader, kind="eval_report", filename="报告.docx", data=own)
    with pytest.raises(DomainError) as refused:
        office_templates.save_template(engine, actor=admin, kind="eval_report", filename="报告.docx", data=b"PK\x03\x04")
    assert refused.value.code == "office.error.not_docx"
    with pytest.raises(DomainError) as refused:
        office_templates.save_template(engine, actor=admin, kind="minutes", filename="x.docx", data=own)
    assert refused.value.field == "kind"
    saved = office_templates.save_template(engine, actor=admin, kind="eval_report", filename="报告.docx", data=own)
    assert (saved.filename, saved.size, saved.uploaded_by) == ("报告.docx", len(own), "admin")
    assert office_templates.template_bytes(engine, actor=leader, kind="eval_report") == own
    assert list(office_templates.template_infos(engine, actor=admin)) == ["eval_report"]
    assert office_templates.reset_template(engine, actor=admin, kind="eval_report") is True
    assert office_templates.template_bytes(engine, actor=leader, kind="eval_report") is None
    assert office_templates.reset_template(engine, actor=admin, kind="eval_report") is False
    with reading(engine) as session:
        actions = session.execute(select(AuditLog.action, AuditLog.entity_id).where(
            AuditLog.entity == "office_template").order_by(AuditLog.id)).all()
    assert actions == [("office_template_upload", "eval_report"), ("office_template_reset", "eval_report")]


def _an_evaluation(engine) -> int:
    from db.models.scorecards import Evaluation

    with reading(engine) as session:
        return session.execute(select(Evaluation.id).where(Evaluation.status == "completed")
                               .order_by(Evaluation.id)).scalars().first()


def test_the_admin_uploads_a_template_on_the_templates_page(app_db):
    at = signed_in("admin")
    at.switch_page("pages/eval_templates.py").run()
    assert not at.exception and at.radio(key="office_kind").value == "eval_report"
    at.get("file_uploader")[0].upload("坏模板.docx", _edited(report.REPORT, "{{ title }}", "{{ 标题 }}"),
                                      exports.DOCX_MIME)
    at.run()
    at.button(key="office_eval_report_upload").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["模板使用了文书中没有的字段：标题。请对照“模板可用字段”修改。"]
    assert office_templates.template_bytes(app_db, actor=actor_for(app_db, "admin"), kind="eval_report") is None
    own = _edited(report.REPORT, "{{ issuer }}", "锦江区民政局")
    at.get("file_uploader")[0].set_value(("本局模板.docx", own, exports.DOCX_MIME))
    at.run()
    at.button(key="office_eval_report_upload").click().run()
    assert any(s.value.startswith("评价报告今后使用模板“本局模板") for s in at.success)
    assert office_templates.template_bytes(app_db, actor=actor_for(app_db, "admin"), kind="eval_report") == own
    at.button(key="office_eval_report_reset").click().run()
    assert "评价报告已恢复使用内置模板。" in [s.value for s in at.success]
    assert office_templates.template_bytes(app_db, actor=actor_for(app_db, "admin"), kind="eval_report") is None

    # a stored template that no longer fits (here stored past the check) is named above the download, and the
    # built-in one serves instead
    office_templates.save_template(app_db, actor=actor_for(app_db, "admin"), kind="eval_report", filename="旧.docx",
                                   data=_edited(report.REPORT, "{{ title }}", "{{ 标题 }}"))
    leader = signed_in("leader")
    leader.switch_page("pages/eval_results.py")
    leader.query_params.update({"year": "all", "evaluation": str(_an_evaluation(app_db))})
    leader.run()
    assert not leader.exception
    assert any("上传的评价报告模板不能使用" in w.value and "标题" in w.value for w in leader.warning)


# --- workbooks ---------------------------------------------------------------------------------------------

def test_a_workbook_prints_on_a4_with_its_title_headings_amounts_and_dates():
    frame = pd.DataFrame({"项目名称": ["甲", "乙"], "预算（万元）": [12.3456, 1500.0], "Budget (10k yuan)": [None, 2.5],
                          "截止日期": ["2026年11月12日", "—"], "时间": ["2026年11月18日 10:00:08", None],
                          "成立日期": ["2010-09-27", "2011-01-05"], "Due": ["Nov 12, 2026", "Jan 2, 2027"],
                          "月份": ["2026-09", "2026-10"]})
    title = "项目清单（锦江区，截至 2026年11月18日）"
    book = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes({"项目清单": frame}, title=title)))
    sheet = book.active
    assert sheet_problems(book, "2026年11月18日") == []
    assert sheet["A1"].value == title and [c.value for c in sheet[2]][:2] == ["项目名称", "预算（万元）"]
    assert sheet.print_title_rows == "$1:$2" and sheet.page_setup.orientation == "landscape"  # 8 wide columns
    assert [sheet["B3"].number_format, sheet["C4"].number_format] == ["#,##0.00", "#,##0.00"]
    assert sheet["D3"].value.date() == date(2026, 11, 12) and sheet["D4"].value is None
    assert (sheet["E3"].value.hour, sheet["E3"].number_format) == (10, "yyyy-mm-dd hh:mm")
    assert sheet["G4"].value.date() == date(2027, 1, 2) and sheet["H3"].value == "2026-09"  # a month stays text
    narrow = exports.excel_bytes({"s": frame[["项目名称", "预算（万元）"]]}, title=title)
    assert openpyxl.load_workbook(io.BytesIO(narrow)).active.page_setup.orientation == "portrait"


def test_an_import_reads_a_titled_download_by_its_repeated_headings():
    frame = pd.DataFrame({"单位代码": ["510104", "510104001"], "成立日期": ["2010-09-27", "2011-01-05"]})
    titled = read_table(exports.excel_bytes({"单位": frame}, title="组织架构（全部辖区，截至 2026年11月18日）"), "u.xlsx")
    plain = read_table(exports.excel_bytes({"单位": frame}), "u.xlsx")
    assert list(titled.columns) == list(plain.columns) == ["单位代码", "成立日期"]
    assert titled["成立日期"].tolist() == ["2010-09-27", "2011-01-05"]  # the date cells read as the day typed
    # problems are reported by the row the spreadsheet shows: data starts on row 3 under a title
    assert [int(i) + FIRST_DATA_ROW for i in titled.index] == [3, 4]
    assert [int(i) + FIRST_DATA_ROW for i in plain.index] == [2, 3] and titled.attrs["heading_row"] == 2
