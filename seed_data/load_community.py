"""Loads the 社区营造 demo of 锦江区 (seed_data/community.py) inside the seed loader's transaction, in bulk
inserts: proposals, then the meetings and their agenda items, merges and the communities' own projects by
the ids the inserts gave."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import aliased

from db import clock
from db.community import photos as stored_photos
from db.community import rules
from db.models import OrgUnit
from db.models.community import (
    CommunityProject,
    CouncilItem,
    CouncilMeeting,
    Proposal,
    ProposalPhoto,
    ProposalRating,
    ResidentDeclaration,
)
from db.models.pipeline import Project
from seed_data import community as generator
from seed_data import community_photos as drawn
from seed_data.voting import synthetic_voters

DISTRICT = "510104"  # 锦江区
BATCH = 5_000


def _bulk(session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table.__table__), rows[start:start + BATCH])


def _public(row: dict) -> dict:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def _communities(session) -> list[dict]:
    district = session.execute(select(OrgUnit.id).where(OrgUnit.code == DISTRICT)).scalar_one()
    street = aliased(OrgUnit)
    rows = session.execute(select(OrgUnit.id, OrgUnit.street_id, OrgUnit.district_id, OrgUnit.name, street.pilot)
                           .join(street, street.id == OrgUnit.street_id)
                           .where(OrgUnit.level == "community", OrgUnit.district_id == district)
                           .order_by(OrgUnit.code)).mappings().all()
    return [dict(row) for row in rows]


def _linked(session, communities: list[dict]) -> list[dict]:
    """The pipeline projects that began as residents' proposals: some of 锦江区's community projects since 2017."""
    ids = [c["id"] for c in communities]
    rows = session.execute(select(Project.id, Project.community_id, Project.title, Project.domain, Project.budget,
                                  Project.created_at)
                           .where(Project.community_id.in_(ids), Project.year >= 2017)
                           .order_by(Project.code)).mappings().all()
    chosen = random.Random(17).sample(list(rows), min(generator.LINKED, len(rows)))
    return [{**row, "created_on": row["created_at"].date()} for row in chosen]


def load_community(session) -> None:
    communities = _communities(session)
    demo = generator.build(communities, _linked(session, communities), synthetic_voters("1716", 3000),
                           clock.today())
    _bulk(session, Proposal, [_public(row) for row in demo.proposals])
    ids = dict(session.execute(select(Proposal.code, Proposal.id)).all())
    proposal_id = {row["_key"]: ids[row["code"]] for row in demo.proposals}
    if demo.merges:
        session.execute(update(Proposal.__table__).where(Proposal.__table__.c.id == bindparam("pid"))
                        .values(merged_into_id=bindparam("into")),
                        [{"pid": proposal_id[key], "into": proposal_id[into]} for key, into in demo.merges])
    _bulk(session, CouncilMeeting, [_public(row) for row in demo.meetings])
    meeting_ids = {(r.community_id, r.held_on): r.id for r in session.execute(
        select(CouncilMeeting.community_id, CouncilMeeting.held_on, CouncilMeeting.id))}
    meeting_id = {row["_key"]: meeting_ids[(row["community_id"], row["held_on"])] for row in demo.meetings}
    _bulk(session, CouncilItem, [{**_public(item), "meeting_id": meeting_id[item["_meeting"]],
                                  "proposal_id": proposal_id[item["_proposal"]]} for item in demo.items])
    _bulk(session, CommunityProject, [{**_public(project), "proposal_id": proposal_id[project["_proposal"]]}
                                      for project in demo.projects])
    _ratings(session, demo, proposal_id)
    _photos(session, demo, proposal_id, communities[0]["id"])


PHOTOGRAPHED_ELSEWHERE = 5  # besides 紫荆社区's recent ones, a few of the last year's across the district


def _photos(session, demo: generator.Demo, proposal_id: dict[int, int], first_community: int) -> None:
    """1-3 drawn photos (seed_data/community_photos.py) with a few proposals — 紫荆社区's of the last two months (what
    the `community` account and a visitor of its board see first) and a few others of the last year — stored through
    the upload's own re-encoding (db.community.photos)."""
    rng = random.Random(1703)
    today = clock.today()
    recent = [row for row in demo.proposals if row["submitted_on"] >= today - timedelta(days=60)]
    chosen = [row for row in recent if row["community_id"] == first_community]
    others = [row for row in demo.proposals if row["submitted_on"] >= today - timedelta(days=365)
              and row["community_id"] != first_community and row["state"] != rules.MERGED]
    chosen += rng.sample(others, min(PHOTOGRAPHED_ELSEWHERE, len(others)))
    rows = []
    for row in chosen:
        clean = stored_photos.reencode_all(drawn.photos_for(row["theme"], rng))  # as an upload is
        for photo in stored_photos.rows(proposal_id[row["_key"]], clean):
            rows.append({"proposal_id": photo.proposal_id, "position": photo.position, "content": photo.content,
                         "width": photo.width, "height": photo.height})
    _bulk(session, ProposalPhoto, rows)


def _ratings(session, demo: generator.Demo, proposal_id: dict[int, int]) -> None:
    """居民评事 on the projects carried out: the communities' own done, the pipeline's past implementation."""
    finished = {project["_proposal"]: project["done_on"] for project in demo.projects if project["stage"] == "done"}
    stages = dict(session.execute(select(Project.id, Project.stage).where(Project.id.in_(list(demo.links.values())))).all())
    by_key = {row["_key"]: row for row in demo.proposals}
    for key, project_id in demo.links.items():
        if stages.get(project_id) in rules.PIPELINE_CARRIED_OUT:
            finished[key] = by_key[key]["funded_at"].date() + timedelta(days=240)
    voters, ids = synthetic_voters("1704", 3000), sorted({row["community_id"] for row in demo.proposals})
    residents = {community: voters[index::len(ids)] for index, community in enumerate(ids)}  # one community each
    rows = generator.ratings(demo, residents, clock.today(), finished)
    _bulk(session, ResidentDeclaration, generator.declarations(
        rows, {key: row["community_id"] for key, row in by_key.items()}))
    _bulk(session, ProposalRating, [{
        **_public(row), "proposal_id": proposal_id[row["_proposal"]], "community_id": by_key[row["_proposal"]]["community_id"],
        "street_id": by_key[row["_proposal"]]["street_id"], "district_id": by_key[row["_proposal"]]["district_id"]}
        for row in rows])
