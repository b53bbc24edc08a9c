"""Where reminders come from: one function per kind of due work, each reading the database as of `today` and
returning the notifications it calls for (rules.Due), for whom. SOURCES lists them; db.reminders.daily runs
them all and stores what is new. A new area adds its own source to SOURCES (its file, its kinds in
rules.KINDS, its texts) rather than this module importing the area's pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Iterable

from sqlalchemy import func, not_, select
from sqlalchemy.engine import Connection, Engine

from db import clock, users
from db.community import reminders as community_reminders
from db.funds import reminders as funds_reminders
from db.grids.rules import due_date, is_due, last_complete_month
from db.models import AppUser, OrgUnit
from db.models.grids import GridReport
from db.models.pipeline import Project
from db.models.scorecards import Assignment, Evaluation, Rectification
from db.models.voting import Campaign, Objection
from db.pipeline import rules as pipeline_rules
from db.reminders import rules
from db.reminders.rules import Due
from db.voting import review as vote_review

Source = Callable[[Engine, date], Iterable[Due]]


def _people(conn: Connection, role: str) -> list[tuple[int, str, str, int]]:
    """Active users of a role: (id, username, scope level, scope id)."""
    return list(conn.execute(select(AppUser.id, AppUser.username, OrgUnit.level, OrgUnit.id)
                             .join(OrgUnit, OrgUnit.id == AppUser.scope_id)
                             .where(AppUser.role == role, AppUser.active == True)  # noqa: E712
                             .order_by(AppUser.id)).all())


def _to(people, kind: str, entity: str, entity_id: int, period: str, due_on: date | None, params: dict,
        **place) -> list[Due]:
    return [Due(user_id, kind, entity, entity_id, period, due_on, params)
            for user_id, _, level, scope_id in people if rules.covers(level, scope_id, **place)]


def evaluator_assignments(engine: Engine, today: date) -> list[Due]:
    """Evaluators: their open scorecards due within REMIND_DAYS, and those past due."""
    horizon = today + timedelta(days=rules.REMIND_DAYS)
    query = (select(Assignment.id, Assignment.evaluator_id, Evaluation.due_on, Evaluation.round, Project.code,
                    Project.title)
             .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
             .join(Project, Project.id == Evaluation.project_id)
             .join(AppUser, AppUser.id == Assignment.evaluator_id)
             .where(Assignment.status.in_(("not_started", "draft")), Evaluation.status == "open",
                    Evaluation.due_on <= horizon, AppUser.active == True))  # noqa: E712
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Due(r.evaluator_id, "assignment_overdue" if r.due_on < today else "assignment_due", "assignment", r.id,
                r.due_on.isoformat(), r.due_on, {"project": r.code, "title": r.title, "round": r.round,
                                                  "due": r.due_on.isoformat()})
            for r in rows]


def street_grid_reports(engine: Engine, today: date) -> list[Due]:
    """Street staff: last month's reports their grids still owe, from the month's end until its due day."""
    month = last_complete_month(today)
    if is_due(month, today):
        return []
    out = []
    with engine.connect() as conn:
        for user_id, _, level, scope_id in _people(conn, "street"):
            column = {"district": OrgUnit.district_id, "street": OrgUnit.street_id,
                      "community": OrgUnit.community_id, "grid": OrgUnit.id}.get(level)
            if column is None:
                continue
            sent = select(GridReport.grid_id).where(GridReport.period == month, GridReport.status == "submitted")
            missing = conn.execute(select(func.count()).select_from(OrgUnit).where(
                OrgUnit.level == "grid", OrgUnit.active == True, column == scope_id,  # noqa: E712
                not_(OrgUnit.id.in_(sent)))).scalar_one()
            if missing:
                due = due_date(month)
                out.append(Due(user_id, "grid_reports_due", "org_unit", scope_id, month, due,
                               {"month": month, "missing": int(missing), "due": due.isoformat()}))
    return out


def street_reopened_months(engine: Engine, today: date) -> list[Due]:
    """Street staff: a month an admin reopened for one of their grids, to be submitted again."""
    query = (select(GridReport.id, GridReport.period, GridReport.reopened_at, OrgUnit.name, OrgUnit.district_id,
                    OrgUnit.street_id, OrgUnit.community_id)
             .join(OrgUnit, OrgUnit.id == GridReport.grid_id)
             .where(GridReport.status == "open", GridReport.reopened == True,  # noqa: E712
                    GridReport.reopened_at.is_not(None)))
    out = []
    with engine.connect() as conn:
        people = _people(conn, "street")
        for r in conn.execute(query):
            reopened_on = clock.local_date(r.reopened_at).isoformat()
            out += _to(people, "grid_month_reopened", "grid_report", r.id, reopened_on, None,
                       {"grid": r.name, "month": r.period}, district_id=r.district_id, street_id=r.street_id,
                       community_id=r.community_id)
    return out


def project_stages(engine: Engine, today: date) -> list[Due]:
    """A stage past its limit by N days (rules.escalate_days): the admins covering the project; by 2N, the leaders."""
    n = rules.escalate_days()
    query = (select(Project.id, Project.code, Project.title, Project.stage, Project.stage_due, Project.district_id,
                    Project.street_id, Project.community_id)
             .where(Project.stage.in_(pipeline_rules.STAGES), Project.stage_due <= today - timedelta(days=n)))
    out = []
    with engine.connect() as conn:
        admins, leaders = _people(conn, "admin"), _people(conn, "leader")
        for r in conn.execute(query):
            late = (today - r.stage_due).days
            place = {"district_id": r.district_id, "street_id": r.street_id, "community_id": r.community_id}
            params = {"project": r.code, "title": r.title, "stage": r.stage, "due": r.stage_due.isoformat()}
            period = r.stage_due.isoformat()  # a new stage has a new due date: a new notification
            out += _to(admins, "stage_overdue", "project", r.id, period, r.stage_due, params, **place)
            if rules.escalation(late, n) == 2:
                out += _to(leaders, "stage_escalated", "project", r.id, period, r.stage_due, params, **place)
    return out


def rectifications(engine: Engine, today: date) -> list[Due]:
    """Open rectifications: due within REMIND_DAYS (the admins); late by N days (the admins), by 2N (the leaders)."""
    n = rules.escalate_days()
    query = (select(Rectification.id, Rectification.finding, Rectification.owner, Rectification.due_on,
                    Project.code, Project.district_id, Project.street_id, Project.community_id)
             .join(Evaluation, Evaluation.id == Rectification.evaluation_id)
             .join(Project, Project.id == Evaluation.project_id)
             .where(Rectification.status == "open", Rectification.due_on <= today + timedelta(days=rules.REMIND_DAYS)))
    out = []
    with engine.connect() as conn:
        admins, leaders = _people(conn, "admin"), _people(conn, "leader")
        for r in conn.execute(query):
            place = {"district_id": r.district_id, "street_id": r.street_id, "community_id": r.community_id}
            params = {"project": r.code, "finding": r.finding[:60], "owner": r.owner, "due": r.due_on.isoformat()}
            period = r.due_on.isoformat()
            level = rules.escalation((today - r.due_on).days, n)
            if rules.due_soon(r.due_on, today):
                out += _to(admins, "rectification_due", "rectification", r.id, period, r.due_on, params, **place)
            if level >= 1:
                out += _to(admins, "rectification_overdue", "rectification", r.id, period, r.due_on, params, **place)
            if level == 2:
                out += _to(leaders, "rectification_escalated", "rectification", r.id, period, r.due_on, params, **place)
    return out


def vote_flags(engine: Engine, today: date) -> list[Due]:
    """Admins: a campaign not yet published whose anomaly flags still hold valid votes (awaiting review)."""
    out, pending = [], {}
    with engine.connect() as conn:
        admins = _people(conn, "admin")
        campaigns = conn.execute(select(Campaign.id, Campaign.title, OrgUnit.district_id, OrgUnit.street_id)
                                 .join(OrgUnit, OrgUnit.id == Campaign.org_unit_id)
                                 .where(Campaign.status.in_(("open", "closed")))).all()
    for campaign in campaigns:
        for admin in admins:
            if not rules.covers(admin[2], admin[3], district_id=campaign.district_id, street_id=campaign.street_id):
                continue
            if campaign.id not in pending:  # read once, as the first admin covering it (the review's own reader)
                flags = vote_review.anomalies(engine, actor=users.actor_for(engine, admin[1]), campaign_id=campaign.id)
                pending[campaign.id] = int((flags["valid"].fillna(0) > 0).sum())
            if pending[campaign.id]:
                out.append(Due(admin[0], "vote_flags", "campaign", campaign.id, "", None,
                               {"campaign": campaign.title, "flags": pending[campaign.id]}))
    return out


def objections_pending(engine: Engine, today: date) -> list[Due]:
    """Admins: a published campaign's objections (公示) awaiting an answer; a new objection is a new occurrence."""
    with engine.connect() as conn:
        admins = _people(conn, "admin")
        rows = conn.execute(select(Campaign.id, Campaign.title, OrgUnit.district_id, OrgUnit.street_id,
                                   func.count().label("pending"), func.max(Objection.id).label("newest"))
                            .join(Campaign, Campaign.id == Objection.campaign_id)
                            .join(OrgUnit, OrgUnit.id == Campaign.org_unit_id)
                            .where(Objection.answered_at.is_(None))
                            .group_by(Campaign.id, Campaign.title, OrgUnit.district_id, OrgUnit.street_id)).all()
    return [due for row in rows for due in _to(admins, "objections_pending", "campaign_objections", row.id,
                                               str(row.newest), None, {"campaign": row.title, "n": int(row.pending)},
                                               district_id=row.district_id, street_id=row.street_id)]


# Every source, in the order their notifications are made; an area's own source lives in its package
# (社区营造: db.community.reminders), with its kind in rules.KINDS and its text under notice.kind.*.
SOURCES: list[Source] = [
    evaluator_assignments,
    street_grid_reports,
    street_reopened_months,
    project_stages,
    rectifications,
    vote_flags,
    objections_pending,
    community_reminders.proposals_waiting,
    funds_reminders.review_assignments,
]
