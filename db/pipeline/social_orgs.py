"""Social organizations (the 社会组织 list): lists and counts within the actor's scope, ratings and eligibility.
Admins keep the register itself in db/pipeline/org_registry.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Optional

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import String, and_, case, cast, false, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.pipeline import OrgRating, Project, SocialOrg
from db.pipeline import rules
from db.validation import BlankIsNone, Day, rule, validate

# rating status -> may the organization be contracted (at or above the threshold and still valid)
STATUSES = ("ok", "low", "expired", "missing")


def rating_status(today: date, org=SocialOrg):
    """SQL: the rating status of an organization row — ok, low, expired or missing. The one definition
    the tender rule, the organizations page and the compliance checks all use."""
    return case(
        (org.grade.is_(None), "missing"),
        (org.grade_valid_until < today, "expired"),
        (org.grade < rules.MIN_GRADE, "low"),
        else_="ok",
    )


def grade_bucket(today: date, org=SocialOrg):
    """SQL: the grade as counted on the organizations page: 5A..1A, expired, or unrated."""
    return case(
        (org.grade.is_(None), "unrated"),
        (org.grade_valid_until < today, "expired"),
        else_=cast(org.grade, String) + "A",
    )


def org_scope(actor: Actor):
    """SQL condition: the organization is registered or filed within the actor's scope."""
    level = actor.scope_level
    if level == "root":
        return true()
    if level == "district":
        return SocialOrg.district_id == actor.scope_id
    if level == "street":
        return SocialOrg.street_id == actor.scope_id
    return false()  # community and grid staff do not manage organizations


@dataclass(frozen=True)
class SocialOrgFilter:
    district_id: Optional[int] = None
    street_id: Optional[int] = None
    kind: Optional[str] = None
    registration: Optional[str] = None
    domain: Optional[str] = None
    grade: Optional[str] = None  # "5".."1", "unrated", "expired" or "eligible"
    search: Optional[str] = None
    status: Optional[str] = None  # "active" (在册) or "inactive" (已注销); None: both


def _conditions(actor: Actor, filters: SocialOrgFilter, today: date) -> list:
    require(actor, "pipeline.read")
    conds = [org_scope(actor)]
    if filters.district_id:
        conds.append(SocialOrg.district_id == filters.district_id)
    if filters.street_id:
        conds.append(SocialOrg.street_id == filters.street_id)
    for column in ("kind", "registration", "domain"):
        value = getattr(filters, column)
        if value:
            conds.append(getattr(SocialOrg, column) == value)
    if filters.grade == "eligible":
        conds.append(rating_status(today) == "ok")
    elif filters.grade in ("unrated", "expired"):
        conds.append(grade_bucket(today) == filters.grade)
    elif filters.grade and filters.grade.isdigit():
        conds.append(and_(SocialOrg.grade == int(filters.grade), SocialOrg.grade_valid_until >= today))
    if filters.status in ("active", "inactive"):
        conds.append(SocialOrg.active.is_(filters.status == "active"))
    if filters.search and filters.search.strip():
        text = filters.search.strip()
        conds.append(or_(SocialOrg.name.contains(text, autoescape=True),
                         SocialOrg.code.icontains(text, autoescape=True)))
    return conds


LIST_COLUMNS = ["id", "code", "name", "kind", "registration", "domain", "district_name", "street_name", "founded_on",
                "grade", "rated_on", "grade_valid_until", "rating_status", "commitment_letter",
                "responsibility_letter", "party_org", "incubated", "projects", "active"]


