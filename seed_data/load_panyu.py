"""Loads the 番禺区 demo (seed_data/panyu.py) inside the seed loader's transaction, in bulk inserts: its funds and their
ledgers, the applying organizations, the 微创投 round with its sources, applications, their reviews on the scorecard
tables (an evaluation, the panyu_evaluator's submitted scorecard and its scores), payments and activities."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select, update

from db import clock
from db.models import AppUser, OrgUnit
from db.models.funds import (
    CommunityFund,
    FundEntry,
    GrantActivity,
    GrantApplication,
    GrantDisbursement,
    GrantRound,
    GrantSource,
)
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation
from db.models.pipeline import OrgRating, SocialOrg
from db.models.scorecards import Assignment, Evaluation, Score, ScoreTemplate, TemplateIndicator
from db.pipeline.rules import DOMAINS
from db.scorecards.rules import IMPORTED_REASON
from seed_data import panyu as generator
from seed_data import panyu_linkage as linkage_generator

TEMPLATE = "pre-standard"
EVALUATOR = "panyu_evaluator"


def _ids(session, table, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    return list(session.execute(insert(table.__table__).returning(table.__table__.c.id, sort_by_parameter_order=True),
                                rows).scalars())


def load_panyu(session) -> None:
    units = {r.code: r for r in session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.community_id, OrgUnit.street_id, OrgUnit.district_id)
        .where(OrgUnit.code.like(f"{generator.DISTRICT}%"), OrgUnit.level.in_(("district", "street", "community")))
        .order_by(OrgUnit.code))}
    if generator.DISTRICT not in units:
        return
    communities: dict[str, list[dict]] = {}
    for code, row in units.items():
        if len(code) == 12:
            communities.setdefault(code[:9], []).append({"code": code, "name": row.name})
    today, now = clock.today(), clock.utcnow()
    demo = generator.build(communities, today)
    linkage_generator.project_grants(demo, today)  # before the balances are worked out
    district = units[generator.DISTRICT]
    admin = session.execute(select(AppUser.id).where(AppUser.username == "admin")).scalar_one_or_none()
    evaluator = session.execute(select(AppUser.id).where(AppUser.username == EVALUATOR)).scalar_one()

    def at(day: date, hours: int = 10):
        return min(clock.local_day_start(day) + timedelta(hours=hours), now)

    def scope(code: str) -> dict:
        unit = units[code]
        return {"community_id": unit.community_id, "street_id": unit.street_id, "district_id": unit.district_id}

    # funds and their ledgers (the balance: raised less what went into the pool)
    balance = [0] * len(demo.funds)
    for entry in demo.entries:
        balance[entry["_fund"]] += entry["amount"] if entry["side"] == "in" else -entry["amount"]
    fund_ids = _ids(session, CommunityFund, [
        {**{k: v for k, v in f.items() if not k.startswith("_")}, "unit_id": units[f["_unit"]].id, **scope(f["_unit"]),
         "balance": balance[i], "created_at": now, "updated_at": now} for i, f in enumerate(demo.funds)])
    entry_ids = _ids(session, FundEntry, [
        {"donor_kind": None, "donor_name": None, "project_id": None, "purpose": None, "reason": None,
         "reverses_id": None, **{k: v for k, v in e.items() if not k.startswith("_")},
         "fund_id": fund_ids[e["_fund"]], **scope(demo.funds[e["_fund"]]["_unit"]), "recorded_by": admin,
         "recorded_at": at(e["entry_on"])} for e in demo.entries])
    rng = random.Random(2689)
    org_ids = _ids(session, SocialOrg, [
        {"code": o["code"], "name": o["name"], "kind": "community", "registration": "filed",
         "domain": rng.choice(DOMAINS), "district_id": district.id, "street_id": units[o["_street"]].id,
         "founded_on": o["founded_on"], "commitment_letter": True, "responsibility_letter": True, "party_org": "none",
         "incubated": True, "authority": f"{units[o['_street']].name}社区社会组织备案窗口",
         "incubation_base": "番禺区社会组织孵化基地", "incubated_on": o["founded_on"], "graduated_on": None,
         "grade": None, "rated_on": None, "grade_valid_until": None, "active": True} for o in demo.orgs])
    round_id = _ids(session, GrantRound, [{**demo.round, "unit_id": district.id, "district_id": district.id,
                                           "street_id": None, "closed_on": None, "closing_report": None,
                                           "created_at": at(demo.round["opens_on"] - timedelta(days=10)),
                                           "updated_at": now}])[0]
    session.execute(insert(GrantSource.__table__), [
        {"round_id": round_id, "kind": s["kind"], "fund_id": fund_ids[s["_fund"]],
         "fund_entry_id": entry_ids[s["_entry"]], "amount": s["amount"], "added_on": s["added_on"],
         "recorded_by": admin, "recorded_at": at(s["added_on"])}
        for s in demo.sources])
    paid = [0] * len(demo.applications)
    for d in demo.disbursements:
        paid[d["_app"]] += d["amount"]
    app_ids = _ids(session, GrantApplication, [
        {**{k: v for k, v in a.items() if not k.startswith("_")}, "round_id": round_id, "org_id": org_ids[a["_org"]],
         "unit_id": units[a["_unit"]].id, **scope(a["_unit"]), "disbursed": paid[i],
         "agreement_no": a.get("agreement_no"), "agreement_on": a.get("agreement_on"), "closed_on": None,
         "closing_report": None, "recorded_by": admin, "created_at": at(a["submitted_on"])}
        for i, a in enumerate(demo.applications)])
    _reviews(session, demo, app_ids, evaluator, at)
    session.execute(insert(GrantDisbursement.__table__), [
        {"round_id": round_id, "application_id": app_ids[d["_app"]], "amount": d["amount"], "paid_on": d["paid_on"],
         "recorded_by": admin, "recorded_at": at(d["paid_on"])} for d in demo.disbursements])
    session.execute(insert(GrantActivity.__table__), [
        {**{k: v for k, v in a.items() if not k.startswith("_")}, "round_id": round_id,
         "application_id": app_ids[a["_app"]], "recorded_by": admin, "recorded_at": at(a["held_on"], 20)}
        for a in demo.activities])
    streets = [{"code": code, "name": row.name} for code, row in units.items() if len(code) == 9]
    linkage = linkage_generator.build(communities, streets, today, demo.activities, len(demo.orgs))
    _linkage(session, linkage, units, scope, admin, at, district.id)


def _linkage(session, demo, units, scope, admin, at, district_id: int) -> None:
    """The 五社联动 rows: the register's further incubated organizations (a few rated), the social-work stations and
    workers, the community enterprises and the linkage's own activities."""
    now = clock.utcnow()
    rng = random.Random(1825)
    orgs = [{"code": o["code"], "name": o["name"], "kind": "community",
             "registration": "filed" if o["_grade"] is None else "registered", "domain": rng.choice(DOMAINS),
             "district_id": district_id, "street_id": units[o["_street"]].id, "founded_on": o["founded_on"],
             "commitment_letter": True, "responsibility_letter": True, "party_org": "none", "incubated": True,
             "authority": f"{units[o['_street']].name}社区社会组织备案窗口", "incubation_base": "番禺区社会组织孵化基地",
             "incubated_on": o["incubated_on"], "graduated_on": None, "grade": None, "rated_on": None,
             "grade_valid_until": None, "active": True} for o in demo.orgs]
    ratings = []
    for o, row in zip(demo.orgs, orgs):
        if o["_grade"] is not None:
            rated = min(o["incubated_on"] + timedelta(days=rng.randint(400, 1500)), clock.today() - timedelta(days=40))
            valid = rated.replace(year=rated.year + 5) if not (rated.month == 2 and rated.day == 29) else \
                date(rated.year + 5, 2, 28)
            row.update(grade=o["_grade"], rated_on=rated, grade_valid_until=valid)
            ratings.append((len(ratings), o["_grade"], rated, valid))
    org_ids = _ids(session, SocialOrg, orgs)
    rated_ids = [i for i, o in zip(org_ids, orgs) if o["grade"] is not None]
    if rated_ids:
        session.execute(insert(OrgRating.__table__), [
            {"org_id": org_id, "grade": grade, "score": 600 + 80 * grade + rng.randint(0, 60), "rated_on": rated,
             "valid_until": valid, "recorded_by": "admin", "note": None}
            for org_id, (_, grade, rated, valid) in zip(rated_ids, ratings)])
    stamps = {"active": True, "created_at": now, "updated_at": now}
    station_ids = _ids(session, SocialWorkStation, [
        {**{k: v for k, v in s.items() if not k.startswith("_")}, "unit_id": units[s["_unit"]].id, **scope(s["_unit"]),
         **stamps} for s in demo.stations])
    session.execute(insert(SocialWorker.__table__), [
        {**{k: v for k, v in w.items() if not k.startswith("_")}, "station_id": station_ids[w["_station"]],
         "unit_id": units[w["_unit"]].id, **scope(w["_unit"]), **stamps} for w in demo.workers])
    session.execute(insert(CommunityEnterprise.__table__), [
        {**{k: v for k, v in e.items() if not k.startswith("_")}, "unit_id": units[e["_unit"]].id,
         **scope(e["_unit"]), **stamps} for e in demo.enterprises])
    session.execute(insert(LinkageActivity.__table__), [
        {**{k: v for k, v in a.items() if not k.startswith("_")}, "unit_id": units[a["_unit"]].id,
         **scope(a["_unit"]), "recorded_by": admin, "recorded_at": at(a["held_on"], 20)} for a in demo.activities])


