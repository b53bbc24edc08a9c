"""Deterministic generator of the pipeline demo: social organizations and their ratings, projects with
their stage histories. Reads the readable JSON beside it; returns plain rows keyed by codes, which
seed_data/load_pipeline.py turns into ids and inserts. Dates of the current releases count back from `today`
so some projects are always overdue."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from db import clock
from db.pipeline import rules
from seed_data import SEED_DIR

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
KIND_DIGIT = {"social_group": "1", "private_non_enterprise": "2", "foundation": "3"}
# share of a release's projects in each state, for releases still under way
PLANS = {
    "late": {"implementation": 0.2, "evaluation": 0.2, "follow_up": 0.24, "closed": 0.33, "terminated": 0.03},
    "spread": {"needs_survey": 0.14, "goal_setting": 0.14, "tender": 0.2, "implementation": 0.3, "evaluation": 0.1,
               "follow_up": 0.08, "terminated": 0.04},
}
DOMAIN_WEIGHTS = dict(zip(rules.DOMAINS, (0.24, 0.22, 0.18, 0.13, 0.12, 0.11)))


def _json(name: str) -> dict:
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


@dataclass
class Demo:
    orgs: list[dict] = field(default_factory=list)
    ratings: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


# ---------------------------------------------------------------- organizations and ratings


def _org_name(rng: random.Random, names: dict, district: dict, kind: str, domain: str, street: dict, taken: set) -> str:
    for attempt in range(200):
        if kind == "community":
            community = rng.choice(street["communities"])
            base = community["name"] if attempt < 20 else street["name"] + community["name"]
            name = base + rng.choice(names["community_kinds"][domain])
        else:
            prefix = rng.choice((district["city"] + district["name"], district["name"]))
            core = rng.choice(names["cores"])
            suffix = {"private_non_enterprise": lambda: rng.choice(names["nonprofit_suffix"][domain]),
                      "social_group": lambda: rng.choice(names["group_suffix"][domain]),
                      "foundation": lambda: rng.choice(names["foundation_suffix"])}[kind]()
            name = prefix + core + suffix
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of organization names")


def _credit_code(rng: random.Random, kind: str, district_code: str, taken: set) -> str:
    while True:
        code = "5" + KIND_DIGIT[kind] + district_code + "".join(rng.choice(CREDIT_CHARS) for _ in range(10))
        if code not in taken:
            taken.add(code)
            return code


def _orgs(rng: random.Random, districts: dict, today: date) -> list[dict]:
    names, plan = _json("pipeline_names.json"), _json("pipeline_orgs.json")
    rows, names_taken, codes_taken = [], set(), set()
    for district_code, spec in plan["districts"].items():
        district = districts[district_code]
        pilots = [s for s in district["streets"] if s["pilot"]] or district["streets"]
        filed_seq = 0
        for kind, count in spec["counts"].items():
            track = "filed" if kind == "community" else "registered"
            for _ in range(count):
                domain = _pick(rng, DOMAIN_WEIGHTS)
                in_pilot = track == "filed" and rng.random() < spec["filed_in_pilot_streets"]
                street = rng.choice(pilots if in_pilot else district["streets"])
                if track == "filed":
                    filed_seq += 1
                    founded = _day_between(rng, date(2010, 3, 1), today - timedelta(days=200))
                    code = f"{district_code}BA{founded.year}{filed_seq:04d}"
                else:
                    founded = _day_between(rng, date(2003, 1, 1), today - timedelta(days=400))
                    code = _credit_code(rng, kind, district_code, codes_taken)
                party = spec["party"][track]
                roll = rng.random()
                rows.append({
                    "code": code, "name": _org_name(rng, names, district, kind, domain, street, names_taken),
                    "kind": kind, "registration": track, "domain": domain, "district_id": district["id"],
                    "street_id": street["id"], "founded_on": founded,
                    "commitment_letter": rng.random() < spec["commitment"][track],
                    "responsibility_letter": rng.random() < spec["responsibility"][track],
                    "party_org": "branch" if roll < party["branch"] else
                                 ("group" if roll < party["branch"] + party["group"] else "none"),
                    "incubated": rng.random() < spec["incubated"][track],
                    "grade": None, "rated_on": None, "grade_valid_until": None,
                })
    return rows


def _ratings(rng: random.Random, orgs: list[dict], today: date) -> list[dict]:
    """Rate a share of the organizations; the newest rating is copied onto the org row."""
    plan = _json("pipeline_orgs.json")["ratings"]
    ratings = []
    for org in orgs:
        spec = plan[org["registration"]]
        if rng.random() >= spec["rated"]:
            continue
        grade = int(_pick(rng, spec["grades"]))
        rated_on = max(today - timedelta(days=rng.randint(30, spec["oldest_days"])), org["founded_on"] + timedelta(days=365))
        if rated_on > today - timedelta(days=30):
            continue  # founded too recently to have been assessed
        history = [(grade, rated_on)]
        if rng.random() < spec["rerated"] and rated_on.year - 5 > org["founded_on"].year:
            earlier = rated_on - timedelta(days=365 * 5 + rng.randint(0, 60))
            history.append((max(1, min(5, grade + rng.choice((-1, 0, 0, -1, 1)))), earlier))
        for grade_value, day in history:
            ratings.append({"org_code": org["code"], "grade": grade_value, "rated_on": day,
                            "valid_until": rules.rating_valid_until(day),
                            "score": min(1000, 500 + grade_value * 90 + rng.randint(0, 80)),
                            "recorded_by": "admin", "note": None})
        org.update(grade=grade, rated_on=rated_on, grade_valid_until=rules.rating_valid_until(rated_on))
    return ratings


def _status(org: dict, today: date) -> str:
    """Python mirror of db.pipeline.social_orgs.rating_status, only to pick demo contractors."""
    if org["grade"] is None:
        return "missing"
    if org["grade_valid_until"] < today:
        return "expired"
    return "low" if org["grade"] < rules.MIN_GRADE else "ok"


# ---------------------------------------------------------------- projects


def split_total(rng: random.Random, count: int, total: int, low: int, high: int) -> list[int]:
    """`count` budgets in whole thousands of yuan within [low, high] summing exactly to `total`."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(count)]
    scale = total / sum(weights)
    budgets = [min(high, max(low, int(round(w * scale, -3)))) for w in weights]
    diff = total - sum(budgets)
    step = 1000 if diff > 0 else -1000
    while abs(diff) >= 1000:
        index = rng.randrange(count)
        if low <= budgets[index] + step <= high:
            budgets[index] += step
            diff -= step
    budgets[0] += diff  # below a thousand: only when the total itself is not in thousands
    return budgets


