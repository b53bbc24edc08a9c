"""The evaluation report (评价报告) as a Word 公文, filled from a template: 基本情况, 评价结论, 主要问题,
整改建议, the score table, then the agency and the date. The built-in template is written here with
python-docx (components/office/defaults/eval_report.docx); an office may upload its own, which the same
context fills. Pure: no Streamlit, so the download builds it on click and tests open it."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from docx import Document

from components import formatting
from components.office import builder, templates
from components.scorecards.exports import facts_table, result_line, score_table
from components.texts import translate
from db import clock
from db.scorecards.evaluations import EvaluationPublic
from db.scorecards.results import ReportFacts, ResultPublic


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def context(facts: ReportFacts, evaluation: EvaluationPublic, result: ResultPublic, scores: pd.DataFrame,
            lang: str, today: date) -> dict:
    """What a report template may name: {{ title }}, {{ fact.project_title }}, {% for line in findings %}…"""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    headings, rows, _ = score_table(scores, lang)
    facts_rows = facts_table(facts, lang)
    return {
        "title": tr("eval.export.report_title", project=facts.project_title, round=tr(f"eval.round.{facts.round}")),
        "issuer": facts.agency,
        "date": formatting.day(today, lang),
        "colon": "：" if lang == "zh" else ": ",
        "labels": {"basic": tr("eval.export.section_basic"), "conclusion": tr("eval.export.section_conclusion"),
                   "findings": tr("eval.export.section_findings"),
                   "recommendations": tr("eval.export.section_recommendations"),
                   "scores": tr("eval.export.section_scores"), "none": tr("eval.export.none")},
        "facts": [{"label": label, "value": value} for _, label, value in facts_rows],
        "fact": {key: value for key, _, value in facts_rows},
        "summary": _lines(evaluation.summary),
        "result_line": result_line(result, lang),
        "conclusion": _lines(evaluation.conclusion),
        "findings": _lines(evaluation.findings),
        "recommendations": _lines(evaluation.recommendations),
        "scores": {"headings": [str(h) for h in headings],
                   "rows": [["" if value is None else str(value) for value in row] for row in rows]},
    }


def build_template() -> Document:
    """The built-in 评价报告 template."""
    document = builder.new_document()
    builder.paragraph(document, "{{ title }}", "Title")
    builder.paragraph(document, "{{ labels.basic }}", "Heading 1")
    builder.for_each(document, "item", "facts", "{{ item.label }}{{ colon }}{{ item.value }}")
    builder.for_each(document, "line", "summary", "{{ line }}")
    builder.paragraph(document, "{{ labels.conclusion }}", "Heading 1")
    builder.paragraph(document, "{{ result_line }}")
    builder.for_each(document, "line", "conclusion", "{{ line }}")
    for section in ("findings", "recommendations"):
        builder.paragraph(document, f"{{{{ labels.{section} }}}}", "Heading 1")
        builder.for_each(document, "line", section, "{{ loop.index }}. {{ line }}")
        document.add_paragraph(f"{{%p if not {section} %}}")
        builder.paragraph(document, "{{ labels.none }}")
        document.add_paragraph("{%p endif %}")
    builder.paragraph(document, "{{ labels.scores }}", "Heading 1")
    builder.table(document, "scores")
    builder.closing(document)
    return document


def sample_inputs(lang: str = "zh") -> tuple[ReportFacts, EvaluationPublic, ResultPublic, pd.DataFrame]:
    """A small evaluation of two scorecards, for checking an uploaded template and for tests."""
    zh = lang == "zh"
    facts = ReportFacts(
        evaluation_id=1, project_id=1, project_code="510104-2026-0001",
        project_title="春熙路街道长者饭堂运营项目" if zh else "Chunxi Road seniors' canteen",
        batch="2026年社区服务项目" if zh else "2026 community services", year=2026, domain="elderly_health",
        street_name="春熙路街道" if zh else "Chunxi Road", contractor_name="锦江区乐龄社会工作服务中心",
        budget=300_000, contract_amount=288_000, started_on=date(2026, 3, 1), ended_on=date(2026, 12, 31),
        round="mid", template_name="事中评价标准模板", template_version=1, agency="四川蓉益社会组织评估中心",
        due_on=date(2026, 11, 30), status="completed", completed_at=datetime(2026, 11, 10, 2, 0))
    evaluation = EvaluationPublic(
        id=1, project_id=1, project_code=facts.project_code, project_title=facts.project_title, round="mid",
        template_id=1, agency=facts.agency, due_on=facts.due_on, status="completed", completed_at=facts.completed_at,
        summary="项目按计划推进。\n服务覆盖 3 个社区。", conclusion="项目总体达到预期。",
        findings="台账不完整。\n满意度调查样本偏少。", recommendations="")
    result = ResultPublic(evaluation_id=1, scorecards=2, mean=84.5, result=84.5, trimmed=False, grade="good",
                          complete=True)
    scores = pd.DataFrame([
        {"assignment_id": a, "evaluator_name": name, "indicator_id": i, "group": group, "code": code,
         "name": indicator, "name_en": indicator_en, "max_points": top, "points": points, "comment": ""}
        for a, name, marks in ((1, "王思远", (18, 40, 26)), (2, "李敏", (17, 42, 26)))
        for (i, group, code, indicator, indicator_en, top), points in zip(
            ((1, "decision", "A1", "项目立项", "Project set-up", 20), (2, "process", "B1", "资金管理", "Funds", 45),
             (3, "output", "C1", "服务产出", "Outputs", 35)), marks)])
    return facts, evaluation, result, scores


def _sample(lang: str, _template) -> dict:
    return context(*sample_inputs(lang), lang, clock.today())


REPORT = templates.DocumentKind(key="eval_report", name="office.kind.eval_report", build=build_template,
                                sample=_sample)


def report_docx(facts: ReportFacts, evaluation: EvaluationPublic, result: ResultPublic, scores: pd.DataFrame,
                lang: str, today: date | None = None, template: bytes | None = None) -> bytes:
    """评价报告 from the office's template (`template`, as stored) or the built-in one."""
    filled = context(facts, evaluation, result, scores, lang, today or clock.today())
    return templates.fill(REPORT, lambda _document: filled, template)