def list_orgs(engine: Engine, *, actor: Actor, filters: SocialOrgFilter = SocialOrgFilter(), today: date | None = None,
              limit: int | None = None) -> pd.DataFrame:
    """The organizations matching the filters, by track, kind and name; the first `limit` when given (a page shows
    200 of a city's 6,000 and counts them with org_counts; every row is read only for a download)."""
    today = today or clock.today()
    district, street = aliased(OrgUnit), aliased(OrgUnit)
    projects = (select(Project.contractor_org_id.label("org_id"), func.count().label("projects"))
                .where(Project.contractor_org_id.is_not(None)).group_by(Project.contractor_org_id).subquery())
    query = (
        select(SocialOrg.id, SocialOrg.code, SocialOrg.name, SocialOrg.kind, SocialOrg.registration,
               SocialOrg.domain, district.name.label("district_name"), street.name.label("street_name"),
               SocialOrg.founded_on, SocialOrg.grade, SocialOrg.rated_on, SocialOrg.grade_valid_until,
               rating_status(today).label("rating_status"), SocialOrg.commitment_letter,
               SocialOrg.responsibility_letter, SocialOrg.party_org, SocialOrg.incubated,
               func.coalesce(projects.c.projects, 0).label("projects"), SocialOrg.active)
        .join(district, district.id == SocialOrg.district_id)
        .outerjoin(street, street.id == SocialOrg.street_id)
        .outerjoin(projects, projects.c.org_id == SocialOrg.id)
        .where(*_conditions(actor, filters, today))
        .order_by(SocialOrg.registration, SocialOrg.kind, SocialOrg.name, SocialOrg.id)  # id: the same first rows
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=LIST_COLUMNS)


class OrgCounts(BaseModel):
    total: int
    registered: int
    filed: int
    eligible: int
    commitment: int
    responsibility: int
    both_letters: int
    party_branch: int
    party_group: int
    incubated: int


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def org_counts(engine: Engine, *, actor: Actor, filters: SocialOrgFilter = SocialOrgFilter(), today: date | None = None
               ) -> OrgCounts:
    """Headline counts and the letters' coverage, in one aggregate query."""
    today = today or clock.today()
    query = select(
        func.count().label("total"),
        _count_if(SocialOrg.registration == "registered").label("registered"),
        _count_if(SocialOrg.registration == "filed").label("filed"),
        _count_if(rating_status(today) == "ok").label("eligible"),
        _count_if(SocialOrg.commitment_letter).label("commitment"),
        _count_if(SocialOrg.responsibility_letter).label("responsibility"),
        _count_if(and_(SocialOrg.commitment_letter, SocialOrg.responsibility_letter)).label("both_letters"),
        _count_if(SocialOrg.party_org == "branch").label("party_branch"),
        _count_if(SocialOrg.party_org == "group").label("party_group"),
        _count_if(SocialOrg.incubated).label("incubated"),
    ).where(*_conditions(actor, filters, today))
    with engine.connect() as conn:
        return OrgCounts(**conn.execute(query).mappings().one())


def counts_by(engine: Engine, *, actor: Actor, by: str, filters: SocialOrgFilter = SocialOrgFilter(),
              today: date | None = None) -> pd.DataFrame:
    """Organizations per kind, registration track, grade bucket or street: columns key, orgs."""
    today = today or clock.today()
    if by == "grade":
        key = grade_bucket(today)
    elif by in ("kind", "registration", "domain"):
        key = getattr(SocialOrg, by)
    else:
        raise ValueError(by)
    query = (select(key.label("key"), func.count().label("orgs"))
             .where(*_conditions(actor, filters, today)).group_by(key).order_by(key))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["key", "orgs"])


