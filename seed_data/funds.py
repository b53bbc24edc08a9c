"""The 社区基金 demo of 锦江区 (invented): 20 funds — 19 of its communities', 紫荆社区's among them, and 春熙路街道's —
each with a ledger from its founding to today: donations by residents, enterprises, social organizations and the
government's matching money, grants to the community's own projects or other approved uses, and a few reversals.
Pure: rows as dicts, the loader inserts them. The balance never goes below zero, as the writes would insist."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from db.funds import rules
from seed_data.names import person_name

FUNDS = 20
ENTERPRISES = ("锦城物业服务有限公司", "春熙商贸有限公司", "蜀锦文化传媒有限公司", "合江亭餐饮管理有限公司",
               "东大街药房连锁有限公司", "天府银行锦江支行", "红星路百货有限公司", "水井坊酒业有限公司")
SOCIAL_ORGS = ("锦江区邻里守望互助会", "成都市爱有戏社区发展中心", "锦江区老年协会", "锦江区青年志愿者协会")
CUSTODIANS = ("成都市慈善总会", "锦江区慈善会", "成都市社区发展基金会")
USES = ("困难家庭节日慰问", "社区志愿者培训", "楼道照明维修", "院落微更新材料", "社区老年食堂补贴",
        "儿童暑期托管活动", "居民文艺汇演", "独居老人探访活动")
REASONS = ("金额录入错误，冲正后重新登记", "捐赠人撤回捐赠，款项已退回", "用途变更，冲正原支出", "重复登记")
DONOR_WEIGHTS = {"resident": 6, "enterprise": 2, "social_org": 1, "government_match": 1, "other": 1}


@dataclass
class Demo:
    funds: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)  # with "_fund" (the fund's index), "_reverses" (an entry's index)


def _donation(rng: random.Random) -> tuple[str, str | None, int]:
    kind = rng.choices(list(DONOR_WEIGHTS), weights=list(DONOR_WEIGHTS.values()))[0]
    if kind == "resident":
        return kind, None if rng.random() < 0.3 else person_name(rng), rng.choice((100, 200, 500, 800, 1_000, 2_000))
    if kind == "enterprise":
        return kind, rng.choice(ENTERPRISES), rng.choice((5_000, 10_000, 20_000, 30_000, 50_000))
    if kind == "social_org":
        return kind, rng.choice(SOCIAL_ORGS), rng.choice((2_000, 3_000, 5_000))
    if kind == "government_match":
        return kind, "锦江区民政局（配捐）", rng.choice((10_000, 20_000, 30_000))
    return kind, None, rng.choice((500, 1_000, 3_000))


def build(units: list[dict], projects: dict[int, list[int]], today: date) -> Demo:
    """`units`: the funds' communities and street (id, name, level, community_id, street_id, district_id);
    `projects`: community id -> its own projects' ids (grants go to them)."""
    rng = random.Random(160)
    demo = Demo()
    for index, unit in enumerate(units):
        founded = date(rng.randint(2020, 2024), rng.randint(1, 12), 1) + timedelta(days=rng.randint(0, 27))
        demo.funds.append({"name": f"{unit['name']}社区基金" if unit["level"] == "community" else f"{unit['name']}基金",
                           "unit_id": unit["id"], "community_id": unit["community_id"], "street_id": unit["street_id"],
                           "district_id": unit["district_id"], "founded_on": founded,
                           "custodian": rng.choice(CUSTODIANS),
                           "managers": "、".join(person_name(rng) for _ in range(rng.randint(2, 3)))})
        balance, day, mine = 0, founded, []
        own = projects.get(unit["community_id"], []) if unit["community_id"] else [
            p for c, ids in projects.items() if c in unit.get("communities", ()) for p in ids]
        while True:
            day += timedelta(days=rng.randint(20, 110))
            if day > today:
                break
            for _ in range(rng.choice((1, 1, 2))):
                kind, name, amount = _donation(rng)
                mine.append({"_fund": index, "kind": rules.DONATION, "side": rules.IN, "amount": amount,
                             "entry_on": day, "donor_kind": kind, "donor_name": name})
                balance += amount
            if balance > 3_000 and rng.random() < 0.55:
                amount = min(balance, rng.choice((2_000, 3_000, 5_000, 8_000, 10_000, 20_000)))
                grant = {"_fund": index, "kind": rules.GRANT, "side": rules.OUT, "amount": amount, "entry_on": day}
                if own and rng.random() < 0.5:
                    grant["project_id"] = rng.choice(own)
                else:
                    grant["purpose"] = rng.choice(USES)
                mine.append(grant)
                balance -= amount
        # a reversal or so: the newest donation the balance can give back, corrected on the same day
        if mine and rng.random() < 0.3:
            last = next((e for e in reversed(mine) if e["kind"] == rules.DONATION and e["amount"] <= balance), None)
            if last is not None:
                mine.append({"_fund": index, "kind": rules.REVERSAL, "side": rules.IN, "amount": -last["amount"],
                             "entry_on": last["entry_on"], "donor_kind": last["donor_kind"],
                             "reason": rng.choice(REASONS), "_reverses": len(demo.entries) + mine.index(last)})
                balance -= last["amount"]
        demo.funds[-1]["balance"] = balance
        demo.entries.extend(mine)
    for entry in demo.entries:
        entry["entry_month"] = rules.month_of(entry["entry_on"])
    return demo
