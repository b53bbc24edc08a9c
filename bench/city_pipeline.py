"""City part "pipeline": the catalogue (the demo's), social organizations with rating histories, 30,000
projects (at scale 1.0) across the districts and years, each with its stage history and audit rows."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import select

from db import clock
from db.engine import transaction
from db.models.pipeline import CatalogueItem, OrgRating, Project, SocialOrg, StageEvent
from db.pipeline import rules
from seed_data import SEED_DIR
from seed_data.load_pipeline import load_catalogue
from seed_data.pipeline import DOMAIN_WEIGHTS

PROJECTS = 30_000
ORGS_PER_DISTRICT = 500
YEARS = 7  # this year and the six before it
KINDS = {"private_non_enterprise": 0.45, "social_group": 0.2, "foundation": 0.03, "community": 0.32}
GRADES = {5: 0.08, 4: 0.3, 3: 0.38, 2: 0.16, 1: 0.08}
DOMAINS = list(DOMAIN_WEIGHTS)
ORG_COLUMNS = ("id", "code", "name", "kind", "registration", "domain", "district_id", "street_id", "founded_on",
               "commitment_letter", "responsibility_letter", "party_org", "incubated", "grade", "rated_on",
               "grade_valid_until")
PROJECT_COLUMNS = ("id", "code", "title", "domain", "catalogue_item_id", "batch", "year", "buyer", "org_unit_id",
                   "district_id", "street_id", "community_id", "contractor_org_id", "budget", "contract_amount",
                   "disbursed", "personnel_cost", "management_fee", "stage", "stage_entered_on", "stage_due",
                   "started_on", "ended_on", "target_beneficiaries", "actual_beneficiaries", "termination_reason",
                   "created_at", "updated_at")
EVENT_COLUMNS = ("id", "project_id", "kind", "from_stage", "to_stage", "at", "user_id", "username", "note")


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _moment(day: date, rng) -> datetime:
    return clock.local_day_start(day) + timedelta(hours=9, minutes=rng.randint(0, 8 * 60))


def write(city) -> None:
    rng = city.rng("pipeline")
    with transaction(city.writer.engine) as session:
        catalogue = load_catalogue(session)
        item_ids = dict(session.execute(select(CatalogueItem.code, CatalogueItem.id)).all())
    items_by_domain = {d: [item_ids[i["code"]] for i in catalogue if d in i["domains"]] for d in DOMAINS}
    names = json.loads((SEED_DIR / "pipeline_names.json").read_text(encoding="utf-8"))
    orgs, ratings = _orgs(city, rng)
    writer = city.writer
    writer.progress.begin("social_org", len(orgs))
    writer.write(SocialOrg.__table__, ORG_COLUMNS, [tuple(o[c] for c in ORG_COLUMNS) for o in orgs])
    writer.write(OrgRating.__table__, ("id", "org_id", "grade", "score", "rated_on", "valid_until", "recorded_by"),
                 ratings)
    writer.progress.end()
    city.orgs = orgs
    projects, events = _projects(city, rng, orgs, items_by_domain, names)
    writer.progress.begin("project", len(projects) + len(events))
    writer.write(Project.__table__, PROJECT_COLUMNS, [tuple(p[c] for c in PROJECT_COLUMNS) for p in projects])
    writer.write(StageEvent.__table__, EVENT_COLUMNS, events)
    writer.progress.end()
    city.projects = [{k: p[k] for k in ("id", "code", "year", "stage", "district_id", "street_id", "contractor_org_id",
                                         "started_on", "ended_on", "stage_entered_on", "title")} for p in projects]
    admin = city.users["admin"]
    city.audit.extend((e[5], admin, "admin", f"project_{'create' if e[2] == 'create' else e[2]}", "project",
                       str(e[1]), json.dumps({"to": e[4]})) for e in events)


def _orgs(city, rng) -> tuple[list[dict], list[tuple]]:
    orgs, ratings, today = [], [], city.today
    for district in city.districts:
        for seq in range(1, city.count(ORGS_PER_DISTRICT) + 1):
            kind = _pick(rng, KINDS)
            track = "filed" if kind == "community" else "registered"
            street = rng.choice(district["streets"])
            founded = today - timedelta(days=rng.randint(400, 7000))
            domain = _pick(rng, DOMAIN_WEIGHTS)
            org = {"id": len(orgs) + 1, "code": f"{district['code']}{'BA' if track == 'filed' else 'XY'}{seq:06d}",
                   "name": f"{district['name']}{street['name'][:-2]}{seq}号{'社区社会组织' if track == 'filed' else '社会工作服务中心'}",
                   "kind": kind, "registration": track, "domain": domain, "district_id": district["id"],
                   "street_id": street["id"], "founded_on": founded, "commitment_letter": rng.random() < 0.8,
                   "responsibility_letter": rng.random() < 0.7, "party_org": _pick(rng, {"branch": 0.3, "group": 0.2, "none": 0.5}),
                   "incubated": rng.random() < 0.2, "grade": None, "rated_on": None, "grade_valid_until": None}
            if track == "registered" and rng.random() < 0.7:
                rated_on = today - timedelta(days=rng.randint(30, 2200))
                history = [(rated_on - timedelta(days=365 * 5 + rng.randint(0, 60)), max(1, _pick(rng, GRADES) - 1))] \
                    if rng.random() < 0.3 else []
                history.append((rated_on, _pick(rng, GRADES)))
                for day, grade in history:
                    ratings.append((len(ratings) + 1, org["id"], grade, min(1000, 500 + grade * 90 + rng.randint(0, 80)),
                                    day, rules.rating_valid_until(day), "admin"))
                # the newest rating, copied onto the organization as db.pipeline.social_orgs.record_rating does
                org.update(grade=history[-1][1], rated_on=rated_on, grade_valid_until=rules.rating_valid_until(rated_on))
            orgs.append(org)
    return orgs, ratings


def _path(rng, state: str, released: date, today: date) -> list[tuple[str, date]]:
    """Stages reached, each with the day it was entered; the last one is the project's state."""
    stop = state if state != rules.TERMINATED else rng.choice(rules.STAGES[:4])
    chain = list(rules.STAGES[: rules.STAGES.index(stop) + 1]) if stop in rules.STAGES else list(rules.STAGES) + [rules.CLOSED]
    day, path = released - timedelta(days=rng.randint(40, 80)), []
    for stage in chain:
        path.append((stage, day))
        day += timedelta(days=max(3, int(rng.uniform(0.4, 1.05) * (rules.stage_limit(stage) or 30))))
    if state == rules.TERMINATED:
        path.append((rules.TERMINATED, path[-1][1] + timedelta(days=rng.randint(10, 60))))
    # nothing in the future: shift the whole history back so its last step is before today
    overshoot = (path[-1][1] - (today - timedelta(days=rng.randint(1, 30)))).days
    if overshoot > 0:
        path = [(s, d - timedelta(days=overshoot)) for s, d in path]
    return path


