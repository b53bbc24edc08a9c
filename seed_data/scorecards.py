"""Deterministic demo of third-party evaluation: the evaluator accounts of three agencies, evaluations with
their panels' scorecards, report texts and rectification items. Plain dicts keyed by project id, round and
username; seed_data/load_scorecards.py turns them into ids and inserts them in bulk.

The story the demo tells: most 2019 projects had a post evaluation by three evaluators (mostly 良好, some
优秀, a few 不合格), some a mid-term one; last year's projects went through mid-term and post evaluations;
this year's running projects are in mid-term evaluation (drafts, an overdue panel, one recusal) and the
`evaluator` demo account has open scorecards to try. One evaluator of 蓉益 scores about six points above
what the others see, so the calibration table shows a lenient evaluator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from db.scorecards import rules

SEED = 4_2019
TZ = ZoneInfo("Asia/Shanghai")

# (agency, the district it works in, [(username, display name, bias in points)]); `evaluator` already exists
AGENCIES = (
    ("成都市锦诚社会工作评估中心", "510104", (
        ("evaluator", None, 0.0), ("jc_wangsy", "王思远（锦诚评估）", -1.0), ("jc_lijing", "李静（锦诚评估）", 0.6),
        ("jc_chenxd", "陈晓东（锦诚评估）", -0.4))),
    ("四川蓉益社会组织评估中心", "510104", (
        ("ry_zhouwj", "周文俊（蓉益评估）", 0.3), ("ry_liuhy", "刘海燕（蓉益评估）", -0.8),
        ("ry_hezq", "何志强（蓉益评估）", 6.0))),
    ("长春市和众社会组织评估中心", "220106", (
        ("hz_sunli", "孙丽（和众评估）", 0.5), ("hz_zhaojg", "赵建国（和众评估）", -0.5))),
)
LENIENT = "ry_hezq"
DEMO_EVALUATOR = "evaluator"

GRADE_ZH = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
CONCLUSION = {
    "excellent": "项目决策科学、管理规范，产出数量和质量全面超过合同约定，服务对象和社区评价高，具有示范推广价值。",
    "good": "项目总体按合同约定实施，绩效目标基本实现，服务对象满意度较高，个别环节仍需改进。",
    "pass": "项目基本完成合同约定的服务内容，但在过程管理和产出质量方面存在明显不足，须按要求整改。",
    "fail": "项目未能实现主要绩效目标，资金使用和过程管理存在较多问题，须限期整改，整改期间暂停承接新项目资格。",
}
GROUP_COMMENTS = {
    "decision": ("方案与需求对应不够紧密，依据材料不足。", "目标表述笼统，缺少量化指标。"),
    "process": ("过程资料不完整，部分记录缺失。", "资金支出进度与实施进度不匹配。"),
    "output": ("产出未达到计划要求，现场抽查发现服务不规范。", "活动频次不稳定，覆盖人群偏窄。"),
    "outcome": ("成效尚不明显，居民反馈一般。", "社区参与度不高，缺少持续机制。"),
}
GOOD_COMMENTS = ("资料齐全，执行规范。", "现场检查情况良好。", "服务对象评价较高。", "")
CONFLICT_NOTE = "本人曾于去年为该项目承接机构提供内部督导服务，申请回避。"


@dataclass
class Demo:
    users: list[dict] = field(default_factory=list)  # username, display_name, scope_code
    evaluations: list[dict] = field(default_factory=list)  # project_id, round, template_code, ...
    assignments: list[dict] = field(default_factory=list)  # project_id, round, username, ...
    scores: list[dict] = field(default_factory=list)  # project_id, round, username, indicator_code, points, comment
    rectifications: list[dict] = field(default_factory=list)  # project_id, round, ...


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), TZ).astimezone(timezone.utc)


class _Builder:
    def __init__(self, templates: dict, today: date):
        self.rng = random.Random(SEED)
        self.templates = templates
        self.today = today
        self.demo = Demo()
        self.bias = {username: bias for _, _, members in AGENCIES for username, _, bias in members}
        self.members = {agency: [m[0] for m in members] for agency, _, members in AGENCIES}
        self.org_offset: dict[int, float] = {}

    def quality(self, project: dict) -> float:
        """The project's 'true' score: mostly 良好, some 优秀, a few 不合格, shifted by its contractor."""
        org = project["contractor_org_id"]
        if org not in self.org_offset:
            self.org_offset[org] = self.rng.gauss(0, 1.8)
        draw = self.rng.random()
        base = (self.rng.uniform(91, 95) if draw < 0.13 else self.rng.uniform(82, 88.5) if draw < 0.87
                else self.rng.uniform(66, 77) if draw < 0.975 else self.rng.uniform(46, 56))
        return max(40.0, min(97.0, base + self.org_offset[org]))

    def scorecard(self, key: tuple, username: str, template: dict, target: float, weak: dict, status: str,
                  fill: float = 1.0) -> float:
        """Scores of one evaluator; returns the total. `weak` shifts indicators the whole panel sees as weak."""
        rng, total = self.rng, 0.0
        level = (target + self.bias[username] + rng.gauss(0, 1.2)) / 100
        for indicator in template["indicators"]:
            if fill < 1 and rng.random() > fill:
                continue
            top = indicator["max_points"]
            ratio = min(1.0, max(0.0, level + weak[indicator["code"]] + rng.gauss(0, 0.035)))
            points = min(top, max(0.0, round(top * ratio * 2) / 2))
            comment = None
            if rules.needs_comment(points, top):
                comment = indicator.get("finding") or rng.choice(GROUP_COMMENTS[indicator["group"]])
            elif rng.random() < 0.12:
                comment = rng.choice(GOOD_COMMENTS) or None
            self.demo.scores.append({"project_id": key[0], "round": key[1], "username": username,
                                     "indicator_code": indicator["code"], "points": points, "comment": comment})
            total += points
        return round(total, rules.POINT_DECIMALS)

    def evaluation(self, project: dict, round_: str, agency: str, due_on: date, panel: list[tuple[str, str]],
                   *, report: bool = False) -> dict:
        """One evaluation; `panel` lists (username, status) with status not_started|draft|submitted|recused."""
        template_code = f"{round_}-standard"
        template = self.templates[template_code]
        key = (project["id"], round_)
        target = self.quality(project)
        weak = {i["code"]: self.rng.gauss(0, 0.05) - (0.08 if self.rng.random() < 0.12 else 0)
                for i in template["indicators"]}
        totals = []
        for username, status in panel:
            row = {"project_id": key[0], "round": round_, "username": username, "status": status,
                   "coi_declared_at": None, "conflict": None, "conflict_note": None, "total": None,
                   "submitted_at": None, "updated_at": _at(due_on - timedelta(days=30))}
            if status != "not_started":
                declared = due_on - timedelta(days=self.rng.randint(12, 25))
                row.update(coi_declared_at=_at(declared, 9), conflict=status == "recused", updated_at=_at(declared, 9))
            if status == "recused":
                row["conflict_note"] = CONFLICT_NOTE
            elif status == "draft":
                self.scorecard(key, username, template, target, weak, status, fill=0.6)
            elif status == "submitted":
                total = self.scorecard(key, username, template, target, weak, status)
                submitted = min(due_on - timedelta(days=self.rng.randint(0, 8)), self.today)
                row.update(total=total, submitted_at=_at(submitted, 16), updated_at=_at(submitted, 16))
                totals.append(total)
            self.demo.assignments.append(row)
        waiting = any(status in ("not_started", "draft") for _, status in panel)
        completed = bool(totals) and not waiting
        rows = self.demo.assignments[-len(panel):]
        latest = max((a["submitted_at"] for a in rows if a["submitted_at"]), default=None)
        evaluation = {"project_id": key[0], "round": round_, "template_code": template_code, "agency": agency,
                      "due_on": due_on, "status": "completed" if completed else "open",
                      "completed_at": latest if completed else None, "summary": "", "conclusion": "", "findings": "",
                      "recommendations": "", "created_at": _at(due_on - timedelta(days=40)), "created_by": "admin",
                      "result": rules.panel_result(totals) if completed else None, "weak": weak}
        if report and completed:
            self.report(evaluation, template, len(totals), due_on)
        self.demo.evaluations.append(evaluation)
        return evaluation

    def report(self, evaluation: dict, template: dict, panel_size: int, due_on: date) -> None:
        result = evaluation["result"]
        grade = rules.grade_for(result)
        evaluation["summary"] = (f"{evaluation['agency']}组织{panel_size}名评估人员，于{due_on:%Y年%m月}采取资料审查、"
                                 "实地检查、服务对象访谈和满意度测评相结合的方式对项目开展事后绩效评估。")
        evaluation["conclusion"] = (f"经第三方评估，该项目综合得分{result:.1f}分，评价等级为“{GRADE_ZH[grade]}”。"
                                    + CONCLUSION[grade])
        ranked = sorted(template["indicators"], key=lambda i: evaluation["weak"][i["code"]])
        count = {"excellent": 1, "good": 2, "pass": 3, "fail": 4}[grade]
        chosen = [i for i in ranked[:count] if i.get("finding")]
        evaluation["findings"] = "\n".join(i["finding"] for i in chosen)
        evaluation["recommendations"] = "\n".join(i["recommendation"] for i in chosen)

    def rectify(self, evaluation: dict, owner: str, *, state: str) -> None:
        """Items from an evaluation's findings: `closed`, `open` (due ahead) or `overdue`."""
        base = evaluation["completed_at"].astimezone(TZ).date()
        for finding in evaluation["findings"].splitlines()[:2]:
            due = base + timedelta(days=self.rng.choice((30, 45, 60)))
            row = {"project_id": evaluation["project_id"], "round": evaluation["round"], "finding": finding,
                   "owner": owner, "due_on": due, "status": "open", "closed_on": None, "evidence": None,
                   "closed_by": None, "created_at": _at(base + timedelta(days=3)), "created_by": "admin"}
            if state == "overdue":
                row["due_on"] = min(due, self.today - timedelta(days=self.rng.randint(3, 20)))
            elif state == "open":
                row["due_on"] = self.today + timedelta(days=self.rng.randint(10, 40))
            else:
                closed = min(due - timedelta(days=self.rng.randint(0, 15)), self.today)
                row.update(status="closed", closed_on=closed, closed_by="admin",
                           evidence=f"已提交整改报告及佐证材料（{closed:%Y年%m月%d日}复查通过）。")
            self.demo.rectifications.append(row)


