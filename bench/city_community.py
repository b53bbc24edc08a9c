"""City part "community": 社区营造 in every district, drawn by the demo's own generator (seed_data.community) once
per district with a seed of its own, so each district looks like seed 000's 锦江区 at the city's scale: 4,200
proposals since June 2016 at scale 1.0 (about 50,000 for the city), triaged and decided at quarterly council
meetings with their votes, 2,000+ carried out and about 5,000万元 committed per district, 36 of each district's
pipeline projects begun as proposals (linked both ways), and residents' ratings of the projects carried out — by
the resident who proposed it or by residents each declared in one community (resident_declaration), as
db.community.ratings allows. Rows go in through the city's BulkWriter with explicit ids."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.community import rules
from db.models.community import (
    CommunityProject,
    CouncilItem,
    CouncilMeeting,
    Proposal,
    ProposalRating,
    ResidentDeclaration,
)
from db.models.pipeline import Project
from seed_data import community as generator
from seed_data.voting import synthetic_voters

RESIDENTS_PER_COMMUNITY = 60  # synthetic numbers that rate, each declared in its own community
PROPOSERS = 3_000  # synthetic numbers that propose, per district at scale 1.0 (as the demo)


def _columns(rows: list[dict]) -> tuple[str, ...]:
    return tuple(rows[0]) if rows else ()


def _tuples(rows: list[dict], columns: tuple[str, ...]):
    return (tuple(row[c] for c in columns) for row in rows)


def _linked(city, district: dict) -> list[dict]:
    """The district's pipeline projects that began as proposals (drawn from those of a community since 2017)."""
    with city.writer.engine.connect() as conn:
        rows = conn.execute(select(Project.id, Project.community_id, Project.title, Project.domain, Project.budget,
                                   Project.created_at, Project.stage)
                            .where(Project.district_id == district["id"], Project.community_id.is_not(None),
                                   Project.year >= 2017).order_by(Project.id)).mappings().all()
    rng = city.rng(f"community:linked:{district['code']}")
    chosen = rng.sample(list(rows), min(round(generator.LINKED * city.scale), len(rows)))
    return [{**row, "created_on": row["created_at"].date()} for row in chosen]


class _Ids:
    """Explicit ids, city-wide, per table."""

    def __init__(self):
        self.next = {"proposal": 1, "meeting": 1, "item": 1, "project": 1, "rating": 1}

    def take(self, table: str, count: int) -> int:
        first = self.next[table]
        self.next[table] += count
        return first


def _district(city, index: int, district: dict, ids: _Ids, out: dict[str, list]) -> None:
    communities = [{"id": c["id"], "street_id": s["id"], "district_id": district["id"], "name": c["name"],
                    "pilot": s["pilot"]} for s in district["streets"] for c in s["communities"]]
    linked = _linked(city, district)
    proposers = synthetic_voters(f"171{index:02d}", max(50, city.count(PROPOSERS)))
    demo = generator.build(communities, linked, proposers, city.today, seed=f"{city.seed}:community:{district['code']}",
                           proposals=city.count(generator.PROPOSALS), money=city.count(generator.MONEY))
    first = ids.take("proposal", len(demo.proposals))
    proposal_id = {row["_key"]: first + position for position, row in enumerate(demo.proposals)}
    merged = dict(demo.merges)
    by_key = {row["_key"]: row for row in demo.proposals}
    for row in demo.proposals:
        out["proposal"].append({"id": proposal_id[row["_key"]], **_public(row),
                                "merged_into_id": proposal_id[merged[row["_key"]]] if row["_key"] in merged else None})
    first = ids.take("meeting", len(demo.meetings))
    meeting_id = {row["_key"]: first + position for position, row in enumerate(demo.meetings)}
    out["meeting"] += [{"id": meeting_id[row["_key"]], **_public(row), "recorded_by": None} for row in demo.meetings]
    first = ids.take("item", len(demo.items))
    out["item"] += [{"id": first + position, **_public(item), "meeting_id": meeting_id[item["_meeting"]],
                     "proposal_id": proposal_id[item["_proposal"]]} for position, item in enumerate(demo.items)]
    first = ids.take("project", len(demo.projects))
    out["project"] += [{"id": first + position, **_public(project), "proposal_id": proposal_id[project["_proposal"]]}
                       for position, project in enumerate(demo.projects)]

    # 居民评事: the communities' own projects done, and the pipeline's past implementation
    finished = {p["_proposal"]: p["done_on"] for p in demo.projects if p["stage"] == "done"}
    stages = {p["id"]: p["stage"] for p in linked}
    for key, project_id in demo.links.items():
        if stages.get(project_id) in rules.PIPELINE_CARRIED_OUT:
            finished[key] = by_key[key]["funded_at"].date() + timedelta(days=240)
    voters = synthetic_voters(f"172{index:02d}", RESIDENTS_PER_COMMUNITY * len(communities))
    residents = {c["id"]: voters[n::len(communities)] for n, c in enumerate(communities)}
    rows = generator.ratings(demo, residents, city.today, finished)
    first = ids.take("rating", len(rows))
    for position, row in enumerate(rows):
        proposal = by_key[row["_proposal"]]
        out["rating"].append({"id": first + position, **_public(row), "proposal_id": proposal_id[row["_proposal"]],
                              "community_id": proposal["community_id"], "street_id": proposal["street_id"],
                              "district_id": proposal["district_id"]})
    out["declaration"] += generator.declarations(rows, {key: row["community_id"] for key, row in by_key.items()})


def _public(row: dict) -> dict:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def write(city) -> None:
    out: dict[str, list] = {"proposal": [], "meeting": [], "item": [], "project": [], "rating": [], "declaration": []}
    ids = _Ids()
    for index, district in enumerate(city.districts, start=1):
        _district(city, index, district, ids, out)
    writer = city.writer
    writer.progress.begin("community", sum(len(rows) for rows in out.values()))
    # in foreign-key order: proposals (merges point at earlier and later ones, so the column is written with them)
    for table, rows in ((Proposal, out["proposal"]), (CouncilMeeting, out["meeting"]), (CouncilItem, out["item"]),
                        (CommunityProject, out["project"]), (ProposalRating, out["rating"]),
                        (ResidentDeclaration, out["declaration"])):
        columns = _columns(rows)
        if columns:
            writer.write(table.__table__, columns, _tuples(rows, columns))
    writer.progress.end()
    city.community = {name: len(rows) for name, rows in out.items()}