def _reviews(session, demo, app_ids: list[int], evaluator: int, at) -> None:
    """Each application's review as the scorecard area records one: a completed evaluation, one submitted
    scorecard by the 番禺 evaluator (no conflict declared), its scores."""
    template = session.execute(select(ScoreTemplate.id).where(ScoreTemplate.code == TEMPLATE)
                               .order_by(ScoreTemplate.version.desc())).scalars().first()
    indicators = session.execute(select(TemplateIndicator.id, TemplateIndicator.max_points)
                                 .where(TemplateIndicator.template_id == template)
                                 .order_by(TemplateIndicator.sort_order, TemplateIndicator.id)).all()
    rng = random.Random(71)
    scored = [generator.indicator_points(rng, indicators, a["_score"]) for a in demo.applications]
    totals = [round(sum(points for _, points, _ in rows), 1) for rows in scored]
    due = demo.round["closes_on"] + timedelta(days=15)
    evaluation_ids = _ids(session, Evaluation, [
        {"project_id": None, "application_id": app_id, "template_id": template, "round": "pre",
         "agency": "番禺区社会组织联合会（第三方评审）", "due_on": due, "status": "completed",
         "completed_at": at(due - timedelta(days=3), 16), "scorecards": 1, "panel_mean": total, "result": total,
         "summary": "", "conclusion": "", "findings": "", "recommendations": "",
         "created_at": at(demo.round["closes_on"]), "created_by": "admin"} for app_id, total in zip(app_ids, totals)])
    assignment_ids = _ids(session, Assignment, [
        {"evaluation_id": e, "evaluator_id": evaluator, "status": "submitted",
         "coi_declared_at": at(demo.round["closes_on"] + timedelta(days=2)), "conflict": False, "conflict_note": None,
         "total": total, "submitted_at": at(due - timedelta(days=3), 16), "reopened_reason": None, "reopened_at": None,
         "reopened_by": None, "updated_at": at(due - timedelta(days=3), 16), "draw_id": None,
         "assigned_reason": IMPORTED_REASON} for e, total in zip(evaluation_ids, totals)])
    session.execute(insert(Score.__table__), [
        {"assignment_id": a, "indicator_id": i, "points": p, "comment": c}
        for a, rows in zip(assignment_ids, scored) for i, p, c in rows])
    session.execute(update(ScoreTemplate).where(ScoreTemplate.id == template).values(locked=True))