def _panel(rng: random.Random, members: list[str], size: int, statuses=None) -> list[tuple[str, str]]:
    chosen = sorted(rng.sample(members, min(size, len(members))), key=members.index)
    return [(username, statuses[i] if statuses else "submitted") for i, username in enumerate(chosen)]


def build(templates: dict, projects: list[dict], today: date) -> Demo:
    """`templates`: code -> {round, indicators}; `projects`: id, code, year, stage, started_on, ended_on,
    stage_entered_on, district_code, contractor_org_id, contractor_name, sorted by code."""
    b = _Builder(templates, today)
    rng, demo = b.rng, b.demo
    for agency, scope, members in AGENCIES:
        demo.users += [{"username": u, "display_name": name, "scope_code": scope} for u, name, _ in members if name]
    jc, ry, hz = (a[0] for a in AGENCIES)
    this_year = today.year
    closed_2019 = [p for p in projects if p["year"] == 2019 and p["stage"] == "closed"]
    # 2019: a post evaluation for most closed projects, a mid-term one for about a quarter
    rectified = 0
    for project in closed_2019:
        agency = jc if rng.random() < 0.55 else ry
        if rng.random() < 0.25 and project["started_on"]:
            b.evaluation(project, "mid", agency, project["started_on"] + timedelta(days=rng.randint(110, 150)),
                         _panel(rng, b.members[agency], 3))
        if rng.random() < 0.9:
            due = project["stage_entered_on"] - timedelta(days=rng.randint(20, 60))
            evaluation = b.evaluation(project, "post", agency, due, _panel(rng, b.members[agency], 3), report=True)
            if rules.grade_for(evaluation["result"]) in ("pass", "fail") and rectified < 3:
                b.rectify(evaluation, project["contractor_name"] or "承接机构", state="closed")
                rectified += 1
    # last year's release: mid-term done for those past implementation, post done or under way
    last = [p for p in projects if p["year"] == this_year - 1 and p["stage"] in
            ("implementation", "evaluation", "follow_up", "closed")]
    states = iter(("overdue", "overdue", "open", "closed", "overdue", "open"))
    for project in last:
        agency = jc if rng.random() < 0.5 else ry
        if project["stage"] != "implementation" and project["started_on"]:
            due = min(project["started_on"] + timedelta(days=120), today - timedelta(days=20))
            b.evaluation(project, "mid", agency, due, _panel(rng, b.members[agency], 3))
        if project["stage"] in ("follow_up", "closed"):
            due = min(project["stage_entered_on"] - timedelta(days=rng.randint(5, 20)), today - timedelta(days=5))
            evaluation = b.evaluation(project, "post", agency, due, _panel(rng, b.members[agency], 3), report=True)
            if rules.grade_for(evaluation["result"]) in ("pass", "fail") or rng.random() < 0.08:
                state = next(states, None)
                if state:
                    b.rectify(evaluation, project["contractor_name"] or "承接机构", state=state)
        elif project["stage"] == "evaluation":
            due = max(project["stage_entered_on"] + timedelta(days=40), today + timedelta(days=7))
            b.evaluation(project, "post", agency, due,
                         _panel(rng, b.members[agency], 3, statuses=rng.choice(
                             (("submitted", "submitted", "draft"), ("submitted", "draft", "not_started")))))
    # this year: pre-assessments done before tender; mid-term evaluations of running projects under way
    current = [p for p in projects if p["year"] == this_year]
    for project in current:
        agency = hz if project["district_code"] == "220106" else (jc if rng.random() < 0.5 else ry)
        if project["stage"] in ("tender", "implementation") and rng.random() < 0.6:
            due = min(project["stage_entered_on"] - timedelta(days=rng.randint(3, 10)),
                      (project["started_on"] or today) - timedelta(days=30), today - timedelta(days=3))
            b.evaluation(project, "pre", agency, due, _panel(rng, b.members[agency], 3 if agency != hz else 2))
    running = [p for p in current if p["stage"] == "implementation"]
    demo_slots = [("not_started",), ("not_started",), ("draft",)]
    overdue_done = recusal_done = False
    for project in running:
        ly = project["district_code"] == "220106"
        agency = hz if ly else jc if (demo_slots or rng.random() < 0.5) else ry
        due = today + timedelta(days=rng.randint(7, 35))
        if ly:
            panel = _panel(rng, b.members[hz], 2, statuses=rng.choice(
                (("submitted", "draft"), ("not_started", "draft"), ("submitted", "submitted"))))
        elif demo_slots:
            others = rng.sample([m for m in b.members[jc] if m != DEMO_EVALUATOR], 2)
            panel = [(DEMO_EVALUATOR, demo_slots.pop(0)[0]), (others[0], "submitted"),
                     (others[1], rng.choice(("draft", "submitted")))]
        elif not overdue_done:
            due, overdue_done = today - timedelta(days=6), True
            panel = _panel(rng, b.members[agency], 3, statuses=("submitted", "draft", "not_started"))
        elif not recusal_done and agency == ry:
            recusal_done = True
            panel = [("ry_zhouwj", "submitted"), ("ry_liuhy", "recused"), (LENIENT, "draft")]
        else:
            panel = _panel(rng, b.members[agency], 3, statuses=rng.choice(
                (("submitted", "submitted", "draft"), ("draft", "not_started", "submitted"),
                 ("not_started", "not_started", "not_started"), ("submitted", "submitted", "submitted"))))
        b.evaluation(project, "mid", agency, due, panel)
    for evaluation in demo.evaluations:
        evaluation.pop("weak")
        evaluation.pop("result")
    return demo
