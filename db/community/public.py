"""What anyone may read without an account: the communities to propose to, each community's proposals with
their state, official answers, council decisions with votes, and the project's stage and money; and one
proposal found by its tracking code. Never the tracking codes of the list, never anything about a proposer."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db.community import rules
from db.community.proposals import (
    ROW_COLUMNS,
    ProposalSummary,
    decisions_of,
    frame,
    rows_query,
    summarise,
    year_condition,
)
from db.models import OrgUnit
from db.models.community import Proposal

TREE_COLUMNS = ["district_id", "district", "street_id", "street", "id", "code", "name"]
BOARD_LIMIT = 500  # a community's proposals over ten years fit; the year filter narrows older ones


def community_tree(engine: Engine) -> pd.DataFrame:
    """Every active community under its street and district, in the hierarchy's order (for the pickers)."""
    district, street = aliased(OrgUnit), aliased(OrgUnit)
    query = (select(district.id.label("district_id"), district.name.label("district"), street.id.label("street_id"),
                    street.name.label("street"), OrgUnit.id, OrgUnit.code, OrgUnit.name)
             .join(street, street.id == OrgUnit.street_id).join(district, district.id == OrgUnit.district_id)
             .where(OrgUnit.level == "community", OrgUnit.active.is_(True), street.active.is_(True),
                    district.active.is_(True))
             .order_by(district.sort_order, district.code, street.sort_order, street.code, OrgUnit.sort_order,
                       OrgUnit.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=TREE_COLUMNS)


def board(engine: Engine, *, community_id: int, year: int | None = None, state: str | None = None) -> pd.DataFrame:
    """A community's proposals, newest first (at most BOARD_LIMIT), as published."""
    conds = [Proposal.community_id == community_id]
    if year:
        conds.append(year_condition(year))
    if state in rules.STATES:
        conds.append(Proposal.state == state)
    query = rows_query().where(*conds).order_by(Proposal.submitted_on.desc(), Proposal.id.desc()).limit(BOARD_LIMIT)
    with engine.connect() as conn:
        return frame(conn, query, ROW_COLUMNS)


def board_summary(engine: Engine, *, community_id: int, year: int | None = None) -> ProposalSummary:
    conds = [Proposal.community_id == community_id]
    if year:
        conds.append(year_condition(year))
    return summarise(engine, conds)


def board_years(engine: Engine, *, community_id: int) -> list[int]:
    """Years with proposals in the community, newest first."""
    with engine.connect() as conn:
        days = conn.execute(select(Proposal.submitted_on).where(Proposal.community_id == community_id)
                            .order_by(Proposal.submitted_on.desc())).scalars().all()
    return sorted({day.year if isinstance(day, date) else int(str(day)[:4]) for day in days}, reverse=True)


def tracked(engine: Engine, *, code: str | None) -> tuple[dict, pd.DataFrame] | None:
    """The proposal a tracking code names, with every council decision on it; None for an unknown code."""
    value = rules.read_tracking_code(code)
    if value is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(rows_query().where(Proposal.code == value)).mappings().first()
        if row is None:
            return None
        return dict(row), decisions_of(conn, row["id"])


def rateable(engine: Engine, *, proposal_id: int | None) -> dict | None:
    """A proposal residents may rate now (adopted, its project carried out), as published; None otherwise."""
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int) or not 0 < proposal_id <= 2**31 - 1:
        return None
    with engine.connect() as conn:
        row = conn.execute(rows_query().where(Proposal.id == proposal_id)).mappings().first()
    if row is None or not row["carried_out"] or row["state"] != rules.ADOPTED:
        return None
    return dict(row)
