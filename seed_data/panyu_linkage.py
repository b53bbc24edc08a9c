"""番禺区's 五社联动 demo (seed 003: 16 镇街 and 275 村居 in the linkage, 1,825 community organizations incubated, 983
community enterprises engaged, 2,000万元+ raised, 57 projects funded, 4,553 activities, 2,689 problems solved,
290,000 people served), made so that the dashboard's figures, each derived from rows, come out as the article's:

- organizations: the register's incubated ones — the 微创投 round's 90 applicants and 1,735 more, spread over the
  16 镇街 (a few of them registered and rated, for the special fund's 3A+ rewards);
- social work: a station in each 镇街 with three workers, and a worker serving each 村居 (so all 275 are in);
- enterprises: 983, each with what it contributes and the value it gave directly (outside the funds): 1,246万元,
  which with the funds' 800万元 of donations makes the linkage's 2,046万元 raised;
- 57 grants out of funds outside the round's streets to community service projects (another approved use);
- the linkage's own activities: 4,553 less the round's 196, carrying the problems solved and people served the
  round's activities leave to reach 2,689 and 290,000.
Pure: rows as dicts keyed by unit codes and indexes; the loader inserts them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from db.funds import rules as fund_rules
from seed_data.names import person_name
from seed_data.panyu import DISTRICT, ROUND_STREETS, _split

ORGS, ENTERPRISES, PROJECTS = 1_825, 983, 57
ACTIVITIES, PROBLEMS, PEOPLE = 4_553, 2_689, 290_000
GIVEN_DIRECTLY = 12_460_000  # the enterprises' own contributions (the funds' donations are 800万元)
PROJECT_GRANTS = 1_140_000
RATED = {3: 34, 4: 18, 5: 7, 2: 9}  # registered organizations with a valid rating, by grade
ORG_WORDS = ("乐龄", "邻里", "青苗", "巧手", "绿色", "阳光", "同心", "康乐", "书香", "红棉", "醒狮", "龙舟")
ORG_KINDS = ("志愿服务队", "互助会", "文体协会", "服务社", "调解队", "兴趣小组")
AGENCIES = ("番禺区启智社会工作服务中心", "番禺区和舍社会工作服务中心", "番禺区乐善社会工作服务中心", "番禺区同心社工服务中心")
FIRMS = ("物业管理有限公司", "商贸有限公司", "餐饮店", "超市", "药房", "五金店", "幼儿园", "珠宝加工厂", "农庄", "民宿")
CONTRIBUTIONS = {"money": "资助社区活动经费", "goods": "捐赠慰问物资", "venue": "无偿提供活动场地",
                 "service": "员工志愿服务", "jobs": "为困难居民提供就业岗位"}
TITLES = {"committee": ("居民议事会", "邻里节", "政策宣讲"), "social_org": ("长者健步行", "四点半课堂", "醒狮表演"),
          "social_work": ("独居长者探访", "青少年成长小组", "家庭关系辅导"), "enterprise": ("企业开放日", "义剪义诊", "爱心集市"),
          "fund": ("基金募捐日", "慈善义卖", "项目路演")}
PROJECTS_USE = ("长者助餐", "困境儿童帮扶", "社区微改造", "邻里互助站", "垃圾分类推广", "残障人士康乐")


@dataclass
class Linkage:
    orgs: list[dict] = field(default_factory=list)  # with "_street", "_grade" (None, or the A's)
    stations: list[dict] = field(default_factory=list)  # with "_unit"
    workers: list[dict] = field(default_factory=list)  # with "_station" (index), "_unit"
    enterprises: list[dict] = field(default_factory=list)  # with "_unit"
    activities: list[dict] = field(default_factory=list)  # with "_unit"


def project_grants(demo, today: date) -> None:
    """57 grants out of funds outside the round's streets to community service projects, appended to the ledger."""
    rng = random.Random(57)
    pooled = {s["_fund"] for s in demo.sources}
    raised: dict[int, int] = {}
    for e in demo.entries:
        raised[e["_fund"]] = raised.get(e["_fund"], 0) + (e["amount"] if e["side"] == fund_rules.IN else 0)
    outside = [i for i, f in enumerate(demo.funds) if f["_unit"][:9] not in ROUND_STREETS and i not in pooled]
    chosen = sorted(rng.sample(outside, PROJECTS))
    for index, amount in zip(chosen, _split(rng, PROJECT_GRANTS, PROJECTS, 8_000)):
        assert amount <= raised[index], (index, amount)  # the balance never below zero
        fund = demo.funds[index]
        day = min(max(fund["founded_on"] + timedelta(days=rng.randint(200, 900)), date(today.year - 2, 1, 1)),
                  today - timedelta(days=30))
        demo.entries.append({"_fund": index, "kind": fund_rules.GRANT, "side": fund_rules.OUT, "amount": amount,
                             "entry_on": day, "entry_month": fund_rules.month_of(day),
                             "purpose": f"社区服务项目：{fund['name'][:-4]}{rng.choice(PROJECTS_USE)}"})