def _allocate(count: int, shares: dict) -> list[str]:
    states = []
    for state, share in shares.items():
        states += [state] * int(math.floor(count * share))
    states += ["implementation"] * (count - len(states))
    return states


def _history(rng: random.Random, state: str, plan: str, released: date, today: date) -> list[tuple[str, date]]:
    """(state, entered on) from the first stage to `state`."""
    if plan == "closed":
        days = {"goal_setting": (10, 30), "tender": (10, 25), "implementation": (15, 35), "evaluation": (150, 300),
                "follow_up": (20, 45), "closed": (40, 90)}
        path, day = [("needs_survey", released - timedelta(days=rng.randint(45, 80)))], None
        day = path[0][1]
        stop = state if state != "terminated" else rng.choice(rules.STAGES[1:4])
        for target in rules.STAGES[1:] + (rules.CLOSED,):
            day = max(day + timedelta(days=rng.randint(*days[target])), released if target == "tender" else day)
            path.append((target, day))
            if target == stop:
                break
        if state == "terminated":
            path.append(("terminated", day + timedelta(days=rng.randint(10, 60))))
        return path
    stop = state if state != "terminated" else rng.choice(rules.STAGES[:4])
    if state == "closed":
        end, elapsed_state = today - timedelta(days=rng.randint(5, 150)), rules.CLOSED
    elif state == "terminated":
        end, elapsed_state = today - timedelta(days=rng.randint(5, 100)), rules.TERMINATED
    else:
        end = today - timedelta(days=int(rng.uniform(0.05, 1.3) * rules.stage_limit(state)))
        elapsed_state = state
    chain = list(rules.STAGES[: rules.STAGES.index(stop if stop in rules.STAGES else rules.STAGES[-1]) + 1])
    if elapsed_state in (rules.CLOSED, rules.TERMINATED):
        chain.append(elapsed_state)
    path, day = [(chain[-1], end)], end
    for earlier in reversed(chain[:-1]):
        low, high = (0.3, 0.55) if earlier == "implementation" and plan == "spread" else (0.4, 1.0)
        day -= timedelta(days=max(3, int(rng.uniform(low, high) * rules.stage_limit(earlier))))
        path.insert(0, (earlier, day))
    return path


def _moment(day: date, rng: random.Random) -> datetime:
    return clock.local_day_start(day) + timedelta(hours=9, minutes=rng.randint(0, 8 * 60))


def _round(value: float, step: int = 100) -> int:
    return int(round(value / step)) * step


