"""The 番禺区 demo of seed 003 (invented rows, the article's figures): 160 community funds raising 800万元 — every
村居 of the ten 镇街 the article names as fully covered, and ten of 市桥街's — and the 115万元 微创投 round of 南村镇,
桥南街 and 市桥街, filled from those three streets' funds: 112 applications from community social organizations,
each reviewed on the standard pre-assessment scorecard, 71 funded with agreements and payments, and 196 activities
by the end of September. Pure: rows as dicts keyed by unit codes and indexes, the loader inserts them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from db.funds import rules
from seed_data.names import person_name

DISTRICT = "440113"
FULL = ("440113002", "440113003", "440113004", "440113005", "440113007", "440113008", "440113009", "440113010",
        "440113011", "440113012")  # 沙头 东环 桥南 小谷围 洛浦 石壁 钟村 大龙 沙湾 南村: every 村居 has a fund
SHIQIAO = "440113001"  # 市桥街: ten of its communities
ROUND_STREETS = ("440113012", "440113004", SHIQIAO)  # 南村镇, 桥南街, 市桥街
FUNDS, RAISED, POOL = 160, 8_000_000, 1_150_000
APPLICATIONS, FUNDED, ACTIVITIES = 112, 71, 196
ORGS = 90  # community social organizations of the three streets that apply
CAP, COFUND_PCT = 20_000, 20
ENTERPRISES = ("番禺珠宝产业园", "市桥商贸有限公司", "南村物业管理有限公司", "广州长隆旅游度假区", "番禺农商银行",
               "大石建材有限公司", "桥南餐饮管理有限公司")
TITLES = {"party_building": ("红色楼栋党员先锋行", "党建引领邻里议事"), "waste_sorting": ("垃圾分类督导员培育", "厨余回收微改造"),
          "mental_health": ("长者心理关爱小组", "青少年情绪支持营"), "smart_elderly": ("长者智能手机课堂", "独居长者智能手环守护"),
          "community_feature": ("岭南醒狮进社区", "村居非遗手作坊"), "education": ("四点半课堂", "亲子阅读成长营"),
          "other": ("邻里互助时间银行", "社区睦邻节")}
ORG_WORDS = ("乐龄", "邻里", "青苗", "巧手", "绿色", "阳光", "同心", "康乐")
ORG_KINDS = ("志愿服务队", "互助会", "文体协会", "服务社")
REFUSALS = ("评审得分未达立项线", "与已立项项目内容重复", "预算编制不合理，自筹来源不明", "服务对象与社区需求不符")
PLACES = ("党群服务中心", "社区活动室", "长者饭堂", "村文化室", "小区广场", "社工站")


@dataclass
class Demo:
    funds: list[dict] = field(default_factory=list)  # with "_unit" (a unit code)
    entries: list[dict] = field(default_factory=list)  # with "_fund" (a fund's index)
    orgs: list[dict] = field(default_factory=list)  # with "_street"
    round: dict = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)  # with "_fund", "_entry" (the fund entry's index)
    applications: list[dict] = field(default_factory=list)  # with "_org", "_unit", "_score", "_activities"
    disbursements: list[dict] = field(default_factory=list)  # with "_app"
    activities: list[dict] = field(default_factory=list)  # with "_app"


def round_year(today: date) -> int:
    """The round's year: this year's once its activities are in (October on), else last year's."""
    return today.year if today >= date(today.year, 10, 1) else today.year - 1


