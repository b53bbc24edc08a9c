"""The district special fund's 3A+ rewards: who gets what in a year, derived from the organizations' rating
history (org_rating, the register's only record of grades) by rules.reward_for. The reward day is the year's last
day, or today in the current year; the grade counted is the newest rating made by then and still valid on it."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import clock
from db.access import Actor, require
from db.engine import reading
from db.funds import rules
from db.models import OrgUnit
from db.models.pipeline import OrgRating, SocialOrg

COLUMNS = ["org_id", "name", "kind", "street", "grade", "rated_on", "valid_until", "reward"]


class RewardSummary(BaseModel):
    year: int
    day: date
    fund: int  # the special fund's year
    organizations: int
    total: int
    by_grade: dict[int, int]  # A's -> organizations rewarded


def reward_day(year: int) -> date:
    return min(date(year, 12, 31), clock.today())


def _org_scope(session, actor: Actor) -> list:
    if actor.scope_level == "root":
        return []
    unit = session.get(OrgUnit, actor.scope_id)
    if unit.level == "district":
        return [SocialOrg.district_id == unit.id]
    return [SocialOrg.street_id == unit.street_id]  # organizations are placed by street


def rewards(engine: Engine, *, actor: Actor, year: int) -> tuple[RewardSummary, pd.DataFrame]:
    """The year's rewards to the organizations of the actor's scope (active, rated 3A+ on the reward day)."""
    require(actor, "linkage.read")
    day = reward_day(year)
    with reading(engine) as s:
        newest = (select(OrgRating.org_id, func.max(OrgRating.rated_on).label("rated_on"))
                  .where(OrgRating.rated_on <= day).group_by(OrgRating.org_id).subquery())
        street = aliased(OrgUnit)
        rows = s.execute(
            select(SocialOrg.id, SocialOrg.name, SocialOrg.kind, street.name, OrgRating.grade, OrgRating.rated_on,
                   OrgRating.valid_until)
            .join(newest, newest.c.org_id == SocialOrg.id)
            .join(OrgRating, (OrgRating.org_id == newest.c.org_id) & (OrgRating.rated_on == newest.c.rated_on))
            .outerjoin(street, street.id == SocialOrg.street_id)
            .where(SocialOrg.active, OrgRating.valid_until >= day, OrgRating.grade >= rules.REWARD_MIN_GRADE,
                   *_org_scope(s, actor))
            .order_by(OrgRating.grade.desc(), SocialOrg.name)).all()
    frame = pd.DataFrame([(*r, rules.reward_for(r[4])) for r in rows], columns=COLUMNS)
    by_grade = {g: int((frame["grade"] == g).sum()) for g in sorted(rules.REWARD_BY_GRADE)}
    return RewardSummary(year=year, day=day, fund=rules.SPECIAL_FUND_YEARLY, organizations=len(frame),
                         total=int(frame["reward"].sum()) if len(frame) else 0, by_grade=by_grade), frame
