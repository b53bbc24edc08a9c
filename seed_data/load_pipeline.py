"""Loads the pipeline demo (catalogue, social organizations and ratings, projects and their stage
histories) inside the seed loader's transaction, in bulk inserts."""

from __future__ import annotations

import json

from sqlalchemy import insert, select

from db import clock
from db.models import AppUser, OrgUnit
from db.models.pipeline import CatalogueCategory, CatalogueItem, OrgRating, Project, SocialOrg, StageEvent
from seed_data import SEED_DIR
from seed_data import pipeline as generator

BATCH = 2000


def _bulk(session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def _districts(session) -> dict:
    """code -> district with its streets and their communities, as the generator expects them."""
    cities = {d["code"]: d.get("city", "") for d in
              json.loads((SEED_DIR / "org_structure.json").read_text(encoding="utf-8"))["districts"]}
    rows = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id,
                                  OrgUnit.pilot).where(OrgUnit.level.in_(("district", "street", "community")))
                           .order_by(OrgUnit.code)).all()
    districts, streets = {}, {}
    for row in rows:
        if row.level == "district":
            districts[row.id] = {"id": row.id, "code": row.code, "name": row.name, "city": cities.get(row.code, ""),
                                 "streets": []}
        elif row.level == "street":
            streets[row.id] = {"id": row.id, "name": row.name, "pilot": row.pilot, "communities": []}
            districts[row.parent_id]["streets"].append(streets[row.id])
        else:
            streets[row.parent_id]["communities"].append({"id": row.id, "name": row.name})
    return {d["code"]: d for d in districts.values()}


def load_catalogue(session) -> list[dict]:
    """The 购买服务目录 (reference data: the demo and an empty install both have it); returns each item's domains."""
    doc = json.loads((SEED_DIR / "pipeline_catalogue.json").read_text(encoding="utf-8"))
    _bulk(session, CatalogueCategory, [{"code": c["code"], "name": c["name"], "name_en": c["name_en"], "sort_order": i}
                                       for i, c in enumerate(doc["categories"], start=1)])
    category_ids = dict(session.execute(select(CatalogueCategory.code, CatalogueCategory.id)).all())
    items = [{"code": item["code"], "category_id": category_ids[category["code"]], "name": item["name"],
              "description": item.get("description"), "sort_order": i}
             for category in doc["categories"] for i, item in enumerate(category["items"], start=1)]
    _bulk(session, CatalogueItem, items)
    return [{"code": item["code"], "domains": item["domains"]} for category in doc["categories"]
            for item in category["items"]]


def load_pipeline(session) -> None:
    today = clock.today()
    demo = generator.build(_districts(session), load_catalogue(session), today)
    _bulk(session, SocialOrg, demo.orgs)
    org_ids = dict(session.execute(select(SocialOrg.code, SocialOrg.id)).all())
    _bulk(session, OrgRating, [{**{k: v for k, v in r.items() if k != "org_code"}, "org_id": org_ids[r["org_code"]]}
                               for r in demo.ratings])
    item_ids = dict(session.execute(select(CatalogueItem.code, CatalogueItem.id)).all())
    projects = []
    for row in demo.projects:
        row = dict(row)
        item, contractor = row.pop("catalogue_item_code"), row.pop("contractor_code")
        row["catalogue_item_id"] = item_ids[item] if item else None
        row["contractor_org_id"] = org_ids[contractor] if contractor else None
        projects.append(row)
    _bulk(session, Project, projects)
    project_ids = dict(session.execute(select(Project.code, Project.id)).all())
    admin_id = session.execute(select(AppUser.id).where(AppUser.username == "admin")).scalar_one_or_none()
    _bulk(session, StageEvent, [{**{k: v for k, v in e.items() if k != "project_code"},
                                 "project_id": project_ids[e["project_code"]], "user_id": admin_id}
                                for e in demo.events])
