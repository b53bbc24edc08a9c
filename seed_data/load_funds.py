"""Loads the 社区基金 demo of 锦江区 (seed_data/funds.py) inside the seed loader's transaction, in bulk inserts:
the funds, then their entries (reversals after the entries they point at, by the ids the inserts gave)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from db import clock
from db.models import AppUser, OrgUnit
from db.models.community import CommunityProject
from db.models.funds import CommunityFund, FundEntry
from seed_data import funds as generator

DISTRICT = "510104"  # 锦江区
ZIJING, CHUNXILU = "510104001001", "510104001"  # the `community` account's community; the `street` account's street


def _units(session) -> list[dict]:
    district = session.execute(select(OrgUnit.id).where(OrgUnit.code == DISTRICT)).scalar_one()
    columns = (OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.community_id, OrgUnit.street_id,
               OrgUnit.district_id)
    communities = [dict(r) for r in session.execute(select(*columns).where(
        OrgUnit.level == "community", OrgUnit.district_id == district).order_by(OrgUnit.code)).mappings()]
    chosen = [c for c in communities if c["code"] == ZIJING]
    others = [c for c in communities if c["code"] != ZIJING]
    chosen += sorted(random.Random(20).sample(others, generator.FUNDS - 2), key=lambda c: c["code"])
    street = dict(session.execute(select(*columns).where(OrgUnit.code == CHUNXILU)).mappings().one())
    street["communities"] = [c["id"] for c in communities if c["street_id"] == street["id"]]
    return [*chosen, street]


def load_funds(session) -> None:
    projects: dict[int, list[int]] = {}
    for project_id, community_id in session.execute(select(CommunityProject.id, CommunityProject.community_id)
                                                    .order_by(CommunityProject.id)):
        projects.setdefault(community_id, []).append(project_id)
    demo = generator.build(_units(session), projects, clock.today())
    now = clock.utcnow()
    session.execute(insert(CommunityFund.__table__), [{**f, "created_at": now, "updated_at": now} for f in demo.funds])
    fund_ids = dict(session.execute(select(CommunityFund.unit_id, CommunityFund.id)).all())
    admin = session.execute(select(AppUser.id).where(AppUser.username == "admin")).scalar_one_or_none()

    def row(entry: dict) -> dict:
        fund = demo.funds[entry["_fund"]]
        recorded = min(clock.local_day_start(entry["entry_on"]) + timedelta(hours=10), now)
        return {"fund_id": fund_ids[fund["unit_id"]], "community_id": fund["community_id"],
                "street_id": fund["street_id"], "district_id": fund["district_id"], "recorded_by": admin,
                "recorded_at": recorded, "donor_kind": None, "donor_name": None, "project_id": None,
                "purpose": None, "reason": None, "reverses_id": None,
                **{k: v for k, v in entry.items() if not k.startswith("_")}}

    plain = [e for e in demo.entries if "_reverses" not in e]
    ids = session.execute(insert(FundEntry.__table__).returning(FundEntry.__table__.c.id, sort_by_parameter_order=True),
                          [row(e) for e in plain]).scalars().all()
    entry_id = {id(e): i for e, i in zip(plain, ids)}
    reversals = [{**row(e), "reverses_id": entry_id[id(demo.entries[e["_reverses"]])]}
                 for e in demo.entries if "_reverses" in e]
    if reversals:
        session.execute(insert(FundEntry.__table__), reversals)