def _finance(rng: random.Random, budget: int, state: str, reached: set) -> dict:
    contracted = "implementation" in reached
    contract = min(budget, _round(budget * rng.uniform(0.9, 1.0))) if contracted else None
    paid_share = {"implementation": (0.3, 0.6), "evaluation": (0.7, 0.9), "follow_up": (0.9, 1.0),
                  "closed": (0.98, 1.0), "terminated": (0.2, 0.5)}.get(state, (0, 0))
    disbursed = min(contract, _round(contract * rng.uniform(*paid_share))) if contracted else 0
    return {"contract_amount": contract, "disbursed": disbursed,
            "personnel_cost": _round(budget * rng.uniform(0.35, 0.58)),
            "management_fee": _round(budget * rng.uniform(0.03, 0.12))}


def _projects(rng, districts, orgs, catalogue, today) -> tuple[list[dict], list[dict]]:
    names = _json("pipeline_names.json")
    releases = _json("pipeline_releases.json")["releases"]
    by_district = {}
    for org in orgs:
        if org["registration"] == "registered":
            by_district.setdefault(org["district_id"], []).append(org)
    projects, events, titles = [], [], set()
    for release in releases:
        district = districts[release["district"]]
        year = release.get("year") or today.year + release["year_offset"]
        batch = release["batch"].format(year=year)
        released = date.fromisoformat(release["released_on"].format(year=year))
        streets = [s for s in district["streets"] if s["pilot"]] if release["streets"] == "pilot" else district["streets"]
        low, high = release["budget_range"]
        domains = release.get("domains") or _domain_split(release["projects"], release["total"])
        plan = release["plan"]
        states = (["closed"] * (release["projects"] - release.get("terminated", 0)) + ["terminated"] * release.get("terminated", 0)
                  if plan == "closed" else _allocate(release["projects"], PLANS[plan]))
        rng.shuffle(states)
        pool = by_district[district["id"]]
        eligible = [o for o in pool if _status(o, today) == "ok"]
        rated = [o for o in pool if o["grade"] and o["grade"] >= rules.MIN_GRADE]
        seq = 0
        for domain, (count, total) in domains.items():
            for budget in split_total(rng, count, total, low, high):
                seq += 1
                state = states[seq - 1]
                street = rng.choice(streets)
                community = rng.choice(street["communities"]) if rng.random() < 0.7 else None
                place = community or street
                title = rng.choice(names["project_titles"][domain]).format(place=place["name"])
                for suffix in ("", "（二期）", "（三期）", "（四期）", "（五期）", "（六期）"):
                    if title + suffix not in titles:
                        title += suffix
                        break
                titles.add(title)
                path = _history(rng, state, plan, released, today)
                reached = {s for s, _ in path}
                fin = _finance(rng, budget, state, reached)
                contractor = None
                if "implementation" in reached:
                    contractor = rng.choice(rated if plan == "closed" else eligible)
                elif state == "tender" and rng.random() < 0.65:
                    contractor = rng.choice(eligible if rng.random() < 0.7 else pool)
                    fin["contract_amount"] = min(budget, _round(budget * rng.uniform(0.9, 1.0)))
                items = [i for i in catalogue if domain in i["domains"]]
                entered = path[-1][1]
                started = dict(path).get("implementation")
                ended = dict(path).get("evaluation") or (started + timedelta(days=rng.randint(150, 300)) if started else None)
                target = max(40, int(budget / rng.uniform(300, 1200)))
                code = f"{district['code']}-{year}-{seq:04d}"
                projects.append({
                    "code": code, "title": title, "summary": None, "domain": domain,
                    "catalogue_item_code": rng.choice(items)["code"], "off_catalogue_service": None,
                    "batch": batch, "year": year,
                    "buyer": rng.choice(release["buyer"]).format(street=street["name"]),
                    "org_unit_id": place["id"], "district_id": district["id"], "street_id": street["id"],
                    "community_id": community["id"] if community else None,
                    "contractor_code": contractor["code"] if contractor else None, "budget": budget, **fin,
                    "stage": state, "stage_entered_on": entered,
                    "stage_due": entered + timedelta(days=rules.stage_limit(state)) if state in rules.STAGES else None,
                    "started_on": started, "ended_on": ended, "target_beneficiaries": target,
                    "actual_beneficiaries": int(target * rng.uniform(0.8, 1.15)) if "evaluation" in reached else None,
                    "rating_exception": None,
                    "termination_reason": rng.choice(names["termination_reasons"]) if state == "terminated" else None,
                    "created_at": None, "updated_at": None, "_plan": plan, "_district": release["district"],
                })
                previous = None
                for index, (target_state, day) in enumerate(path):
                    note = names["notes"].get("create" if index == 0 else target_state)
                    kind = "create" if index == 0 else ("terminate" if target_state == "terminated" else "advance")
                    events.append({"project_code": code, "kind": kind, "from_stage": previous, "to_stage": target_state,
                                   "at": _moment(day, rng), "username": "admin",
                                   "note": projects[-1]["termination_reason"] if kind == "terminate" else note})
                    previous = target_state
                projects[-1]["created_at"] = events[-len(path)]["at"]
                projects[-1]["updated_at"] = events[-1]["at"]
    return projects, events