def _split(rng: random.Random, total: int, parts: int, low: int, step: int = 100) -> list[int]:
    """`parts` amounts in multiples of `step`, each at least `low`, adding up to `total` exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    spare, whole = total - low * parts, sum(weights)  # the sum once: thousands of parts for the 五社联动 demo
    amounts = [low + int(spare * w / whole) // step * step for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def build(communities: dict[str, list[dict]], today: date) -> Demo:
    """`communities`: street code -> its communities (code, name), in order."""
    rng = random.Random(3)
    demo = Demo()
    year = round_year(today)
    funded_units = [c for s in FULL for c in communities[s]] + communities[SHIQIAO][:10]
    assert len(funded_units) == FUNDS, len(funded_units)
    # the funds, each with its donations: 800万 in all, the round streets' funds able to give 25,000 each
    pool_funds = [i for i, c in enumerate(funded_units) if c["code"][:9] in ROUND_STREETS]
    shares = _split(rng, POOL, len(pool_funds), 20_000, 1_000)
    raised = _split(rng, RAISED, FUNDS, 30_000)
    for index, (unit, amount) in enumerate(zip(funded_units, raised)):
        founded = date(rng.randint(2020, year - 1), rng.randint(1, 12), rng.randint(1, 28))
        demo.funds.append({"_unit": unit["code"], "name": f"{unit['name']}社区基金", "founded_on": founded,
                           "custodian": "番禺区慈善会", "managers": "、".join(person_name(rng) for _ in range(2))})
        gifts = _split(rng, amount, rng.randint(2, 4), 2_000)
        for gift in gifts:
            kind = rng.choice(("resident", "enterprise", "enterprise", "social_org", "government_match"))
            name = {"resident": None, "enterprise": rng.choice(ENTERPRISES), "social_org": "番禺区社会组织联合会",
                    "government_match": "番禺区民政局（配捐）"}[kind]
            day = min(founded + timedelta(days=rng.randint(10, 700)), date(year, 2, 20))
            demo.entries.append({"_fund": index, "kind": rules.DONATION, "side": rules.IN, "amount": gift,
                                 "entry_on": max(day, founded), "donor_kind": kind, "donor_name": name})
    opens, closes = date(year, 3, 1), date(year, 4, 15)
    demo.round = {"name": "番禺区社区微创投（南村镇·桥南街·市桥街）", "opens_on": opens, "closes_on": closes, "cap": CAP,
                  "cofund_pct": COFUND_PCT, "registrations": "registered,filed", "org_kinds": "community",
                  "min_grade": None, "pool": POOL, "pool_balance": POOL}
    for fund_index, share in zip(pool_funds, shares):
        demo.sources.append({"_fund": fund_index, "_entry": len(demo.entries), "kind": "fund", "amount": share,
                             "added_on": date(year, 2, 28)})
        demo.entries.append({"_fund": fund_index, "kind": rules.GRANT, "side": rules.OUT, "amount": share,
                             "entry_on": date(year, 2, 28), "purpose": f"微创投资金池：{demo.round['name']}"})
    # the applicants: community social organizations of the three streets, filed, out of the incubators
    round_units = [c for s in ROUND_STREETS for c in communities[s]]
    for n in range(ORGS):
        unit = rng.choice(round_units)
        demo.orgs.append({"_street": unit["code"][:9], "code": f"{DISTRICT}BA{year - 1}{n + 1:04d}",
                          "name": f"{unit['name']}{rng.choice(ORG_WORDS)}{rng.choice(ORG_KINDS)}",
                          "founded_on": date(rng.randint(2015, year - 1), rng.randint(1, 12), 1)})
    # the funded scored above the line, well clear of the others
    scores = sorted([rng.uniform(75, 96) for _ in range(FUNDED)] + [rng.uniform(50, 65) for _ in range(
        APPLICATIONS - FUNDED)], reverse=True)
    order = list(range(APPLICATIONS))
    rng.shuffle(order)
    for n, rank in enumerate(order):
        unit, theme = rng.choice(round_units), rng.choice(rules.THEMES)
        budget = rng.randrange(8_000, 25_001, 500)
        requested = min(CAP, budget * (100 - COFUND_PCT) // 100 // 100 * 100)
        demo.applications.append({
            "_org": rng.randrange(ORGS), "_unit": unit["code"], "_score": round(scores[rank], 1),
            "_funded": rank < FUNDED,
            "title": f"{rng.choice(TITLES[theme])}（{unit['name']}）"[:80], "theme": theme, "budget": budget,
            "requested": requested, "submitted_on": opens + timedelta(days=rng.randint(0, (closes - opens).days))})
    funded = [a for a in demo.applications if a["_funded"]]
    awards = _split(rng, 1_050_000, FUNDED, 10_000)  # within the pool: 10万 is left for a second call
    for app, award in zip(funded, awards):
        app["awarded"] = min(award, app["requested"])
    for number, app in enumerate(demo.applications, start=1):
        app["code"] = f"WCT001-{number:03d}"
        app["decided_on"] = date(year, 5, 10)
        if app["_funded"]:
            app.update(status=rules.FUNDED, agreement_no=f"PYWCT-{year}-{number:03d}", agreement_on=date(year, 5, 20),
                       decision_reason=None)
        else:
            app.update(status=rules.NOT_FUNDED, awarded=0, decision_reason=rng.choice(REFUSALS))
    # activities: each funded project at least one, 196 in all, June to September
    counts = [1] * FUNDED
    for _ in range(ACTIVITIES - FUNDED):
        counts[rng.randrange(FUNDED)] += 1
    for app, count in zip(funded, counts):
        index = demo.applications.index(app)
        for _ in range(count):
            demo.activities.append({"_app": index, "held_on": date(year, 6, 1) + timedelta(days=rng.randint(0, 121)),
                                    "place": rng.choice(PLACES), "participants": rng.randint(12, 60),
                                    "people_served": rng.randint(20, 160), "problems_solved": rng.randint(0, 3),
                                    "problems": None})
        first = app["awarded"] * 6 // 10
        demo.disbursements.append({"_app": index, "amount": first, "paid_on": date(year, 5, 25)})
        if count >= 3:  # the second payment once half the activities are done
            demo.disbursements.append({"_app": index, "amount": app["awarded"] - first, "paid_on": date(year, 9, 15)})
    demo.round["pool_balance"] = POOL - sum(d["amount"] for d in demo.disbursements)
    for entry in demo.entries:
        entry["entry_month"] = rules.month_of(entry["entry_on"])
    return demo


def indicator_points(rng: random.Random, indicators: list[tuple[int, int]], target: float) -> list[tuple]:
    """Points per indicator (id, max) adding up to about `target` of 100, with the comment a low score needs."""
    rows = []
    for indicator_id, most in indicators:
        points = round(min(most, max(0.0, most * target / 100 + rng.uniform(-0.6, 0.6))), 1)
        comment = "材料不完整，需求论证不足" if points < 0.6 * most else None
        rows.append((indicator_id, points, comment))
    return rows
