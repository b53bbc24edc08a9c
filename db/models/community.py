"""社区营造: residents' proposals, the per-day proposal quota, the one-time codes that verify a resident's
phone, the community council's meetings and their agenda items, and the projects a community carries out
itself (居民自治项目). Coded values are db/community/rules.py's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.voting import Digest


class Proposal(SQLModel, table=True):
    """A resident's proposal (居民提案). Its text is the resident's and is published as typed, never as markup."""

    __tablename__ = "proposal"
    __table_args__ = (Index("ix_proposal_community_state", "community_id", "state"),
                      Index("ix_proposal_proposer", "proposer_key", "community_id"),
                      # the overview's two alerts count proposals waiting or adopted whatever the scope (0020)
                      Index("ix_proposal_state_route", "state", "route"))

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)  # the tracking code the resident follows it by
    # the community it concerns, and its street and district copied, so scope filters need no join
    community_id: int = Field(foreign_key="org_unit.id")
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    theme: str = Field(max_length=16)
    title: str = Field(max_length=60)
    problem: str = Field(sa_column=Column(Text, nullable=False))
    suggestion: str = Field(sa_column=Column(Text, nullable=False))
    estimate: Optional[int] = Field(default=None, sa_type=BigInteger)  # the resident's guess, whole yuan
    # HMAC of the proposer's number (db.voting.codes.voter_key): never the number
    proposer_key: bytes = Field(sa_column=Column(Digest(32), nullable=False))
    submitted_at: datetime
    submitted_on: date = Field(index=True)  # the district's calendar day
    state: str = Field(max_length=12)
    state_changed_at: datetime
    merged_into_id: Optional[int] = Field(default=None, foreign_key="proposal.id")
    # the official answer, published with the proposal
    answer: Optional[str] = Field(default=None, sa_column=Column(Text))
    answered_at: Optional[datetime] = None
    # once adopted: how it is carried out and with what money
    route: Optional[str] = Field(default=None, max_length=12)  # pipeline | community
    funding_source: Optional[str] = Field(default=None, max_length=16)
    funding_amount: Optional[int] = Field(default=None, sa_type=BigInteger)
    funded_at: Optional[datetime] = None
    project_id: Optional[int] = Field(default=None, foreign_key="project.id", index=True)  # the pipeline's


class ProposalQuota(SQLModel, table=True):
    """Proposals a verified number has submitted on a day, raised only by a conditional upsert."""

    __tablename__ = "proposal_quota"

    voter_key: bytes = Field(sa_column=Column(Digest(32), primary_key=True))
    day: date = Field(primary_key=True)
    used: int = 0


class ResidentChallenge(SQLModel, table=True):
    """A one-time code sent to a resident's number; once verified it carries the ticket (hashed) that lets the
    number submit proposals for a while."""

    __tablename__ = "resident_challenge"
    __table_args__ = (Index("ix_resident_challenge_voter", "voter_key", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    voter_key: bytes = Field(sa_column=Column(Digest(32), nullable=False))
    ip_key: bytes = Field(sa_column=Column(Digest(16), nullable=False))
    code_hash: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    verified_at: Optional[datetime] = None
    ticket_hash: Optional[str] = Field(default=None, max_length=64, unique=True)


class CouncilMeeting(SQLModel, table=True):
    """A meeting of a community's council (议事会), recorded after it was held: who took part, by kind."""

    __tablename__ = "council_meeting"

    id: Optional[int] = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="org_unit.id", index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    held_on: date = Field(index=True)
    place: str = Field(max_length=100)
    # participants by kind (db.community.rules.PARTICIPANTS)
    residents: int = 0
    committee: int = 0
    social_orgs: int = 0
    units: int = 0
    grid_council: int = 0
    minutes: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime


class CouncilItem(SQLModel, table=True):
    """A proposal on a meeting's agenda and, once decided, the decision with its votes."""

    __tablename__ = "council_item"
    __table_args__ = (UniqueConstraint("meeting_id", "proposal_id", name="uq_council_item"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="council_meeting.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    position: int = 1
    outcome: Optional[str] = Field(default=None, max_length=12)  # adopted | not_adopted | deferred
    votes_for: Optional[int] = None
    votes_against: Optional[int] = None
    votes_abstain: Optional[int] = None
    note: Optional[str] = Field(default=None, max_length=500)
    decided_at: Optional[datetime] = None
    decided_by: Optional[int] = Field(default=None, foreign_key="app_user.id")


class CommunityProject(SQLModel, table=True):
    """An adopted proposal the community carries out itself (居民自治项目): planned, in progress, done."""

    __tablename__ = "community_project"

    id: Optional[int] = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", unique=True)
    community_id: int = Field(foreign_key="org_unit.id", index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    stage: str = Field(max_length=12)
    started_on: Optional[date] = None
    done_on: Optional[date] = None
    created_at: datetime
    updated_at: datetime


class ProposalRating(SQLModel, table=True):
    """A resident's rating of a carried-out proposal's project (居民评事): 1-5 and a comment, one per verified
    number and proposal (the UNIQUE key, written by an insert that ignores conflicts); the number is kept only as
    the vote's HMAC key. The comment is the resident's text, published as typed."""

    __tablename__ = "proposal_rating"
    __table_args__ = (UniqueConstraint("proposal_id", "voter_key", name="uq_proposal_rating"),
                      CheckConstraint("score BETWEEN 1 AND 5", name="ck_proposal_rating_score"))

    id: Optional[int] = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    community_id: int = Field(foreign_key="org_unit.id")
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    voter_key: bytes = Field(sa_column=Column(Digest(32), nullable=False))
    score: int
    comment: Optional[str] = Field(default=None, sa_column=Column(Text))
    # on what footing (db.community.rules.RATING_BASES): the number proposed in this community (proposer) or
    # declared living there (resident); empty for ratings made before the rule (migration 0018)
    basis: Optional[str] = Field(default=None, max_length=12)
    rated_at: datetime
    rated_on: date = Field(index=True)  # the district's calendar day


class ResidentDeclaration(SQLModel, table=True):
    """The community a verified number declared living in, to rate its projects (居民评事): one per number, so a
    number cannot be declared in every community; another may be declared RESIDENCE_DAYS after this one."""

    __tablename__ = "resident_declaration"

    voter_key: bytes = Field(sa_column=Column(Digest(32), primary_key=True))
    community_id: int = Field(foreign_key="org_unit.id")
    declared_at: datetime
    declared_on: date  # the district's calendar day


class ProposalPhoto(SQLModel, table=True):
    """A photo with a proposal (at most three), as the app re-encoded it: a JPEG with no metadata, never the file
    the resident sent."""

    __tablename__ = "proposal_photo"
    __table_args__ = (UniqueConstraint("proposal_id", "position", name="uq_proposal_photo"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    position: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    width: int
    height: int
