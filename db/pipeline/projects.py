"""Reading purchased-service projects within the actor's scope: the pipeline filters, SQL aggregates for
the headline figures and charts, the filtered list, one project's detail and its stage history.
Writes live in db/pipeline/writes.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import clock
from db.access import Actor, require
from db.engine import reading
from db.errors import NotFound
from db.models import AppUser, OrgUnit
from db.models.pipeline import CatalogueCategory, CatalogueItem, Project, SocialOrg, StageEvent
from db.pipeline import rules
from db.pipeline.social_orgs import rating_status


@dataclass(frozen=True)
class ProjectFilter:
    """The pipeline view's filters; every one is optional. Frozen so cached readers can key on it."""

    year: Optional[int] = None
    batch: Optional[str] = None
    domain: Optional[str] = None
    street_id: Optional[int] = None
    stage: Optional[str] = None
    contractor_org_id: Optional[int] = None
    overdue_only: bool = False
    search: Optional[str] = None


def project_scope(actor: Actor, table=Project):
    """SQL condition: the project is delivered within the actor's scope (street staff: their street)."""
    level = actor.scope_level
    if level == "root":
        return true()
    column = {"district": table.district_id, "street": table.street_id, "community": table.community_id}.get(level)
    return false() if column is None else column == actor.scope_id  # grids hold no projects


def in_scope(actor: Actor, project: Project) -> bool:
    """The Python twin of project_scope, for a row already loaded inside a write."""
    level = actor.scope_level
    if level == "root":
        return True
    column = {"district": "district_id", "street": "street_id", "community": "community_id"}.get(level)
    return column is not None and getattr(project, column) == actor.scope_id


def overdue_condition(today: date, table=Project):
    """SQL: still in one of the six stages and past the stage's due date."""
    return and_(table.stage.in_(rules.STAGES), table.stage_due < today)


def conditions(actor: Actor, filters: ProjectFilter, today: date) -> list:
    """The WHERE clause of every pipeline read: role, scope, then each filter that is set."""
    require(actor, "pipeline.read")
    conds = [project_scope(actor)]
    for field, column in (("year", Project.year), ("batch", Project.batch), ("domain", Project.domain),
                          ("street_id", Project.street_id), ("stage", Project.stage),
                          ("contractor_org_id", Project.contractor_org_id)):
        value = getattr(filters, field)
        if value is not None and value != "":
            conds.append(column == value)
    if filters.overdue_only:
        conds.append(overdue_condition(today))
    if filters.search and filters.search.strip():
        text = filters.search.strip()
        contractors = select(SocialOrg.id).where(SocialOrg.name.contains(text, autoescape=True))
        conds.append(or_(Project.title.contains(text, autoescape=True),
                         Project.code.icontains(text, autoescape=True),
                         Project.contractor_org_id.in_(contractors)))
    return conds


class PipelineSummary(BaseModel):
    projects: int
    budget: int
    contracted: int
    disbursed: int
    overdue: int

    @property
    def execution_rate(self) -> float | None:
        """Budget execution (预算执行率): disbursed over budget."""
        return self.disbursed / self.budget if self.budget else None


def _sum(column):
    # Money totals cannot overflow: each amount is at most db.validation.MONEY_MAX (100 亿), SUM of a
    # bigint column is numeric on PostgreSQL, and SQLite's int64 sum would need ~900 million projects.
    return func.coalesce(func.sum(column), 0)


def summary(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
            today: date | None = None) -> PipelineSummary:
    today = today or clock.today()
    query = select(
        func.count().label("projects"), _sum(Project.budget).label("budget"),
        _sum(Project.contract_amount).label("contracted"), _sum(Project.disbursed).label("disbursed"),
        _sum(case((overdue_condition(today), 1), else_=0)).label("overdue"),
    ).where(*conditions(actor, filters, today))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().one()
    return PipelineSummary(**{key: int(value) for key, value in row.items()})


def by_stage(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
             today: date | None = None) -> pd.DataFrame:
    """Projects, budget and overdue count per state, every state present and in pipeline order."""
    today = today or clock.today()
    query = (select(Project.stage, func.count().label("projects"), _sum(Project.budget).label("budget"),
                    _sum(case((overdue_condition(today), 1), else_=0)).label("overdue"))
             .where(*conditions(actor, filters, today)).group_by(Project.stage))
    with engine.connect() as conn:
        rows = {row.stage: row for row in conn.execute(query)}
    return pd.DataFrame([{"stage": stage, "projects": int(rows[stage].projects) if stage in rows else 0,
                          "budget": int(rows[stage].budget) if stage in rows else 0,
                          "overdue": int(rows[stage].overdue) if stage in rows else 0}
                         for stage in rules.STATES])


def by_domain(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
              today: date | None = None) -> pd.DataFrame:
    today = today or clock.today()
    query = (select(Project.domain, func.count().label("projects"), _sum(Project.budget).label("budget"))
             .where(*conditions(actor, filters, today)).group_by(Project.domain).order_by(Project.domain))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["domain", "projects", "budget"])


