"""The purchase catalogue (指导目录): its categories and items, with how much of each the projects in
the actor's scope bought, and the projects bought outside it."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db import clock
from db.access import Actor
from db.models import OrgUnit
from db.models.pipeline import CatalogueCategory, CatalogueItem, Project
from db.pipeline.projects import ProjectFilter, conditions

ITEM_COLUMNS = ["category_code", "category_name", "category_name_en", "item_id", "code", "name", "description",
                "projects", "budget"]


def items(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
          today: date | None = None) -> pd.DataFrame:
    """Every catalogue item in catalogue order, with the number and budget of projects in scope that name it."""
    today = today or clock.today()
    usage = (select(Project.catalogue_item_id.label("item_id"), func.count().label("projects"),
                    func.sum(Project.budget).label("budget"))
             .where(Project.catalogue_item_id.is_not(None), *conditions(actor, filters, today))
             .group_by(Project.catalogue_item_id).subquery())
    query = (
        select(CatalogueCategory.code.label("category_code"), CatalogueCategory.name.label("category_name"),
               CatalogueCategory.name_en.label("category_name_en"), CatalogueItem.id.label("item_id"),
               CatalogueItem.code, CatalogueItem.name, CatalogueItem.description,
               func.coalesce(usage.c.projects, 0).label("projects"), func.coalesce(usage.c.budget, 0).label("budget"))
        .join(CatalogueCategory, CatalogueCategory.id == CatalogueItem.category_id)
        .outerjoin(usage, usage.c.item_id == CatalogueItem.id)
        .order_by(CatalogueCategory.sort_order, CatalogueItem.sort_order, CatalogueItem.code)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=ITEM_COLUMNS)
    frame[["projects", "budget"]] = frame[["projects", "budget"]].astype("int64")
    return frame


def choices(engine: Engine) -> pd.DataFrame:
    """id, code, name and category of every item, for the project form's picker."""
    query = (select(CatalogueItem.id, CatalogueItem.code, CatalogueItem.name,
                    CatalogueCategory.name.label("category_name"))
             .join(CatalogueCategory, CatalogueCategory.id == CatalogueItem.category_id)
             .order_by(CatalogueCategory.sort_order, CatalogueItem.sort_order, CatalogueItem.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "name", "category_name"])


def outside(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
            today: date | None = None) -> pd.DataFrame:
    """Projects in scope that name no catalogue item: the service they bought instead."""
    today = today or clock.today()
    query = (select(Project.code, Project.title, Project.off_catalogue_service, Project.year, Project.stage,
                    Project.budget, OrgUnit.name.label("street_name"))
             .join(OrgUnit, OrgUnit.id == Project.street_id)
             .where(Project.catalogue_item_id.is_(None), *conditions(actor, filters, today))
             .order_by(Project.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["code", "title", "off_catalogue_service", "year", "stage", "budget", "street_name"])