def _dates(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def build(communities: dict[str, list[dict]], streets: list[dict], today: date, round_activities: list[dict],
          existing_orgs: int) -> Linkage:
    """`communities`: street code -> its communities (code, name); `streets`: (code, name) in order;
    `round_activities`: the 微创投 round's (their counts are part of the linkage's)."""
    rng = random.Random(5)
    demo = Linkage()
    last = today - timedelta(days=1)
    # the register's incubated community organizations, every 镇街 with some
    codes = [s["code"] for s in streets]
    for n in range(ORGS - existing_orgs):
        street = codes[n % len(codes)] if n < len(codes) * 20 else rng.choice(codes)
        entered = _dates(rng, date(2015, 1, 1), date(today.year - 1, 12, 31))
        demo.orgs.append({"_street": street, "_grade": None, "code": f"{DISTRICT}BC{n + 1:05d}",
                          "name": f"{rng.choice(communities[street])['name']}{rng.choice(ORG_WORDS)}"
                                  f"{rng.choice(ORG_KINDS)}{n + 1}",
                          "incubated_on": entered, "founded_on": entered})
    rated = [g for g, count in RATED.items() for _ in range(count)]
    for org, grade in zip(rng.sample(demo.orgs, len(rated)), rated):
        org["_grade"] = grade
    # social work: a station per 镇街 with three workers at the street, a worker for each 村居
    for street in streets:
        station = len(demo.stations)
        demo.stations.append({"_unit": street["code"], "name": f"{street['name']}社工站", "operator": rng.choice(AGENCIES),
                              "opened_on": _dates(rng, date(2019, 1, 1), date(2020, 12, 31))})
        opened = demo.stations[-1]["opened_on"]
        units = [street["code"]] * 3 + [c["code"] for c in communities[street["code"]]]
        for unit in units:
            demo.workers.append({"_station": station, "_unit": unit, "name": person_name(rng),
                                 "qualification": rng.choice(("assistant", "assistant", "social_worker", "none",
                                                              "senior")),
                                 "joined_on": _dates(rng, opened, last)})
    # enterprises: 983 over the 村居, what each gives directly adding up to 1,246万元
    every = [c for s in codes for c in communities[s]]
    values = _split(rng, GIVEN_DIRECTLY, ENTERPRISES, 2_000)
    for n, value in enumerate(values):
        unit = every[n % len(every)] if n < len(every) else rng.choice(every)
        kind = rng.choice(("money", "money", "goods", "venue", "service", "jobs"))
        demo.enterprises.append({"_unit": unit["code"], "name": f"{unit['name'][:4]}{rng.choice(FIRMS)}{n + 1}",
                                 "contribution_kind": kind, "contribution": CONTRIBUTIONS[kind], "value": value,
                                 "engaged_on": _dates(rng, date(2020, 1, 1), last)})
    # the linkage's own activities: what the round's leave of the article's totals
    count = ACTIVITIES - len(round_activities)
    problems = PROBLEMS - sum(a["problems_solved"] for a in round_activities)
    people = PEOPLE - sum(a["people_served"] for a in round_activities)
    solved = [0] * count
    for _ in range(problems):
        solved[rng.randrange(count)] += 1
    served = _split(rng, people, count, 10, 1)
    first = date(today.year - 2, 1, 1)
    for n in range(count):
        unit = rng.choice(every)["code"] if rng.random() < 0.9 else rng.choice(codes)
        organizer = rng.choice(("committee", "social_org", "social_org", "social_work", "social_work", "enterprise",
                                "fund"))
        demo.activities.append({"_unit": unit, "title": rng.choice(TITLES[organizer]), "organizer": organizer,
                                "held_on": _dates(rng, first, last), "participants": rng.randint(8, 80),
                                "people_served": served[n], "problems_solved": solved[n]})
    return demo