def by_street(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
              today: date | None = None) -> pd.DataFrame:
    """Projects, budget, and the overdue projects (count and budget) per street, in street-code order:
    the count of late projects by street is leadership's own question, not only their money."""
    today = today or clock.today()
    late = overdue_condition(today)
    query = (select(Project.street_id, OrgUnit.name.label("street"), func.count().label("projects"),
                    _sum(Project.budget).label("budget"), _sum(case((late, 1), else_=0)).label("overdue"),
                    _sum(case((late, Project.budget), else_=0)).label("overdue_budget"))
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .where(*conditions(actor, filters, today))
             .group_by(Project.street_id, OrgUnit.name, OrgUnit.code).order_by(OrgUnit.code))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=STREET_COLUMNS)
    for column in ("projects", "budget", "overdue", "overdue_budget"):
        frame[column] = frame[column].astype("int64")
    return frame


STREET_COLUMNS = ["street_id", "street", "projects", "budget", "overdue", "overdue_budget"]


LIST_COLUMNS = ["id", "code", "title", "batch", "year", "domain", "street_id", "street_name", "unit_name",
                "contractor_org_id", "contractor_name", "catalogue_code", "catalogue_name", "off_catalogue_service",
                "stage", "stage_entered_on", "stage_due", "budget", "contract_amount", "disbursed", "personnel_cost",
                "management_fee", "started_on", "ended_on", "overdue", "days_late"]


def list_projects(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
                  today: date | None = None, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """The filtered projects, one row each with names joined in, ordered by code; `limit` rows from
    `offset` when given (a page of the list: the screen is never sent the whole city's projects)."""
    today = today or clock.today()
    street, unit = aliased(OrgUnit), aliased(OrgUnit)
    query = (
        select(Project.id, Project.code, Project.title, Project.batch, Project.year, Project.domain,
               Project.street_id, street.name.label("street_name"), unit.name.label("unit_name"),
               Project.contractor_org_id, SocialOrg.name.label("contractor_name"),
               CatalogueItem.code.label("catalogue_code"), CatalogueItem.name.label("catalogue_name"),
               Project.off_catalogue_service, Project.stage, Project.stage_entered_on, Project.stage_due,
               Project.budget, Project.contract_amount, Project.disbursed, Project.personnel_cost,
               Project.management_fee, Project.started_on, Project.ended_on,
               overdue_condition(today).label("overdue"))
        .join(street, street.id == Project.street_id)
        .join(unit, unit.id == Project.org_unit_id)
        .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
        .outerjoin(CatalogueItem, CatalogueItem.id == Project.catalogue_item_id)
        .where(*conditions(actor, filters, today))
        .order_by(Project.code)
    )
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=LIST_COLUMNS[:-1])
    frame["overdue"] = frame["overdue"].astype(bool)
    frame["days_late"] = [(today - due).days if late else 0 for due, late in zip(frame["stage_due"], frame["overdue"])]
    return frame


class FilterOptions(BaseModel):
    years: list[int]
    batches: list[str]
    streets: dict[int, str]
    street_codes: dict[int, str]
    contractors: dict[int, str]


def filter_options(engine: Engine, *, actor: Actor) -> FilterOptions:
    """The values the pipeline filters offer: what occurs among the projects in the actor's scope."""
    require(actor, "pipeline.read")
    scope = project_scope(actor)
    with engine.connect() as conn:
        years = conn.execute(select(Project.year).where(scope).distinct().order_by(Project.year.desc())).scalars()
        batches = conn.execute(select(Project.batch, func.max(Project.year).label("y")).where(scope)
                               .group_by(Project.batch).order_by(func.max(Project.year).desc(), Project.batch))
        streets = conn.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.id.in_(
            select(Project.street_id).where(scope))).order_by(OrgUnit.code)).all()
        contractors = conn.execute(select(SocialOrg.id, SocialOrg.name).where(SocialOrg.id.in_(
            select(Project.contractor_org_id).where(scope))).order_by(SocialOrg.name))
        return FilterOptions(years=list(years), batches=[row.batch for row in batches],
                             streets={row.id: row.name for row in streets},
                             street_codes={row.id: row.code for row in streets},
                             contractors={row.id: row.name for row in contractors})


def project_choices(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """code and title of every project in scope, newest first (the detail page's picker)."""
    require(actor, "pipeline.read")
    query = select(Project.code, Project.title).where(project_scope(actor)).order_by(Project.code.desc())
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["code", "title"])


def recent_projects(engine: Engine, *, actor: Actor, limit: int = 8) -> pd.DataFrame:
    """code, title, stage and street of the projects in scope changed last, newest first (the detail page
    opened from the menu starts with these)."""
    require(actor, "pipeline.read")
    query = (select(Project.code, Project.title, Project.stage, OrgUnit.name.label("street"))
             .join(OrgUnit, OrgUnit.id == Project.street_id).where(project_scope(actor))
             .order_by(Project.updated_at.desc(), Project.code.desc()).limit(limit))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["code", "title", "stage", "street"])


