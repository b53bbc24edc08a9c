"""社区营造's source of reminders (db/reminders/sources.py: SOURCES): community and street staff are told of each
proposal of their scope still waiting for triage COMMUNITY_ANSWER_DAYS after it was submitted, once (the
occurrence is the day it became late)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.community import rules
from db.models import AppUser, OrgUnit
from db.models.community import Proposal
from db.reminders import rules as reminder_rules
from db.reminders.rules import Due

STAFF = ("community", "street")


def proposals_waiting(engine: Engine, today: date) -> list[Due]:
    """Each proposal submitted N days ago or more and not yet triaged, for the staff whose scope covers it."""
    late_from = rules.answer_days()
    community = OrgUnit.__table__.alias("community")
    query = (select(Proposal.id, Proposal.title, Proposal.submitted_on, Proposal.community_id, Proposal.street_id,
                    Proposal.district_id, community.c.name.label("community"))
             .join(community, community.c.id == Proposal.community_id)
             .where(Proposal.state == rules.SUBMITTED, Proposal.submitted_on <= today - timedelta(days=late_from))
             .order_by(Proposal.id))
    with engine.connect() as conn:
        staff = conn.execute(select(AppUser.id, OrgUnit.level, OrgUnit.id)
                             .join(OrgUnit, OrgUnit.id == AppUser.scope_id)
                             .where(AppUser.role.in_(STAFF), AppUser.active == True)  # noqa: E712
                             .order_by(AppUser.id)).all()
        rows = conn.execute(query).all() if staff else []
    out = []
    for row in rows:
        due = row.submitted_on + timedelta(days=late_from)
        params = {"proposal": row.id, "title": row.title, "community": row.community, "due": due.isoformat()}
        out += [Due(user_id, "proposal_waiting", "proposal", row.id, due.isoformat(), due, params)
                for user_id, level, scope_id in staff
                if reminder_rules.covers(level, scope_id, district_id=row.district_id, street_id=row.street_id,
                                         community_id=row.community_id)]
    return out
