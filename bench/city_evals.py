"""City part "evaluations": an agency of evaluators per district, the three demo templates, mid-term and
post evaluations of the projects that reached those stages (about 90,000 scorecards at scale 1.0), their
scores, stored totals and statuses as db.scorecards.evaluations writes them, and rectification items."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from db import clock
from db.models.scorecards import Assignment, Evaluation, Rectification, Score, ScoreTemplate, TemplateIndicator
from db.scorecards import rules
from seed_data import SEED_DIR
from seed_data.scorecards import GROUP_COMMENTS

SCORECARDS = 90_000
EVALUATORS_PER_DISTRICT = 8
DISABLED_HASH = "!disabled"  # as seed_data/load_scorecards.py: these accounts sign in only after an admin reset
INDICATOR_FIELDS = ("code", "group", "name", "name_en", "max_points", "guidance", "guidance_en")
EVALUATION_COLUMNS = ("id", "project_id", "template_id", "round", "agency", "due_on", "status", "completed_at",
                      "summary", "conclusion", "findings", "recommendations", "created_at", "created_by")
ASSIGNMENT_COLUMNS = ("id", "evaluation_id", "evaluator_id", "status", "coi_declared_at", "conflict", "conflict_note",
                      "total", "submitted_at", "updated_at", "assigned_reason")
RECTIFICATION_COLUMNS = ("id", "evaluation_id", "finding", "owner", "due_on", "status", "closed_on", "evidence",
                         "closed_by", "created_at", "created_by")


def _at(day: date, hour: int = 10) -> datetime:
    return clock.local_day_start(day) + timedelta(hours=hour)


def _templates(city) -> dict[str, dict]:
    doc = json.loads((SEED_DIR / "scorecard_templates.json").read_text(encoding="utf-8"))
    templates, indicators = [], []
    out = {}
    for template_id, t in enumerate(doc["templates"], start=1):
        templates.append((template_id, t["code"], t["round"], t["name"], t["name_en"], 1, True, city.now, "admin"))
        rows = []
        for order, i in enumerate(t["indicators"], start=1):
            rows.append({"id": len(indicators) + 1, "max_points": i["max_points"], "group": i["group"]})
            indicators.append((len(indicators) + 1, template_id, order, *(i[k] for k in INDICATOR_FIELDS)))
        out[t["round"]] = {"id": template_id, "indicators": rows}
    city.writer.write(ScoreTemplate.__table__, ("id", "code", "round", "name", "name_en", "version", "locked",
                                                "created_at", "created_by"), templates)
    city.writer.write(TemplateIndicator.__table__, ("id", "template_id", "sort_order") + INDICATOR_FIELDS, indicators)
    return out


def _evaluators(city) -> dict[int, list[int]]:
    from bench.city import add_users

    rows = []
    for index, district in enumerate(city.districts, start=1):
        rows += [{"username": f"ev{index:02d}_{n}", "display_name": f"评估员{index:02d}-{n}（{district['name']}评估中心）",
                  "role": "evaluator", "scope_id": district["id"], "password_hash": DISABLED_HASH}
                 for n in range(1, EVALUATORS_PER_DISTRICT + 1)]
    add_users(city, rows)
    panels = {d["id"]: [city.users[f"ev{i:02d}_{n}"] for n in range(1, EVALUATORS_PER_DISTRICT + 1)]
              for i, d in enumerate(city.districts, start=1)}
    panels[city.districts[0]["id"]].append(city.users["evaluator"])
    return panels


def _candidates(rng, projects: list[dict]) -> list[tuple[dict, str]]:
    out = []
    for p in projects:
        if p["stage"] in ("evaluation", "follow_up", "closed"):
            out.append((p, "post"))
        if p["started_on"] and p["stage"] != "terminated" and rng.random() < 0.5:
            out.append((p, "mid"))
    rng.shuffle(out)
    return out


def write(city) -> None:
    rng = city.rng("evaluations")
    writer = city.writer
    writer.progress.begin("evaluations", city.count(SCORECARDS) * 14)
    templates = _templates(city)
    panels = _evaluators(city)
    demo_evaluator = city.users["evaluator"]
    usernames = {user_id: name for name, user_id in city.users.items()}
    evaluations, assignments, scores, fixes = [], [], [], []
    target = city.count(SCORECARDS)
    for project, round_ in _candidates(rng, city.projects):
        if len(assignments) >= target:
            break
        template = templates[round_]
        open_now = (round_ == "post" and project["stage"] == "evaluation") or (round_ == "mid" and project["stage"] == "implementation")
        base = project["ended_on"] if round_ == "post" and project["ended_on"] else (project["started_on"] + timedelta(days=120))
        due_on = city.today + timedelta(days=rng.randint(-10, 30)) if open_now else min(base + timedelta(days=30), city.today)
        evaluation_id = len(evaluations) + 1
        members = panels[project["district_id"]]
        size = 5 if rng.random() < 0.15 else 3
        panel = rng.sample(members, size)
        if open_now and project["district_id"] == city.districts[0]["id"] and demo_evaluator not in panel and rng.random() < 0.3:
            panel[0] = demo_evaluator  # the demo evaluator has open scorecards to try
        quality = rng.gauss(0.82, 0.07)
        totals, latest, waiting = [], None, False
        for evaluator in panel:
            status = "submitted"
            if open_now:
                status = rng.choice(("not_started", "draft", "submitted", "submitted"))
            if rng.random() < 0.01:
                status = "recused"
            assignment_id = len(assignments) + 1
            declared = _at(due_on - timedelta(days=rng.randint(12, 25)), 9) if status != "not_started" else None
            total, submitted_at = None, None
            if status in ("draft", "submitted"):
                points_sum = 0.0
                bias = rng.gauss(0, 1.5)
                indicators = template["indicators"] if status == "submitted" else template["indicators"][:8]
                for indicator in indicators:
                    top = indicator["max_points"]
                    points = round(min(top, max(0.0, top * (quality + rng.gauss(0, 0.06)) + bias / len(indicators))), 1)
                    comment = rng.choice(GROUP_COMMENTS[indicator["group"]]) if rules.needs_comment(points, top) else None
                    scores.append((len(scores) + 1, assignment_id, indicator["id"], points, comment))
                    points_sum += points
                if status == "submitted":
                    total = round(points_sum, rules.POINT_DECIMALS)
                    submitted_at = _at(min(due_on - timedelta(days=rng.randint(0, 8)), city.today), 16)
                    totals.append(total)
                    latest = max(latest or submitted_at, submitted_at)
                    city.audit.append((submitted_at, evaluator, usernames[evaluator], "scorecard_submit", "assignment",
                                       str(assignment_id), json.dumps({"total": total})))
            waiting = waiting or status in ("not_started", "draft")
            updated = submitted_at or declared or _at(due_on - timedelta(days=30))
            assignments.append((assignment_id, evaluation_id, evaluator, status, declared,
                                None if declared is None else status == "recused",
                                "申请回避。" if status == "recused" else None, total, submitted_at, updated,
                                rules.IMPORTED_REASON))
        completed = bool(totals) and not waiting
        evaluations.append((evaluation_id, project["id"], template["id"], round_, f"{project['district_id']}号评估中心",
                            due_on, "completed" if completed else "open", latest if completed else None,
                            "", "", "", "", _at(due_on - timedelta(days=40)), "admin"))
        result = rules.panel_result(totals) if completed else None
        if result is not None and result < 80:
            for n in range(rng.randint(1, 2)):
                fix_due = latest.date() + timedelta(days=rng.choice((30, 45, 60)))
                closed = fix_due < city.today and rng.random() < 0.7
                fixes.append((len(fixes) + 1, evaluation_id, f"第{n + 1}项问题：过程资料不完整，须补充佐证材料。", "承接机构",
                              fix_due, "closed" if closed else "open", fix_due - timedelta(days=5) if closed else None,
                              "已提交整改报告。" if closed else None, "admin" if closed else None,
                              latest + timedelta(days=3), "admin"))
    writer.write(Evaluation.__table__, EVALUATION_COLUMNS, evaluations)
    writer.write(Assignment.__table__, ASSIGNMENT_COLUMNS, assignments)
    writer.write(Score.__table__, ("id", "assignment_id", "indicator_id", "points", "comment"), scores)
    writer.write(Rectification.__table__, RECTIFICATION_COLUMNS, fixes)
    writer.progress.end()
