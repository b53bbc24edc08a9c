"""居民评事: once an adopted proposal's project is carried out (the community's own done, a pipeline project past
implementation), residents rate it 1-5 with an optional comment. A resident is verified by phone exactly as for a
proposal (db/community/verification.py: the vote's number rules, HMAC key and throttles; no number stored), and
rates a proposal once: the UNIQUE (proposal, voter key) of an insert that ignores conflicts, so two tabs at once
cannot both rate. The public reads the average, the count and the comments, as text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db import audit, clock
from db.community import rules, verification
from db.community.proposals import PUBLIC_USERNAME, carried_out_condition
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.models.community import CommunityProject, Proposal, ProposalRating
from db.models.pipeline import Project
from db.validation import BlankIsNone, RowId, validate
from db.voting.codes import dialect_insert


class RatingCreate(BaseModel):
    proposal_id: RowId
    score: Annotated[int, Field(ge=rules.SCORES[0], le=rules.SCORES[-1])]
    comment: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=rules.RATING_COMMENT_MAX)


@dataclass(frozen=True)
class RatingReceipt:
    rating_id: int
    proposal_id: int


def rateable_condition():
    """SQL over Proposal joined to its Project and CommunityProject: adopted and carried out."""
    return carried_out_condition(Project.stage, CommunityProject.stage) & (Proposal.state == rules.ADOPTED)


def rate(engine: Engine, *, ticket: str | None, data: dict) -> RatingReceipt:
    """A verified resident's rating of a carried-out proposal's project: once per number and proposal."""
    payload = validate(RatingCreate, data)
    now, today = clock.utcnow(), clock.today()
    with transaction(engine) as session:
        key = verification.resident_key(session, ticket, now)
        row = session.execute(
            select(Proposal.id, Proposal.community_id, Proposal.street_id, Proposal.district_id,
                   rateable_condition().label("rateable"))
            .outerjoin(Project, Project.id == Proposal.project_id)
            .outerjoin(CommunityProject, CommunityProject.proposal_id == Proposal.id)
            .where(Proposal.id == payload.proposal_id)).first()
        if row is None:
            raise NotFound("error.not_found", entity="proposal")
        if not row.rateable:
            raise DomainError("cm.error.not_rateable", field="proposal_id")
        statement = dialect_insert(session, ProposalRating).values(
            proposal_id=row.id, community_id=row.community_id, street_id=row.street_id, district_id=row.district_id,
            voter_key=key, score=payload.score, comment=payload.comment, rated_at=now, rated_on=today,
        ).on_conflict_do_nothing(index_elements=["proposal_id", "voter_key"]).returning(ProposalRating.id)
        rating_id = session.execute(statement).scalar_one_or_none()
        if rating_id is None:
            raise DomainError("cm.error.already_rated")
        audit.record(session, actor=None, username=PUBLIC_USERNAME, action="proposal_rate", entity="proposal",
                     entity_id=row.id, after={"score": payload.score, "comment": payload.comment is not None})
    return RatingReceipt(rating_id, row.id)


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
