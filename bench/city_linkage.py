"""The city's community funds and 五社联动 registries: a fund for about six communities in ten, each with a few
donations and a grant or two (the balance what the ledger leaves), a social-work station per street with three
workers and one for each community, community enterprises, and the linkage's activities over the last two years.
The 微创投 rounds are not generated (their decisions need completed reviews on the scorecard tables)."""

from __future__ import annotations

from datetime import timedelta

from bench.city import City
from db.funds import rules as fund_rules
from db.models.funds import CommunityFund, FundEntry
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation
from seed_data.names import person_name

DONOR_KINDS = fund_rules.DONOR_KINDS
QUALIFICATIONS = ("none", "assistant", "assistant", "social_worker", "senior")
CONTRIBUTIONS = (("money", "资助社区活动经费"), ("goods", "捐赠慰问物资"), ("venue", "无偿提供活动场地"),
                 ("service", "员工志愿服务"), ("jobs", "提供就业岗位"))
ORGANIZERS = ("committee", "social_org", "social_work", "enterprise", "fund")
TITLES = ("居民议事会", "邻里节", "长者探访", "四点半课堂", "义剪义诊", "慈善义卖", "垃圾分类宣传")


def write(city: City) -> None:
    rng, writer, today, now = city.rng("linkage"), city.writer, city.today, city.now
    funds, entries, stations, workers, firms, activities = [], [], [], [], [], []
    for district in city.districts:
        for street in district["streets"]:
            place = (district["id"], street["id"])
            station = len(stations) + 1
            stations.append((station, f"{street['name']}社工站", street["id"], None, street["id"], district["id"],
                             "社会工作服务中心", today - timedelta(days=rng.randint(400, 2000)), True, now, now))
            served = [(street["id"], None)] * 3 + [(c["id"], c["id"]) for c in street["communities"]]
            for unit, community in served:
                workers.append((len(workers) + 1, person_name(rng), station, unit, community, *place[::-1],
                                rng.choice(QUALIFICATIONS), today - timedelta(days=rng.randint(30, 1500)), True,
                                now, now))
            for c in street["communities"]:
                at = (c["id"], c["id"], street["id"], district["id"])
                if rng.random() < 0.6:
                    fund, founded = len(funds) + 1, today - timedelta(days=rng.randint(400, 2000))
                    balance = 0
                    for _ in range(rng.randint(2, 6)):
                        amount, day = rng.randrange(2_000, 60_000, 100), founded + timedelta(days=rng.randint(1, 390))
                        balance += amount
                        entries.append((len(entries) + 1, fund, *at[1:], fund_rules.DONATION, fund_rules.IN, amount, day,
                                        fund_rules.month_of(day), rng.choice(DONOR_KINDS), None, None, now))
                    for _ in range(rng.randint(0, 2)):
                        amount = min(balance, rng.randrange(1_000, 20_000, 100))
                        if amount <= 0:
                            break
                        balance -= amount
                        day = founded + timedelta(days=rng.randint(391, 399))
                        entries.append((len(entries) + 1, fund, *at[1:], fund_rules.GRANT, fund_rules.OUT, amount, day,
                                        fund_rules.month_of(day), None, None, f"社区服务项目：{c['name']}邻里互助", now))
                    funds.append((fund, f"{c['name']}社区基金", *at, founded, "区慈善会", "", balance, now, now))
                for _ in range(rng.randint(1, 6)):
                    kind, words = rng.choice(CONTRIBUTIONS)
                    firms.append((len(firms) + 1, f"{c['name'][:4]}企业{len(firms) + 1}", *at, kind, words,
                                  rng.randrange(0, 50_000, 500), today - timedelta(days=rng.randint(1, 1500)), True,
                                  now, now))
                for _ in range(rng.randint(8, 24)):
                    day = today - timedelta(days=rng.randint(1, 730))
                    activities.append((len(activities) + 1, rng.choice(TITLES), rng.choice(ORGANIZERS), *at, day,
                                       rng.randint(8, 80), rng.randint(10, 200), rng.randint(0, 3),
                                       city.users.get("admin"), now))
    parts = [(CommunityFund, ("id", "name", "unit_id", "community_id", "street_id", "district_id", "founded_on",
                              "custodian", "managers", "balance", "created_at", "updated_at"), funds),
             (FundEntry, ("id", "fund_id", "community_id", "street_id", "district_id", "kind", "side", "amount",
                          "entry_on", "entry_month", "donor_kind", "donor_name", "purpose", "recorded_at"), entries),
             (SocialWorkStation, ("id", "name", "unit_id", "community_id", "street_id", "district_id", "operator",
                                  "opened_on", "active", "created_at", "updated_at"), stations),
             (SocialWorker, ("id", "name", "station_id", "unit_id", "community_id", "street_id", "district_id",
                             "qualification", "joined_on", "active", "created_at", "updated_at"), workers),
             (CommunityEnterprise, ("id", "name", "unit_id", "community_id", "street_id", "district_id",
                                    "contribution_kind", "contribution", "value", "engaged_on", "active",
                                    "created_at", "updated_at"), firms),
             (LinkageActivity, ("id", "title", "organizer", "unit_id", "community_id", "street_id", "district_id",
                                "held_on", "participants", "people_served", "problems_solved", "recorded_by",
                                "recorded_at"), activities)]
    writer.progress.begin("linkage", sum(len(rows) for _, _, rows in parts))
    for table, columns, rows in parts:
        writer.write(table.__table__, columns, rows)
    writer.progress.end()
