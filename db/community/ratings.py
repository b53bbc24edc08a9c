"""居民评事: once an adopted proposal's project is carried out (the community's own done, a pipeline project past
implementation), residents rate it 1-5 with an optional comment. A resident is verified by phone exactly as for a
proposal (db/community/verification.py: the vote's number rules, HMAC key and throttles; no number stored), and
rates a proposal once: the UNIQUE (proposal, voter key) of an insert that ignores conflicts, so two tabs at once
cannot both rate. Only residents who proposed in the project's community (checked against the proposals' keys) or
live there (declared, one community per number for RESIDENCE_DAYS: resident_declaration) may rate. The public
reads the average, the count and the comments, as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Optional

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.community import rules, verification
from db.community.proposals import PUBLIC_USERNAME, carried_out_condition
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.community import CommunityProject, Proposal, ProposalRating, ResidentDeclaration
from db.models.pipeline import Project
from db.validation import BlankIsNone, RowId, validate
from db.voting.codes import dialect_insert


class RatingCreate(BaseModel):
    proposal_id: RowId
    score: Annotated[int, Field(ge=rules.SCORES[0], le=rules.SCORES[-1])]
    comment: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=rules.RATING_COMMENT_MAX)
    # asked only of a number that neither proposed in the community nor declared living there
    residence_id: Optional[RowId] = None  # the community the resident says they live in
    resident: bool = False  # ticked "我是本社区居民"


@dataclass(frozen=True)
class RatingReceipt:
    rating_id: int
    proposal_id: int
    basis: str = rules.RESIDENT


@dataclass(frozen=True)
class Standing:
    """What a verified number may do with one project: rate it as a proposer or a declared resident (basis), or
    declare first (basis None); or nothing more (rated, or declared in another community until `locked_until`)."""

    basis: str | None
    rated: bool
    community: str  # the project's community, by name
    declared: str | None = None  # the community the number declared, by name, if another
    locked_until: date | None = None  # the first day it may declare another community


def _proposed_here(session, key: bytes, community_id: int) -> bool:
    return session.execute(select(Proposal.id).where(Proposal.proposer_key == key,
                                                     Proposal.community_id == community_id).limit(1)).first() is not None


def _declaration(session, key: bytes):
    return session.execute(select(ResidentDeclaration.community_id, ResidentDeclaration.declared_on, OrgUnit.name)
                           .join(OrgUnit, OrgUnit.id == ResidentDeclaration.community_id)
                           .where(ResidentDeclaration.voter_key == key)).first()


def _unlocked_on(declared_on) -> date:
    day = declared_on if isinstance(declared_on, date) else date.fromisoformat(str(declared_on)[:10])
    return day + timedelta(days=rules.RESIDENCE_DAYS)


def _rateable_row(session, proposal_id: int):
    row = session.execute(
        select(Proposal.id, Proposal.community_id, Proposal.street_id, Proposal.district_id,
               OrgUnit.name.label("community"), rateable_condition().label("rateable"))
        .join(OrgUnit, OrgUnit.id == Proposal.community_id)
        .outerjoin(Project, Project.id == Proposal.project_id)
        .outerjoin(CommunityProject, CommunityProject.proposal_id == Proposal.id)
        .where(Proposal.id == proposal_id)).first()
    if row is None:
        raise NotFound("error.not_found", entity="proposal")
    if not row.rateable:
        raise DomainError("cm.error.not_rateable", field="proposal_id")
    return row


def standing(engine: Engine, *, ticket: str | None, proposal_id: int) -> Standing:
    """For the rating page once the number is verified: whether it may rate this project and on what footing."""
    now, today = clock.utcnow(), clock.today()
    with transaction(engine) as session:
        key = verification.resident_key(session, ticket, now)
        row = _rateable_row(session, proposal_id)
        rated = session.execute(select(ProposalRating.id).where(ProposalRating.proposal_id == row.id,
                                                                ProposalRating.voter_key == key)).first() is not None
        if _proposed_here(session, key, row.community_id):
            return Standing(rules.PROPOSER, rated, row.community)
        declared = _declaration(session, key)
    if declared is not None and declared.community_id == row.community_id:
        return Standing(rules.RESIDENT, rated, row.community)
    if declared is not None and _unlocked_on(declared.declared_on) > today:
        return Standing(None, rated, row.community, declared.name, _unlocked_on(declared.declared_on))
    return Standing(None, rated, row.community, declared.name if declared is not None else None)


def _basis(session, key: bytes, row, payload: RatingCreate, now: datetime, today: date) -> tuple[str, bool]:
    """On what footing this number rates the project, declaring its residence when it must; (basis, declared now).
    Refused with the field named when it neither proposed here nor lives here."""
    if _proposed_here(session, key, row.community_id):
        return rules.PROPOSER, False
    declared = _declaration(session, key)
    if declared is not None and declared.community_id == row.community_id:
        return rules.RESIDENT, False
    if payload.residence_id is None:
        raise DomainError("cm.error.residence_required", field="residence_id", community=row.community)
    if payload.residence_id != row.community_id:
        raise DomainError("cm.error.residence_other", field="residence_id", community=row.community)
    if not payload.resident:
        raise DomainError("cm.error.resident_unconfirmed", field="resident", community=row.community)
    values = {"community_id": row.community_id, "declared_at": now, "declared_on": today}
    if declared is None:
        inserted = session.execute(dialect_insert(session, ResidentDeclaration).values(voter_key=key, **values)
                                   .on_conflict_do_nothing(index_elements=["voter_key"])
                                   .returning(ResidentDeclaration.voter_key)).first()
    else:  # another community, declared long enough ago: the resident moved
        inserted = session.execute(update(ResidentDeclaration).where(
            ResidentDeclaration.voter_key == key,
            ResidentDeclaration.declared_on <= today - timedelta(days=rules.RESIDENCE_DAYS)).values(**values)
            .returning(ResidentDeclaration.voter_key)).first()
    if inserted is not None:
        return rules.RESIDENT, True
    declared = _declaration(session, key)  # another tab declared first, or the year is not over
    if declared is not None and declared.community_id == row.community_id:
        return rules.RESIDENT, False
    raise DomainError("cm.error.declared_elsewhere", field="residence_id", community=declared.name,
                      day=_unlocked_on(declared.declared_on).isoformat())


def rateable_condition():
    """SQL over Proposal joined to its Project and CommunityProject: adopted and carried out."""
    return carried_out_condition(Project.stage, CommunityProject.stage) & (Proposal.state == rules.ADOPTED)


def rate(engine: Engine, *, ticket: str | None, data: dict) -> RatingReceipt:
    """A verified resident's rating of a carried-out proposal's project: once per number and proposal, by a number
    that proposed in its community or lives there (declared now, or before)."""
    payload = validate(RatingCreate, data)
    now, today = clock.utcnow(), clock.today()
    with transaction(engine) as session:
        key = verification.resident_key(session, ticket, now)
        row = _rateable_row(session, payload.proposal_id)
        if session.execute(select(ProposalRating.id).where(ProposalRating.proposal_id == row.id,
                                                           ProposalRating.voter_key == key)).first() is not None:
            raise DomainError("cm.error.already_rated")  # before asking where they live; the UNIQUE key stays the rule
        basis, declared = _basis(session, key, row, payload, now, today)
        statement = dialect_insert(session, ProposalRating).values(
            proposal_id=row.id, community_id=row.community_id, street_id=row.street_id, district_id=row.district_id,
            voter_key=key, score=payload.score, comment=payload.comment, basis=basis, rated_at=now, rated_on=today,
        ).on_conflict_do_nothing(index_elements=["proposal_id", "voter_key"]).returning(ProposalRating.id)
        rating_id = session.execute(statement).scalar_one_or_none()
        if rating_id is None:
            raise DomainError("cm.error.already_rated")  # the transaction's end undoes a declaration made for it
        audit.record(session, actor=None, username=PUBLIC_USERNAME, action="proposal_rate", entity="proposal",
                     entity_id=row.id, after={"score": payload.score, "comment": payload.comment is not None,
                                              "basis": basis, "declared": declared})
    return RatingReceipt(rating_id, row.id, basis)


RATING_COLUMNS = ["proposal_id", "ratings", "rating_mean"]
COMMENT_COLUMNS = ["proposal_id", "score", "comment", "rated_on"]


def summaries(engine: Engine, proposal_ids: list[int]) -> pd.DataFrame:
    """Per proposal of `proposal_ids` with ratings: their count and mean."""
    if not proposal_ids:
        return pd.DataFrame(columns=RATING_COLUMNS)
    query = (select(ProposalRating.proposal_id, func.count().label("ratings"),
                    func.avg(ProposalRating.score).label("rating_mean"))
             .where(ProposalRating.proposal_id.in_([int(i) for i in proposal_ids]))
             .group_by(ProposalRating.proposal_id))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=RATING_COLUMNS)
    frame["rating_mean"] = frame["rating_mean"].astype(float)
    return frame


def comments(engine: Engine, proposal_ids: list[int], per_proposal: int = rules.RATING_COMMENTS_SHOWN) -> pd.DataFrame:
    """The newest `per_proposal` ratings with a comment of each proposal, newest first."""
    if not proposal_ids:
        return pd.DataFrame(columns=COMMENT_COLUMNS)
    ranked = (select(ProposalRating.proposal_id, ProposalRating.score, ProposalRating.comment, ProposalRating.rated_on,
                     func.row_number().over(partition_by=ProposalRating.proposal_id,
                                            order_by=(ProposalRating.rated_at.desc(), ProposalRating.id.desc()))
                     .label("n"))
              .where(ProposalRating.proposal_id.in_([int(i) for i in proposal_ids]),
                     ProposalRating.comment.is_not(None))
              .subquery())
    query = (select(ranked.c.proposal_id, ranked.c.score, ranked.c.comment, ranked.c.rated_on)
             .where(ranked.c.n <= per_proposal).order_by(ranked.c.proposal_id, ranked.c.n))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=COMMENT_COLUMNS)