class SocialOrgPublic(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    registration: str
    domain: str
    district_id: int
    street_id: Optional[int]
    grade: Optional[int]
    rated_on: Optional[date]
    grade_valid_until: Optional[date]
    rating_status: str
    active: bool = True


def get_org(engine: Engine, *, actor: Actor, org_id: int, today: date | None = None) -> SocialOrgPublic:
    today = today or clock.today()
    require(actor, "pipeline.read")
    query = select(SocialOrg, rating_status(today)).where(SocialOrg.id == org_id)
    with reading(engine) as session:
        row = session.execute(query).first()
        if row is None or not org_visible(actor, row[0]):
            raise NotFound("error.not_found", entity="social_org")
        return public_org(row[0], row[1])


def org_visible(actor: Actor, org: SocialOrg) -> bool:
    return {"root": True, "district": org.district_id == actor.scope_id,
            "street": org.street_id == actor.scope_id}.get(actor.scope_level, False)


def public_org(org: SocialOrg, status: str) -> SocialOrgPublic:
    return SocialOrgPublic.model_validate({**org.model_dump(), "rating_status": status})


def rating_history(engine: Engine, *, actor: Actor, org_id: int) -> pd.DataFrame:
    get_org(engine, actor=actor, org_id=org_id)  # role and scope
    query = (select(OrgRating.grade, OrgRating.score, OrgRating.rated_on, OrgRating.valid_until,
                    OrgRating.recorded_by, OrgRating.note)
             .where(OrgRating.org_id == org_id).order_by(OrgRating.rated_on.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["grade", "score", "rated_on", "valid_until", "recorded_by", "note"])


def contractor_choices(engine: Engine, *, actor: Actor, today: date | None = None, keep: int | None = None
                       ) -> pd.DataFrame:
    """Registered, active organizations an admin may pick as contractor (any district: Lüyuan lets outside
    organizations compete), with their rating status so the form can warn before the tender rule does.
    `keep`: a project's contractor now, listed even if deactivated since, so editing the project keeps it."""
    require(actor, "pipeline.read")
    today = today or clock.today()
    pickable = and_(SocialOrg.registration == "registered", SocialOrg.active.is_(True))
    query = (select(SocialOrg.id, SocialOrg.name, SocialOrg.grade, SocialOrg.grade_valid_until,
                    rating_status(today).label("rating_status"), SocialOrg.active)
             .where(pickable if keep is None else or_(pickable, SocialOrg.id == keep)).order_by(SocialOrg.name))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "name", "grade", "grade_valid_until", "rating_status", "active"])


class RatingCreate(BaseModel):
    grade: int = Field(ge=1, le=5)
    score: Optional[int] = Field(default=None, ge=0, le=1000)
    rated_on: Day
    note: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=200)

    @field_validator("rated_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > clock.today():
            raise rule("rule.pipe.not_future")
        return value


def record_rating(engine: Engine, *, actor: Actor, org_id: int, data: dict | RatingCreate) -> SocialOrgPublic:
    """Admin records an assessment result; it becomes the current rating unless a newer one exists."""
    require(actor, "pipeline.write")
    payload = validate(RatingCreate, data if isinstance(data, dict) else data.model_dump())
    valid_until = rules.rating_valid_until(payload.rated_on)
    with transaction(engine) as session:
        org = session.execute(select(SocialOrg).where(SocialOrg.id == org_id).with_for_update()).scalar_one_or_none()
        if org is None:
            raise NotFound("error.not_found", entity="social_org")
        require_unit_in_scope(session, actor, org.street_id or org.district_id)
        duplicate = session.execute(select(OrgRating.id).where(
            OrgRating.org_id == org_id, OrgRating.rated_on == payload.rated_on)).first()
        if duplicate:
            raise DomainError("pipe.error.rating_exists", field="rated_on", day=payload.rated_on.isoformat())
        before = {"grade": org.grade, "rated_on": org.rated_on, "valid_until": org.grade_valid_until}
        rating = OrgRating(org_id=org_id, grade=payload.grade, score=payload.score, rated_on=payload.rated_on,
                           valid_until=valid_until, recorded_by=actor.username, note=payload.note)
        session.add(rating)
        if org.rated_on is None or payload.rated_on >= org.rated_on:
            org.grade, org.rated_on, org.grade_valid_until = payload.grade, payload.rated_on, valid_until
        session.flush()
        audit.record(session, actor=actor, action="org_rating_create", entity="social_org", entity_id=org.id,
                     before=before, after={**payload.model_dump(), "valid_until": valid_until})
        status = session.execute(select(rating_status(clock.today())).where(SocialOrg.id == org_id)).scalar_one()
        return public_org(org, status)