class ProjectDetail(BaseModel):
    """One project as the detail page shows it: every stored field plus names and derived figures."""

    id: int
    code: str
    title: str
    summary: Optional[str]
    domain: str
    catalogue_item_id: Optional[int]
    catalogue_code: Optional[str]
    catalogue_name: Optional[str]
    category_name: Optional[str]
    category_name_en: Optional[str]
    off_catalogue_service: Optional[str]
    batch: str
    year: int
    buyer: str
    org_unit_id: int
    unit_name: str
    district_id: int
    district_name: str
    street_id: int
    street_name: str
    contractor_org_id: Optional[int]
    contractor_name: Optional[str]
    contractor_grade: Optional[int]
    contractor_valid_until: Optional[date]
    contractor_status: Optional[str]
    budget: int
    contract_amount: Optional[int]
    disbursed: int
    personnel_cost: int
    management_fee: int
    stage: str
    stage_entered_on: date
    stage_due: Optional[date]
    started_on: Optional[date]
    ended_on: Optional[date]
    target_beneficiaries: Optional[int]
    actual_beneficiaries: Optional[int]
    rating_exception: Optional[str]
    termination_reason: Optional[str]
    created_at: datetime
    updated_at: datetime
    days_in_stage: int
    stage_limit: Optional[int]
    overdue: bool
    days_late: int

    def form_values(self) -> dict:
        """The editable fields, as the project form and db.pipeline.writes.ProjectCreate name them."""
        return {key: getattr(self, key) for key in (
            "title", "summary", "domain", "batch", "year", "buyer", "org_unit_id", "catalogue_item_id",
            "off_catalogue_service", "contractor_org_id", "budget", "contract_amount", "personnel_cost",
            "management_fee", "disbursed", "started_on", "ended_on", "target_beneficiaries",
            "actual_beneficiaries")}


def get_project(engine: Engine, *, actor: Actor, code: str, today: date | None = None) -> ProjectDetail:
    """A project in the actor's scope by code; anything else reads as not found."""
    today = today or clock.today()
    require(actor, "pipeline.read")
    unit, district, street = aliased(OrgUnit), aliased(OrgUnit), aliased(OrgUnit)
    query = (
        select(Project, unit.name.label("unit_name"), district.name.label("district_name"),
               street.name.label("street_name"), SocialOrg.name.label("contractor_name"),
               SocialOrg.grade.label("contractor_grade"), SocialOrg.grade_valid_until.label("contractor_valid_until"),
               case((SocialOrg.id.is_(None), None), else_=rating_status(today)).label("contractor_status"),
               CatalogueItem.code.label("catalogue_code"), CatalogueItem.name.label("catalogue_name"),
               CatalogueCategory.name.label("category_name"), CatalogueCategory.name_en.label("category_name_en"))
        .join(unit, unit.id == Project.org_unit_id)
        .join(district, district.id == Project.district_id)
        .join(street, street.id == Project.street_id)
        .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
        .outerjoin(CatalogueItem, CatalogueItem.id == Project.catalogue_item_id)
        .outerjoin(CatalogueCategory, CatalogueCategory.id == CatalogueItem.category_id)
        .where(Project.code == (code or "").strip(), project_scope(actor))
    )
    with reading(engine) as session:
        row = session.execute(query).first()
    if row is None:
        raise NotFound("error.not_found", entity="project")
    project = row[0]
    overdue = project.stage in rules.STAGES and project.stage_due is not None and project.stage_due < today
    return ProjectDetail.model_validate({
        **project.model_dump(), **{key: value for key, value in row._mapping.items() if key != "Project"},
        "days_in_stage": (today - project.stage_entered_on).days,
        "stage_limit": rules.stage_limit(project.stage) if project.stage in rules.STAGES else None,
        "overdue": overdue, "days_late": (today - project.stage_due).days if overdue else 0,
    })


TIMELINE_COLUMNS = ["at", "kind", "from_stage", "to_stage", "username", "display_name", "note"]


def timeline(engine: Engine, *, actor: Actor, project_id: int) -> pd.DataFrame:
    """The project's stage events, newest first, with who made each."""
    require(actor, "pipeline.read")
    query = (
        select(StageEvent.at, StageEvent.kind, StageEvent.from_stage, StageEvent.to_stage, StageEvent.username,
               func.coalesce(AppUser.display_name, StageEvent.username).label("display_name"), StageEvent.note)
        .join(Project, Project.id == StageEvent.project_id)
        .outerjoin(AppUser, AppUser.id == StageEvent.user_id)
        .where(StageEvent.project_id == project_id, project_scope(actor))
        .order_by(StageEvent.at.desc(), StageEvent.id.desc())
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=TIMELINE_COLUMNS)