def _domain_split(count: int, total: int) -> dict[str, list[int]]:
    """[projects, yuan] per domain in DOMAIN_WEIGHTS proportions; money in whole 10k yuan."""
    counts = [int(count * w) for w in DOMAIN_WEIGHTS.values()]
    counts[0] += count - sum(counts)
    sums = [int(total * c / count) // 10_000 * 10_000 for c in counts]
    sums[0] += total - sum(sums)
    return {domain: [c, s] for domain, c, s in zip(DOMAIN_WEIGHTS, counts, sums)}


def _take(rng: random.Random, candidates: list[dict], used: set, n: int) -> list[dict]:
    free = [p for p in candidates if p["code"] not in used]
    chosen = rng.sample(free, min(n, len(free)))
    used.update(p["code"] for p in chosen)
    return chosen


def _irregularities(rng: random.Random, projects: list[dict], events: list[dict], orgs: list[dict], today: date,
                    off_catalogue: list[str]) -> None:
    """The handful of departures from the rules a real portfolio shows, so the compliance list and the
    tender rule have something to find: caps exceeded, overpayment, expired or low-rated contractors
    (some with a recorded exception), services bought outside the catalogue, bidders of every kind."""
    names = _json("pipeline_names.json")
    jj = [p for p in projects if p["_district"] == "510104" and p["_plan"] != "closed"]
    running = [p for p in jj if p["stage"] in rules.CONTRACTED_STAGES]
    used: set = set()
    for project, share in zip(_take(rng, running, used, 2), (0.64, 0.67)):
        project["personnel_cost"] = _round(project["budget"] * share)
    for project, share in zip(_take(rng, running, used, 2), (0.17, 0.19)):
        project["management_fee"] = _round(project["budget"] * share)
    for project in _take(rng, [p for p in running if p["stage"] != "implementation"], used, 2):
        project["disbursed"] = _round(project["contract_amount"] * 1.04)
    jj_orgs = [o for o in orgs if o["district_id"] == jj[0]["district_id"] and o["registration"] == "registered"]
    expired = [o for o in jj_orgs if _status(o, today) == "expired" and o["grade"] >= rules.MIN_GRADE]
    low = [o for o in jj_orgs if _status(o, today) == "low"]
    unrated = [o for o in jj_orgs if _status(o, today) == "missing"]
    eligible = [o for o in jj_orgs if _status(o, today) == "ok"]
    for project in _take(rng, running, used, 2):
        project["contractor_code"] = rng.choice(expired)["code"]
    for project, reason in zip(_take(rng, running, used, 2), names["exception_reasons"]):
        project["contractor_code"] = rng.choice(low)["code"]
        project["rating_exception"] = reason
        signing = next(e for e in events if e["project_code"] == project["code"] and e["to_stage"] == "implementation")
        signing["note"] = f"{signing['note']}；{reason}"
    outside = _take(rng, jj, used, 4) + _take(rng, [p for p in projects if p["_district"] == "220106"], used, 1)
    for project, service in zip(outside, off_catalogue):
        project["catalogue_item_code"], project["off_catalogue_service"] = None, service
    tender = [p for p in jj if p["stage"] == "tender"]
    for project, pool in zip(_take(rng, tender, used, 4), (eligible, eligible, low, unrated)):
        project["contractor_code"] = rng.choice(pool)["code"]
        project["contract_amount"] = min(project["budget"], _round(project["budget"] * 0.95))


def build(districts: dict, catalogue: list[dict], today: date) -> Demo:
    """The whole pipeline demo. `districts`: code -> {id, code, name, city, streets: [{id, name, pilot,
    communities: [{id, name}]}]}; `catalogue`: [{code, domains}]."""
    rng = random.Random(2019_0723)
    demo = Demo()
    demo.orgs = _orgs(rng, districts, today)
    demo.ratings = _ratings(rng, demo.orgs, today)
    demo.projects, demo.events = _projects(rng, districts, demo.orgs, catalogue, today)
    off_catalogue = _json("pipeline_catalogue.json")["off_catalogue"]
    _irregularities(rng, demo.projects, demo.events, demo.orgs, today, off_catalogue)
    for project in demo.projects:
        del project["_plan"], project["_district"]
    return demo
