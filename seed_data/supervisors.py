"""Deterministic demo of 锦江区's third-party supervisor pool (第三方监督员资源库, seed 000): about sixty persons
and agencies (evaluation centres, universities, accounting and law firms, social-work organizations of the
register), their specialties and qualifications (a few expired or running out, a few taken out of the pool),
the seven evaluator accounts of the district linked to their person, ties to organizations, and a year of
draws for annual inspections and enforcement checks (one of them redrawn). Plain dicts;
seed_data/load_supervisors.py writes them through the draws' own code."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from seed_data.names import person_name

SEED = 2019_000
DISTRICT = "510104"  # 锦江区
POOL_SIZE = 60

# (agency, specialties it leans to, qualifications its people hold)
AGENCIES = (
    ("成都市锦诚社会工作评估中心", ("social_work", "governance", "elderly"), ("中级社会工作师", "社会组织评估专家")),
    ("四川蓉益社会组织评估中心", ("governance", "audit", "social_work"), ("社会组织评估专家", "中级社会工作师")),
    ("四川大学公共管理学院", ("governance", "other", "culture_sports"), ("副教授（社会治理方向）", "社会组织评估专家")),
    ("西南财经大学社会工作与发展学院", ("social_work", "children", "disability"),
     ("副教授（社会工作方向）", "高级社会工作师")),
    ("四川华信会计师事务所", ("audit",), ("注册会计师",)),
    ("四川天府正信会计师事务所", ("audit",), ("注册会计师", "中级会计师")),
    ("四川蜀锦律师事务所", ("governance", "other"), ("律师执业资格",)),
    ("成都市锦江区老年大学", ("elderly", "culture_sports"), ("高级讲师",)),
    ("成都市锦江区残疾人康复服务指导中心", ("disability", "social_work"), ("康复治疗师", "中级社会工作师")),
    ("成都市锦江区文化馆", ("culture_sports", "children"), ("群众文化副研究馆员",)),
)
# agencies that are supervisors themselves (an audit or an evaluation by the firm), with their specialties
AGENCY_MEMBERS = (
    ("四川华信会计师事务所", ("audit",), "会计师事务所执业证书"),
    ("四川天府正信会计师事务所", ("audit",), "会计师事务所执业证书"),
    ("成都市锦诚社会工作评估中心", ("social_work", "governance", "elderly"), "社会组织评估机构资质"),
    ("四川蓉益社会组织评估中心", ("governance", "social_work", "audit"), "社会组织评估机构资质"),
)
# the district's evaluator accounts (seed_data/scorecards.py) and the specialties of their person
ACCOUNTS = (
    ("evaluator", "张评估", "成都市锦诚社会工作评估中心", ("elderly", "governance", "children", "social_work")),
    ("jc_wangsy", "王思远", "成都市锦诚社会工作评估中心", ("governance", "culture_sports", "other")),
    ("jc_lijing", "李静", "成都市锦诚社会工作评估中心", ("children", "disability", "social_work")),
    ("jc_chenxd", "陈晓东", "成都市锦诚社会工作评估中心", ("elderly", "governance", "audit")),
    ("ry_zhouwj", "周文俊", "四川蓉益社会组织评估中心", ("culture_sports", "children", "social_work")),
    ("ry_liuhy", "刘海燕", "四川蓉益社会组织评估中心", ("elderly", "disability", "other")),
    ("ry_hezq", "何志强", "四川蓉益社会组织评估中心", ("governance", "social_work", "audit")),
)
EXTRA = ("elderly", "governance", "audit", "children", "disability", "social_work", "culture_sports", "other")


@dataclass
class PoolDemo:
    supervisors: list[dict] = field(default_factory=list)  # name, kind, agency, org (index), specialties, ...
    ties: list[dict] = field(default_factory=list)  # supervisor (index), org (index), kind, ended_on, note
    draws: list[dict] = field(default_factory=list)  # purpose, org (index), year|reference, size, day, seed


def build(today: date, org_count: int) -> PoolDemo:
    """The pool as of `today`; organizations are named by their index among 锦江区's active ones (org_count)."""
    rng = random.Random(SEED)
    demo = PoolDemo()

    def until(kind: str) -> date:
        return today + timedelta(days={"expired": -rng.randint(20, 200), "expiring": rng.randint(10, 80),
                                       "valid": rng.randint(200, 1400)}[kind])

    for username, name, agency, specialties in ACCOUNTS:
        demo.supervisors.append({"name": name, "kind": "person", "agency": agency, "org": None,
                                 "specialties": list(specialties), "qualification": "中级社会工作师",
                                 "qualified_until": until("valid"), "username": username, "active": True})
    for name, specialties, qualification in AGENCY_MEMBERS:
        demo.supervisors.append({"name": name, "kind": "agency", "agency": None, "org": None,
                                 "specialties": list(specialties), "qualification": qualification,
                                 "qualified_until": until("valid"), "username": None, "active": True})
    # social-work people of organizations in the register: a draw must skip them for their own organization
    staffed = rng.sample(range(org_count), min(6, org_count))
    taken = {s["name"] for s in demo.supervisors}
    while len(demo.supervisors) < POOL_SIZE:
        name = person_name(rng)
        if name in taken:
            continue
        taken.add(name)
        index = len(demo.supervisors)
        if staffed and rng.random() < 0.15:
            agency, lean, qualifications, org = None, ("social_work", "elderly", "children"), ("中级社会工作师",), \
                staffed[index % len(staffed)]
        else:
            agency, lean, qualifications = rng.choice(AGENCIES)
            org = None
        specialties = sorted({rng.choice(lean) for _ in range(rng.randint(1, 2))} | (
            {rng.choice(EXTRA)} if rng.random() < 0.3 else set()))
        state = rng.choices(("valid", "expiring", "expired"), (0.85, 0.08, 0.07))[0]
        demo.supervisors.append({"name": name, "kind": "person", "agency": agency, "org": org,
                                 "specialties": specialties, "qualification": rng.choice(qualifications),
                                 "qualified_until": until(state), "username": None,
                                 "active": rng.random() > 0.05})
    people = [i for i, s in enumerate(demo.supervisors) if s["kind"] == "person" and s["username"] is None]
    for index in rng.sample(people, 6):
        engaged = rng.random() < 0.6
        demo.ties.append({"supervisor": index, "org": rng.randrange(org_count), "kind": "engaged" if engaged
                          else "declared", "ended_on": today - timedelta(days=rng.randint(60, 1500)) if engaged
                          else None, "note": "曾为该机构提供项目督导服务" if engaged else "本人亲属在该机构任理事"})
    # a year of annual inspections (last year's, drawn in spring) and enforcement checks
    inspected = set()
    for number in range(14):
        day = today - timedelta(days=rng.randint(15, 340))
        org = rng.randrange(org_count)
        if number % 3 != 2 and (org, day.year - 1) in inspected:
            continue
        inspected.add((org, day.year - 1))
        if number % 3 == 2:
            reference = f"锦民执检〔{day.year}〕{number + 1}号"
            demo.draws.append({"purpose": "enforcement", "org": org, "reference": reference,
                               "year": None, "size": 2, "day": day, "seed": rng.randrange(1, 2**62)})
        else:
            demo.draws.append({"purpose": "inspection", "org": org, "year": day.year - 1, "reference": None,
                               "size": 3, "day": day, "seed": rng.randrange(1, 2**62)})
    demo.draws.sort(key=lambda d: d["day"])
    return demo


REDRAW_REASON = "抽中的监督员因出差无法参加现场检查，重新抽取"