def _state(rng, year: int, today: date) -> str:
    age = today.year - year
    if age >= 2:
        return rules.TERMINATED if rng.random() < 0.03 else rules.CLOSED
    if age == 1:
        return _pick(rng, {"evaluation": 0.15, "follow_up": 0.25, "closed": 0.55, "terminated": 0.05})
    return _pick(rng, {"needs_survey": 0.12, "goal_setting": 0.12, "tender": 0.18, "implementation": 0.4,
                       "evaluation": 0.1, "follow_up": 0.05, "terminated": 0.03})


def _projects(city, rng, orgs, items_by_domain, names) -> tuple[list[dict], list[tuple]]:
    today, projects, events = city.today, [], []
    eligible = {}
    for org in orgs:
        if org["grade"] and org["grade"] >= rules.MIN_GRADE and org["grade_valid_until"] >= today:
            eligible.setdefault(org["district_id"], []).append(org["id"])
    per_district = city.count(PROJECTS) // len(city.districts) or 1
    admin = city.users["admin"]
    for district in city.districts:
        for seq in range(1, per_district + 1):
            year = today.year - (seq * YEARS // (per_district + 1))
            released = date(year, 3, 1) + timedelta(days=rng.randint(0, 60))
            state = _state(rng, year, today)
            domain = _pick(rng, DOMAIN_WEIGHTS)
            street = rng.choice(district["streets"])
            community = rng.choice(street["communities"]) if rng.random() < 0.7 else None
            path = _path(rng, state, released, today)
            reached = {s for s, _ in path}
            budget = rng.randint(5, 120) * 10_000
            contracted = "implementation" in reached
            contract = min(budget, int(round(budget * rng.uniform(0.9, 1.0), -2))) if contracted else None
            paid = {"implementation": 0.45, "evaluation": 0.8, "follow_up": 0.95, "closed": 1.0, "terminated": 0.3}
            entered = path[-1][1]
            started = dict(path).get("implementation")
            target = max(40, int(budget / rng.uniform(300, 1200)))
            project_id = len(projects) + 1
            place = community or street
            projects.append({
                "id": project_id, "code": f"{district['code']}-{year}-{seq:05d}",
                "title": rng.choice(names["project_titles"][domain]).format(place=place["name"]) + f"（{seq}）",
                "domain": domain, "catalogue_item_id": rng.choice(items_by_domain[domain]) if items_by_domain[domain] else None,
                "batch": f"{year}年{district['name']}项目发布会", "year": year, "buyer": f"{street['name']}办事处",
                "org_unit_id": place["id"], "district_id": district["id"], "street_id": street["id"],
                "community_id": community["id"] if community else None,
                "contractor_org_id": rng.choice(eligible[district["id"]]) if contracted and eligible.get(district["id"]) else None,
                "budget": budget, "contract_amount": contract,
                "disbursed": int(round(contract * paid.get(state, 0.5) * rng.uniform(0.9, 1.0), -2)) if contracted else 0,
                "personnel_cost": int(round(budget * rng.uniform(0.35, 0.58), -2)),
                "management_fee": int(round(budget * rng.uniform(0.03, 0.12), -2)),
                "stage": state, "stage_entered_on": entered,
                "stage_due": entered + timedelta(days=rules.stage_limit(state)) if state in rules.STAGES else None,
                "started_on": started, "ended_on": dict(path).get("evaluation"),
                "target_beneficiaries": target,
                "actual_beneficiaries": int(target * rng.uniform(0.8, 1.15)) if "evaluation" in reached else None,
                "termination_reason": rng.choice(names["termination_reasons"]) if state == rules.TERMINATED else None,
            })
            previous = None
            for index, (stage, day) in enumerate(path):
                kind = "create" if index == 0 else ("terminate" if stage == rules.TERMINATED else "advance")
                events.append((len(events) + 1, project_id, kind, previous, stage, _moment(day, rng), admin, "admin",
                               projects[-1]["termination_reason"] if kind == "terminate" else None))
                previous = stage
            projects[-1]["created_at"] = events[-len(path)][5]
            projects[-1]["updated_at"] = events[-1][5]
    return projects, events
