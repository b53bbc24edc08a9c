"""City part "microgrants": 微创投 rounds in every district, in proportion to seed 003 (番禺区: a 115万元 pool over three
streets and their 60 村居, 112 applications, 71 funded, 196 activities). Each district runs one round a year for
every three of its streets, last year's and this one's (the round year of seed_data.panyu.round_year): the pool
filled from the streets' community funds (a grant out of each fund's ledger, the fund's balance moved as the
ledger's write moves it) and the district special fund; applications from community social organizations; each
reviewed as the scorecard area records a review (an evaluation of the application, a panel of three of the
district's evaluators, their conflict-of-interest declarations — a few recuse —, submitted scorecards with their
scores and totals); decisions by the panel's result (funded with an award within the pool, or not funded with the
reason); agreements, payments from the pool (never below zero), activities reported; last year's projects and
rounds closed with their reports. Every write the app would audit has its audit row. Explicit ids, bulk inserts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from bench.city_evals import ASSIGNMENT_COLUMNS, EVALUATORS_PER_DISTRICT
from db import clock
from db.engine import transaction
from db.funds import rules
from db.models.funds import (
    CommunityFund,
    FundEntry,
    GrantActivity,
    GrantApplication,
    GrantDisbursement,
    GrantRound,
    GrantSource,
)
from db.models.pipeline import SocialOrg
from db.models.scorecards import Assignment, Evaluation, Score, ScoreTemplate, TemplateIndicator
from db.pipeline.rules import DOMAINS
from db.scorecards import rules as score_rules
from seed_data import SEED_DIR
from seed_data import panyu as seed003

TEMPLATE = "pre-standard"  # the review's scorecard, as the demo's round
PANEL = 3
RECUSE_SHARE = 0.03  # of the declarations: a conflict, so that evaluator steps aside
REVIEW_REASON = "区微创投评审专家组（区评估中心指派）"  # a panel put on by hand has its reason
STREETS_PER_ROUND = 3  # seed 003's round: 南村镇, 桥南街, 市桥街
FUND_SHARE_PCT = 30  # the most of a fund's balance put into one pool
FUNDS_PART_PCT = 50  # the funds fill up to half the pool; the district special fund the rest
AWARDED_PCT = 1_050_000 * 100 // seed003.POOL  # seed 003 awarded 105万 of its 115万 pool (the rest for a second call)
PROBLEMS = ("楼道堆物清理", "独居长者探访", "垃圾分类投放点整改", "儿童课后看护", "邻里纠纷调解", "活动场地协调")
EVALUATION_COLUMNS = ("id", "application_id", "template_id", "round", "agency", "due_on", "status", "completed_at",
                      "summary", "conclusion", "findings", "recommendations", "created_at", "created_by")
ORG_COLUMNS = ("id", "code", "name", "kind", "registration", "domain", "district_id", "street_id", "founded_on",
               "commitment_letter", "responsibility_letter", "party_org", "incubated", "authority", "incubation_base",
               "incubated_on", "active")


def seed_communities() -> int:
    """The 村居 of seed 003's three round streets in the demo's structure (60): what its figures are per."""
    doc = json.loads((SEED_DIR / "org_structure.json").read_text(encoding="utf-8"))
    panyu = next(d for d in doc["districts"] if d["code"] == seed003.DISTRICT)
    return sum(len(panyu["units"][int(code[-3:]) - 1]["communities"]) for code in seed003.ROUND_STREETS)


def sizes(communities: int, per: int) -> dict[str, int]:
    """A round's pool, applications, funded projects and activities for `communities` 村居, as seed 003's per `per`."""
    applications = max(1, round(communities * seed003.APPLICATIONS / per))
    funded = max(1, round(applications * seed003.FUNDED / seed003.APPLICATIONS))
    # whole yuan: round(x, -3) of a float is a float, which PostgreSQL's COPY refuses for a BIGINT column
    pool = int(round(communities * seed003.POOL / per, -3))
    return {"pool": max(seed003.CAP, pool), "applications": applications,
            "funded": funded, "activities": max(funded, round(funded * seed003.ACTIVITIES / seed003.FUNDED))}


def _at(day: date, hour: int = 10) -> datetime:
    return clock.local_day_start(day) + timedelta(hours=hour)


class _Ids:
    """The next explicit id of each table, after what earlier parts wrote."""

    def __init__(self, engine, tables):
        with engine.connect() as conn:
            self.next = {t: (conn.execute(select(func.max(t.id))).scalar_one() or 0) + 1 for t in tables}

    def take(self, table) -> int:
        value = self.next[table]
        self.next[table] += 1
        return value


class _Out:
    def __init__(self):
        self.orgs, self.rounds, self.entries, self.sources, self.apps = [], [], [], [], []
        self.evaluations, self.assignments, self.scores, self.paid, self.activities = [], [], [], [], []


def _reference(city) -> tuple[dict, list, dict[int, list[dict]]]:
    """The review template and its indicators, and the community funds by street (balance as the ledger left it)."""
    with city.writer.engine.connect() as conn:
        template = conn.execute(select(ScoreTemplate.id).where(ScoreTemplate.code == TEMPLATE)
                                .order_by(ScoreTemplate.version.desc())).scalars().first()
        indicators = [{"id": i, "max_points": m, "group": g} for i, m, g in conn.execute(
            select(TemplateIndicator.id, TemplateIndicator.max_points, TemplateIndicator.group)
            .where(TemplateIndicator.template_id == template)
            .order_by(TemplateIndicator.sort_order, TemplateIndicator.id))]
        funds: dict[int, list[dict]] = {}
        for row in conn.execute(select(CommunityFund.id, CommunityFund.community_id, CommunityFund.street_id,
                                       CommunityFund.district_id, CommunityFund.founded_on, CommunityFund.balance)
                                .order_by(CommunityFund.id)).mappings():
            funds.setdefault(row["street_id"], []).append(dict(row))
    return {"id": template}, indicators, funds


def write(city) -> None:
    rng, writer = city.rng("microgrants"), city.writer
    engine = writer.engine
    template, indicators, funds = _reference(city)
    ids = _Ids(engine, (SocialOrg, FundEntry, Evaluation, Assignment, Score))
    per = seed_communities()
    year = seed003.round_year(city.today)
    admin = city.users["admin"]
    usernames = {user_id: name for name, user_id in city.users.items()}
    applicants = {}  # district id -> its community social organizations (the round's eligible kind)
    for org in city.orgs:
        if org["kind"] == "community":
            applicants.setdefault(org["district_id"], []).append(org)
    out, spent = _Out(), {}  # spent: fund id -> what went into pools

    def audit(at, user, action, entity, entity_id, after) -> None:
        city.audit.append((at, user, usernames[user], action, entity, str(entity_id), json.dumps(after, default=str)))

    for index, district in enumerate(city.districts, start=1):
        panel = [city.users[f"ev{index:02d}_{n}"] for n in range(1, EVALUATORS_PER_DISTRICT + 1)]
        streets = district["streets"]
        groups = [streets[i:i + STREETS_PER_ROUND] for i in range(0, len(streets), STREETS_PER_ROUND)]
        for y in (year - 1, year):
            for group in groups:
                _round(city, rng, out, ids, district, group, y, closed=y < year, panel=panel, template=template,
                       indicators=indicators, funds=funds, spent=spent, applicants=applicants, per=per,
                       admin=admin, audit=audit)
    parts = [(SocialOrg, ORG_COLUMNS, out.orgs),
             (GrantRound, ("id", "name", "unit_id", "district_id", "street_id", "opens_on", "closes_on", "cap",
                           "cofund_pct", "registrations", "org_kinds", "min_grade", "pool", "pool_balance", "closed_on",
                           "closing_report", "created_at", "updated_at"), out.rounds),
             (FundEntry, ("id", "fund_id", "community_id", "street_id", "district_id", "kind", "side", "amount",
                          "entry_on", "entry_month", "purpose", "recorded_by", "recorded_at"), out.entries),
             (GrantSource, ("id", "round_id", "kind", "fund_id", "fund_entry_id", "amount", "added_on", "recorded_by",
                            "recorded_at"), out.sources),
             (GrantApplication, ("id", "round_id", "code", "org_id", "title", "theme", "unit_id", "community_id",
                                 "street_id", "district_id", "budget", "requested", "submitted_on", "status",
                                 "decision_reason", "decided_on", "awarded", "agreement_no", "agreement_on",
                                 "disbursed", "closed_on", "closing_report", "recorded_by", "created_at"), out.apps),
             (Evaluation, EVALUATION_COLUMNS, out.evaluations),
             (Assignment, ASSIGNMENT_COLUMNS, out.assignments),
             (Score, ("id", "assignment_id", "indicator_id", "points", "comment"), out.scores),
             (GrantDisbursement, ("id", "round_id", "application_id", "amount", "paid_on", "recorded_by",
                                  "recorded_at"), out.paid),
             (GrantActivity, ("id", "round_id", "application_id", "held_on", "place", "participants", "people_served",
                              "problems_solved", "problems", "recorded_by", "recorded_at"), out.activities)]
    writer.progress.begin("microgrants", sum(len(rows) for _, _, rows in parts))
    for table, columns, rows in parts:  # in foreign-key order
        writer.write(table.__table__, columns, rows)
    with transaction(engine) as session:  # the funds' balances, moved as the ledger's grant moves them
        for fund_id, amount in sorted(spent.items()):
            moved = session.execute(update(CommunityFund).where(CommunityFund.id == fund_id,
                                                                CommunityFund.balance >= amount)
                                    .values(balance=CommunityFund.balance - amount)
                                    .execution_options(synchronize_session=False)).rowcount
            assert moved == 1, fund_id
    writer.progress.end()
    city.microgrants = {"rounds": len(out.rounds), "applications": len(out.apps), "reviews": len(out.evaluations),
                        "scorecards": len(out.assignments), "activities": len(out.activities)}


def _round(city, rng, out: _Out, ids: _Ids, district: dict, group: list[dict], y: int, *, closed: bool,
           panel: list[int], template: dict, indicators: list[dict], funds: dict, spent: dict, applicants: dict,
           per: int, admin: int, audit) -> None:
    communities = [c for s in group for c in s["communities"]]
    size = sizes(len(communities), per)
    round_id = len(out.rounds) + 1
    opens, closes = date(y, 3, 1), date(y, 4, 15)
    name = f"{y}年{district['name']}社区微创投（{'·'.join(s['name'] for s in group)}）"[:80]
    created = _at(opens - timedelta(days=10))
    audit(created, admin, "mg_round_create", "grant_round", round_id,
          {"name": name, "unit_id": district["id"], "opens_on": opens, "closes_on": closes, "cap": seed003.CAP,
           "cofund_pct": seed003.COFUND_PCT})

    # the pool: up to half from the streets' funds (those whose ledger was all written by then), the rest special
    pool, added = size["pool"], date(y, 2, 28)
    from_funds = 0
    for fund in [f for s in group for f in funds.get(s["id"], [])]:
        if fund["founded_on"] + timedelta(days=400) > added:
            continue
        share = min((fund["balance"] - spent.get(fund["id"], 0)) * FUND_SHARE_PCT // 100 // 1_000 * 1_000,
                    pool * FUNDS_PART_PCT // 100 - from_funds)
        if share <= 0:
            continue
        from_funds += share
        spent[fund["id"]] = spent.get(fund["id"], 0) + share
        entry = ids.take(FundEntry)
        out.entries.append((entry, fund["id"], fund["community_id"], fund["street_id"], fund["district_id"],
                            rules.GRANT, rules.OUT, share, added, rules.month_of(added), f"微创投资金池：{name}"[:200],
                            admin, _at(added)))
        source = len(out.sources) + 1
        out.sources.append((source, round_id, "fund", fund["id"], entry, share, added, admin, _at(added)))
        audit(_at(added), admin, "mg_source", "grant_source", source,
              {"kind": "fund", "fund_id": fund["id"], "amount": share, "round_id": round_id, "fund_entry_id": entry})
    special = pool - from_funds
    source = len(out.sources) + 1
    out.sources.append((source, round_id, "special", None, None, special, added, admin, _at(added)))
    audit(_at(added), admin, "mg_source", "grant_source", source,
          {"kind": "special", "amount": special, "round_id": round_id})

    # the applicants: community social organizations of the district, the round's streets' first; where the
    # register has too few (small scales), incubated ones are registered as seed 003's applicants were
    in_streets = {s["id"] for s in group}
    own = applicants.setdefault(district["id"], [])
    wanted = max(1, -(-size["applications"] * seed003.ORGS // seed003.APPLICATIONS))
    while len(own) < wanted:
        street = rng.choice(group)
        org_id = ids.take(SocialOrg)
        founded = date(y - 1 - rng.randint(0, 5), rng.randint(1, 12), 1)
        org = {"id": org_id, "kind": "community", "district_id": district["id"], "street_id": street["id"]}
        out.orgs.append((org_id, f"{district['code']}WC{org_id:06d}",
                         f"{street['name'][:-2]}{rng.choice(seed003.ORG_WORDS)}{rng.choice(seed003.ORG_KINDS)}{org_id}",
                         "community", "filed", rng.choice(DOMAINS), district["id"], street["id"], founded, True, True,
                         "none", True, f"{street['name']}社区社会组织备案窗口", f"{district['name']}社会组织孵化基地",
                         founded, True))
        own.append(org)
    near = [o for o in own if o["street_id"] in in_streets]
    pool_orgs = (near + [o for o in own if o["street_id"] not in in_streets])[:max(wanted, len(near))]

    # applications, each reviewed by a panel of three on the pre-assessment scorecard
    apps, results = [], []
    due = closes + timedelta(days=15)
    units = communities + [{"id": s["id"], "name": s["name"], "street": s["id"]} for s in group]
    street_of = {c["id"]: s["id"] for s in group for c in s["communities"]}
    for number in range(1, size["applications"] + 1):
        app_id = len(out.apps) + len(apps) + 1
        unit = rng.choice(units) if rng.random() < 0.1 else rng.choice(communities)
        community = None if "street" in unit else unit["id"]
        theme = rng.choice(rules.THEMES)
        budget = rng.randrange(8_000, 25_001, 500)
        requested = min(seed003.CAP, budget * (100 - seed003.COFUND_PCT) // 100 // 100 * 100)
        submitted = opens + timedelta(days=rng.randint(0, (closes - opens).days))
        org = rng.choice(pool_orgs)
        app = {"id": app_id, "code": f"WCT{round_id:03d}-{number:03d}", "org_id": org["id"],
               "title": f"{rng.choice(seed003.TITLES[theme])}（{unit['name']}）"[:80], "theme": theme,
               "unit_id": unit["id"], "community_id": community,
               "street_id": unit["street"] if community is None else street_of[community],
               "budget": budget, "requested": requested, "submitted_on": submitted}
        audit(_at(submitted), admin, "mg_apply", "grant_application", app_id,
              {"org_id": org["id"], "title": app["title"], "unit_id": unit["id"], "budget": budget,
               "requested": requested, "code": app["code"]})
        results.append(_review(city, rng, out, ids, app, panel, template, indicators, closes, due, admin, audit))
        apps.append(app)

    # decisions: the panel's results ranked, the best funded within the pool, the others not with the reason
    ranked = sorted(range(len(apps)), key=lambda i: (-results[i], apps[i]["id"]))
    funded = set(ranked[:size["funded"]])
    budget_left = pool * AWARDED_PCT // 100
    wanted_total = sum(apps[i]["requested"] for i in funded)
    decided, agreed = date(y, 5, 10), date(y, 5, 20)
    disbursed_total = 0
    funded_order = [i for i in ranked if i in funded]
    counts = [1] * len(funded_order)  # each funded project at least one activity, as seed 003's
    for _ in range(size["activities"] - len(funded_order)):
        counts[rng.randrange(len(funded_order))] += 1
    for i, app in enumerate(apps):
        if i in funded:
            award = app["requested"] if wanted_total <= budget_left else \
                app["requested"] * budget_left // wanted_total // 100 * 100
            app.update(status=rules.FUNDED, decision_reason=None, awarded=max(100, award),
                       agreement_no=f"WCT-{district['code']}-{y}-{app['code'][-3:]}", agreement_on=agreed)
        else:
            reason = "评审得分未达立项线" if rng.random() < 0.7 else rng.choice(seed003.REFUSALS[1:])
            app.update(status=rules.NOT_FUNDED, decision_reason=reason, awarded=0, agreement_no=None,
                       agreement_on=None)
        audit(_at(decided, 15), admin, "mg_decide", "grant_application", app["id"],
              {"decision": app["status"], "awarded": app["awarded"], "reason": app["decision_reason"]})
    for position, i in enumerate(funded_order):
        app = apps[i]
        audit(_at(agreed), admin, "mg_agreement", "grant_application", app["id"],
              {"agreement_no": app["agreement_no"], "agreement_on": agreed})
        held = sorted(date(y, 6, 1) + timedelta(days=rng.randint(0, 121)) for _ in range(counts[position]))
        for day in held:
            activity = len(out.activities) + 1
            solved = rng.randint(0, 3)
            row = (activity, round_id, app["id"], day, rng.choice(seed003.PLACES), rng.randint(12, 60),
                   rng.randint(20, 160), solved, rng.choice(PROBLEMS) if solved else None, admin, _at(day, 20))
            out.activities.append(row)
            audit(_at(day, 20), admin, "mg_activity", "grant_activity", activity,
                  {"application_id": app["id"], "held_on": day, "participants": row[5], "people_served": row[6],
                   "problems_solved": solved})
        first = app["awarded"] * 6 // 10
        payments = [(first, date(y, 5, 25))]
        if closed or len(held) >= 3:  # the rest once half the activities are done (all, for a year closed)
            payments.append((app["awarded"] - first, date(y, 9, 15)))
        app["disbursed"] = 0
        for amount, day in payments:
            if amount <= 0:
                continue
            app["disbursed"] += amount
            disbursed_total += amount
            payment = len(out.paid) + 1
            out.paid.append((payment, round_id, app["id"], amount, day, admin, _at(day)))
            audit(_at(day), admin, "mg_disburse", "grant_disbursement", payment,
                  {"application_id": app["id"], "amount": amount, "paid_on": day,
                   "pool_balance": pool - disbursed_total, "disbursed": app["disbursed"]})
        if closed:
            report = f"项目按协议完成：开展活动{len(held)}场，资助资金{app['awarded']:,}元已全部拨付使用。"
            app.update(status=rules.CLOSED, closed_on=date(y, 12, 10), closing_report=report)
            audit(_at(date(y, 12, 10)), admin, "mg_project_close", "grant_application", app["id"],
                  {"closing_report": report})
    assert disbursed_total <= pool  # the pool never goes below zero
    balance = pool - disbursed_total
    round_closed, round_report = None, None
    if closed:
        round_closed = date(y, 12, 28)
        round_report = (f"本轮共受理申报{len(apps)}个，立项资助{len(funded)}个，拨付{disbursed_total:,}元；"
                        f"资金池结余{balance:,}元转入下一轮。")
        audit(_at(round_closed), admin, "mg_round_close", "grant_round", round_id,
              {"closing_report": round_report, "pool_balance": balance})
    out.rounds.append((round_id, name, district["id"], district["id"], None, opens, closes, seed003.CAP,
                       seed003.COFUND_PCT, "registered,filed", "community", None, pool, balance, round_closed,
                       round_report, created, city.now))
    for app in apps:
        out.apps.append((app["id"], round_id, app["code"], app["org_id"], app["title"], app["theme"], app["unit_id"],
                         app["community_id"], app["street_id"], district["id"], app["budget"], app["requested"],
                         app["submitted_on"], app["status"], app["decision_reason"], decided, app["awarded"],
                         app["agreement_no"], app["agreement_on"], app.get("disbursed", 0), app.get("closed_on"),
                         app.get("closing_report"), admin, _at(app["submitted_on"])))


def _review(city, rng, out: _Out, ids: _Ids, app: dict, panel: list[int], template: dict, indicators: list[dict],
            closes: date, due: date, admin: int, audit) -> float:
    """The application's review as db.funds.reviews.start_review and the evaluators' own steps leave it: an evaluation
    of the application, three evaluators put on by hand with the reason, each declaring (a conflict recuses), the
    others' scorecards submitted with their scores and totals; completed. Returns the panel's result."""
    evaluation = ids.take(Evaluation)
    opened = _at(closes + timedelta(days=1))
    audit(opened, admin, "mg_review", "grant_application", app["id"],
          {"template_id": template["id"], "due_on": due, "evaluation_id": evaluation})
    quality = rng.uniform(0.55, 0.95)
    totals, latest = [], opened
    for seat, evaluator in enumerate(rng.sample(panel, PANEL)):
        assignment = ids.take(Assignment)
        declared = _at(closes + timedelta(days=rng.randint(2, 5)), 9)
        conflict = seat > 0 and rng.random() < RECUSE_SHARE  # the first seat never recuses: a panel is left
        audit(declared, evaluator, "coi_conflict" if conflict else "coi_none", "assignment", assignment,
              {"conflict": conflict, "note": "与申报机构存在关联关系，申请回避。" if conflict else None})
        if conflict:
            out.assignments.append((assignment, evaluation, evaluator, "recused", declared, True,
                                    "与申报机构存在关联关系，申请回避。", None, None, declared, REVIEW_REASON))
            continue
        bias, points_sum = rng.gauss(0, 0.03), 0.0
        for indicator in indicators:
            top = indicator["max_points"]
            points = round(min(top, max(0.0, top * (quality + bias) + rng.gauss(0, 0.4))), score_rules.POINT_DECIMALS)
            comment = "材料不完整，需求论证不足" if score_rules.needs_comment(points, top) else None
            out.scores.append((ids.take(Score), assignment, indicator["id"], points, comment))
            points_sum += points
        total = round(points_sum, score_rules.POINT_DECIMALS)
        submitted = _at(due - timedelta(days=rng.randint(1, 6)), 16)
        latest = max(latest, submitted)
        totals.append(total)
        out.assignments.append((assignment, evaluation, evaluator, "submitted", declared, False, None, total,
                                submitted, submitted, REVIEW_REASON))
        audit(submitted, evaluator, "scorecard_submit", "assignment", assignment,
              {"total": total, "scored": len(indicators)})
    # scorecards, panel_mean and result are left to db.scorecards.panels.store_panels at the end (citygen's finish)
    out.evaluations.append((evaluation, app["id"], template["id"], "pre", "区社会组织评估中心（微创投评审）", due,
                            "completed", latest, "", "", "", "", opened, "admin"))
    return score_rules.panel_result(totals)
