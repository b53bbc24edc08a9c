"""Seed part "scorecards": the evaluator accounts, the three templates, and the demo evaluations with their
panels, scores, report texts and rectification items (seed_data/scorecards.py), in bulk inserts."""

from __future__ import annotations

import json

from sqlalchemy import insert, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from db import clock
from db.models import AppUser, OrgUnit
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Assignment, Evaluation, Rectification, Score, ScoreTemplate, TemplateIndicator
from db.scorecards import rules
from db.scorecards.panels import store_panels
from seed_data import SEED_DIR
from seed_data import scorecards as generator

BATCH = 5000
# the extra evaluator accounts cannot sign in until an admin resets their password (and seeding needs no bcrypt)
DISABLED_HASH = "!disabled"
INDICATOR_FIELDS = ("code", "group", "name", "name_en", "max_points", "guidance", "guidance_en")


def _bulk(session: Session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def _projects(session: Session) -> list[dict]:
    district = aliased(OrgUnit)
    rows = session.execute(
        select(Project.id, Project.code, Project.year, Project.stage, Project.started_on, Project.ended_on,
               Project.stage_entered_on, Project.contractor_org_id, district.code.label("district_code"),
               SocialOrg.name.label("contractor_name"))
        .join(district, district.id == Project.district_id)
        .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
        .order_by(Project.code)).mappings().all()
    return [dict(row) for row in rows]


def _template_doc() -> dict[str, dict]:
    doc = json.loads((SEED_DIR / "scorecard_templates.json").read_text(encoding="utf-8"))
    return {t["code"]: t for t in doc["templates"]}


def load_templates(session: Session, locked: set[str] = frozenset()) -> dict[str, int]:
    """The three standard scorecards, version 1 (reference data: the demo and an empty install both have
    them; `locked` are those already scored). Returns their ids by code."""
    now = clock.utcnow()
    templates = _template_doc()
    _bulk(session, ScoreTemplate, [{"code": code, "round": t["round"], "name": t["name"], "name_en": t["name_en"],
                                    "version": 1, "locked": code in locked, "created_at": now, "created_by": "admin"}
                                   for code, t in templates.items()])
    template_ids = dict(session.execute(select(ScoreTemplate.code, ScoreTemplate.id)).all())
    _bulk(session, TemplateIndicator, [
        {"template_id": template_ids[code], "sort_order": order, **{k: i[k] for k in INDICATOR_FIELDS}}
        for code, t in templates.items() for order, i in enumerate(t["indicators"], start=1)])
    return template_ids


def load_scorecards(session: Session) -> None:
    now, today = clock.utcnow(), clock.today()
    templates = _template_doc()
    demo = generator.build(templates, _projects(session), today)

    scopes = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    _bulk(session, AppUser, [{"username": u["username"], "display_name": u["display_name"],
                              "password_hash": DISABLED_HASH, "role": "evaluator", "scope_id": scopes[u["scope_code"]],
                              "active": True, "failed_logins": 0, "tokens_valid_after": now, "created_at": now}
                             for u in demo.users])
    user_ids = dict(session.execute(select(AppUser.username, AppUser.id).where(AppUser.role == "evaluator")).all())

    scored = {(a["project_id"], a["round"]) for a in demo.assignments if a["status"] in ("draft", "submitted")}
    used = {e["template_code"] for e in demo.evaluations if (e["project_id"], e["round"]) in scored}
    template_ids = load_templates(session, locked=used)
    indicator_ids = {(template_id, code): indicator_id for indicator_id, template_id, code in session.execute(
        select(TemplateIndicator.id, TemplateIndicator.template_id, TemplateIndicator.code))}

    _bulk(session, Evaluation, [{**{k: v for k, v in e.items() if k != "template_code"},
                                 "template_id": template_ids[e["template_code"]]} for e in demo.evaluations])
    evaluations = {(project_id, round_): (evaluation_id, template_id) for evaluation_id, project_id, round_, template_id
                   in session.execute(select(Evaluation.id, Evaluation.project_id, Evaluation.round,
                                             Evaluation.template_id))}
    _bulk(session, Assignment, [{**{k: v for k, v in a.items() if k not in ("project_id", "round", "username")},
                                 "evaluation_id": evaluations[(a["project_id"], a["round"])][0],
                                 "evaluator_id": user_ids[a["username"]],
                                 "assigned_reason": rules.IMPORTED_REASON} for a in demo.assignments])
    assignment_ids = {(evaluation_id, evaluator_id): assignment_id for assignment_id, evaluation_id, evaluator_id
                      in session.execute(select(Assignment.id, Assignment.evaluation_id, Assignment.evaluator_id))}
    scores = []
    for s in demo.scores:
        evaluation_id, template_id = evaluations[(s["project_id"], s["round"])]
        scores.append({"assignment_id": assignment_ids[(evaluation_id, user_ids[s["username"]])],
                       "indicator_id": indicator_ids[(template_id, s["indicator_code"])],
                       "points": s["points"], "comment": s["comment"]})
    _bulk(session, Score, scores)
    store_panels(session)  # the panel figures every scorecard write keeps on its evaluation
    _bulk(session, Rectification, [{**{k: v for k, v in r.items() if k not in ("project_id", "round")},
                                    "evaluation_id": evaluations[(r["project_id"], r["round"])][0]}
                                   for r in demo.rectifications])
