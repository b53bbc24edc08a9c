"""The top-ten case vote: campaigns, their cases, votes, one-time codes, per-voter quotas and send throttles;
then the input models writes are validated through and the public model of a campaign."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Literal, Optional
from zoneinfo import ZoneInfo

from pydantic import field_validator
from sqlalchemy import Column, Index, LargeBinary, SmallInteger, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db import settings
from db.validation import OneLine, Stripped

CAMPAIGN_STATUSES = ("draft", "open", "closed", "published")


class Digest(LargeBinary):
    """Bytes stored as they are: sqlite3 and psycopg both take `bytes`, and LargeBinary's per-value
    wrapper would cost more than the rest of a bulk-loaded vote row."""

    cache_ok = True

    def bind_processor(self, dialect):
        return None

# the four themes of the Jinjiang top-ten selection (社区教育, 志愿者服务, 环境保护, 文化营造), as codes; the
# labels are vote.theme.<code> in components/texts/voting.py
THEMES = ("education", "volunteering", "environment", "culture")


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    description: Optional[str] = Field(default=None, sa_column=Column(Text))
    year: int
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)  # the district running it: the scope
    opens_at: datetime
    closes_at: datetime
    status: str = Field(default="draft", max_length=12, index=True)
    # the rules; they freeze when the first vote is cast (rules_frozen_at)
    per_voter_per_day: int = 3
    per_case_per_day: int = 1
    expert_weight: int = 70
    public_weight: int = 30
    show_live_tally: bool = False
    notice_days: int = 7
    rules_frozen_at: Optional[datetime] = None
    opened_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    published_at: Optional[datetime] = None
    notice_until: Optional[date] = None
    created_at: datetime


class VoteCase(SQLModel, table=True):
    """A case in a campaign ("case" is an SQL keyword, hence the table name)."""

    __tablename__ = "vote_case"
    __table_args__ = (UniqueConstraint("campaign_id", "title", name="uq_vote_case_title"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    # The pipeline area's project, when the case came from one; no foreign key, so this area does
    # not depend on that table existing.
    project_id: Optional[int] = Field(default=None, index=True)
    title: str = Field(max_length=80)
    organization: str = Field(max_length=60)
    theme: str = Field(max_length=16, index=True)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    expert_score: Optional[float] = None
    sort_order: int = 0
    # frozen at publication, so the published list never moves afterwards
    final_rank: Optional[int] = None
    final_votes: Optional[int] = None
    final_score: Optional[float] = None
    winner: bool = False
    # an upheld objection during 公示 may void the case's result (db/voting/objections.py): the case leaves
    # the ranking, which is recomputed and republished; the row and its votes are kept
    voided_at: Optional[datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=200)
    voided_by: Optional[int] = None


class Vote(SQLModel, table=True):
    """One vote; never deleted (a voided vote keeps its row, its reason and who voided it)."""

    __tablename__ = "vote"
    __table_args__ = (
        # The per-case limit is this constraint: a voter's k-th vote for a case on a day takes
        # case_slot k (1..per_case_per_day; with the default rule of one vote per case per day the
        # slot is always 1, i.e. UNIQUE(campaign_id, case_id, voter_key, day)).
        UniqueConstraint("campaign_id", "case_id", "voter_key", "day", "case_slot", name="uq_vote_once"),
        # Covering indexes of the tallies, the hourly review and the address review.
        Index("ix_vote_case_hour", "campaign_id", "case_id", "day", "hour", "status"),
        Index("ix_vote_case_address", "campaign_id", "case_id", "ip_key", "status"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    case_id: int = Field(foreign_key="vote_case.id")
    # HMAC-SHA256 digest of the E.164 number, never the number (raw bytes: half the size of hex)
    voter_key: bytes = Field(sa_column=Column(Digest(32), nullable=False))
    day: date  # the district's calendar day of the vote
    case_slot: int = 1
    cast_at: datetime
    hour: int = Field(sa_column=Column(SmallInteger, nullable=False))  # local hour 0..23, for review
    ip_key: bytes = Field(sa_column=Column(Digest(16), nullable=False))  # HMAC of the client address
    status: str = Field(default="valid", max_length=8)  # valid|void
    void_reason: Optional[str] = Field(default=None, max_length=200)
    voided_at: Optional[datetime] = None
    voided_by: Optional[int] = None


class VoteRollup(SQLModel, table=True):
    """A campaign's review figures (db/voting/rollups.py), so the review and the overview read a few rows
    instead of every vote: a closed one's stored when it closes, an open one's up to its watermark. Its hourly buckets and address groups are the two
    tables below; voters and addresses are distinct counts over all its votes, valid or void."""

    __tablename__ = "vote_rollup"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    valid: int
    void: int
    voters: int
    addresses: int
    # an open campaign's figures cover its votes with id <= watermark; a read adds the few above it
    watermark: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class VoteRollupKey(SQLModel, table=True):
    """The voter keys (kind 1) and address keys (kind 2) an open campaign's stored figures have counted, so a
    read counts a key of the votes above the watermark as new by one primary-key lookup. Dropped at closing."""

    __tablename__ = "vote_rollup_key"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    kind: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    key: bytes = Field(sa_column=Column(Digest(32), primary_key=True))


class VoteHourRollup(SQLModel, table=True):
    """Votes and valid votes per case and local hour of a closed campaign."""

    __tablename__ = "vote_hour_rollup"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    case_id: int = Field(foreign_key="vote_case.id", primary_key=True)
    day: date = Field(primary_key=True)
    hour: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    votes: int
    valid: int


class VoteAddressRollup(SQLModel, table=True):
    """Per case, the client addresses that cast enough votes to be looked at (db.voting.review.ADDRESS_MIN or
    more, counting void ones too, so a void never moves a group in or out): the address review's candidates."""

    __tablename__ = "vote_address_rollup"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    case_id: int = Field(foreign_key="vote_case.id", primary_key=True)
    ip_key: bytes = Field(sa_column=Column(Digest(16), primary_key=True))
    votes: int
    valid: int


class Objection(SQLModel, table=True):
    """An objection (异议) to a winning case, filed during the campaign's 公示 by a number verified as for the
    vote, and the admin's answer, published with the results. One per number and case; a number's objections
    in a campaign take slots 1..the limit, so the limit is a unique key, not a count read first."""

    __tablename__ = "vote_objection"
    __table_args__ = (
        UniqueConstraint("case_id", "objector_key", name="uq_objection_case_once"),
        UniqueConstraint("campaign_id", "objector_key", "slot", name="uq_objection_slot"),
        Index("ix_vote_objection_campaign", "campaign_id", "answered_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    case_id: int = Field(foreign_key="vote_case.id")
    objector_key: bytes = Field(sa_column=Column(Digest(32), nullable=False))  # the voter key: never the number
    slot: int
    grounds: str = Field(sa_column=Column(Text, nullable=False))  # as typed; only ever shown as text
    filed_at: datetime
    decision: Optional[str] = Field(default=None, max_length=12)  # upheld|dismissed, once answered
    answer: Optional[str] = Field(default=None, sa_column=Column(Text))
    answered_at: Optional[datetime] = None
    answered_by: Optional[int] = None
    voided_case: bool = False  # the answer voided the case's result


class VoteQuota(SQLModel, table=True):
    """Votes a voter has used on a day: the daily quota, raised only by a conditional upsert."""

    __tablename__ = "vote_quota"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    voter_key: bytes = Field(sa_column=Column(Digest(32), primary_key=True))
    day: date = Field(primary_key=True)
    used: int = 0


class VoteChallenge(SQLModel, table=True):
    """A one-time code sent to a number; once verified it carries the ballot ticket (hashed)."""

    __tablename__ = "vote_challenge"
    __table_args__ = (Index("ix_vote_challenge_voter", "campaign_id", "voter_key", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    voter_key: bytes = Field(sa_column=Column(Digest(32), nullable=False))
    ip_key: bytes = Field(sa_column=Column(Digest(16), nullable=False))
    code_hash: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    verified_at: Optional[datetime] = None
    ticket_hash: Optional[str] = Field(default=None, max_length=64, unique=True)


class VoteThrottle(SQLModel, table=True):
    """Code sends counted per number or client address and time window, shared by every app instance."""

    __tablename__ = "vote_throttle"

    kind: str = Field(max_length=8, primary_key=True)  # number|address
    key: str = Field(max_length=64, primary_key=True)
    period: int = Field(primary_key=True)  # window length in seconds
    window: int = Field(primary_key=True)  # epoch seconds // period; for the day, the local day's ordinal
    count: int = 0
    until: datetime = Field(index=True)  # end of the window, for clean-up


# --- input and public models: input is validated through these (model_validate), never by
# filling a table class, which skips validation

def _local_aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(settings.timezone()))
    return value.astimezone(timezone.utc) if isinstance(value, datetime) else value


class CampaignCreate(SQLModel):
    title: Annotated[str, Stripped] = Field(min_length=4, max_length=120)
    description: Annotated[Optional[str], Stripped] = Field(default=None, max_length=1000)
    year: int = Field(ge=2000, le=2100)
    org_unit_id: int = Field(gt=0)
    opens_at: datetime
    closes_at: datetime
    per_voter_per_day: int = Field(default=3, ge=1, le=30)
    per_case_per_day: int = Field(default=1, ge=1, le=5)
    expert_weight: int = Field(default=70, ge=0, le=100)
    public_weight: int = Field(default=30, ge=0, le=100)
    show_live_tally: bool = False
    notice_days: int = Field(default=7, ge=1, le=30)

    @field_validator("opens_at", "closes_at", mode="after")
    @classmethod
    def _utc(cls, value):
        return _local_aware(value)


class CampaignUpdate(CampaignCreate):
    """An edit sends every field again, under the same rules (once votes exist the rules are frozen)."""


class CaseCreate(SQLModel):
    title: Annotated[str, OneLine] = Field(min_length=2, max_length=80)
    organization: Annotated[str, OneLine] = Field(min_length=2, max_length=60)
    theme: Literal[THEMES]  # type: ignore[valid-type]
    summary: Annotated[str, OneLine] = Field(default="", max_length=600)
    project_id: Optional[int] = Field(default=None, gt=0)


class CaseUpdate(CaseCreate):
    """An edit of a case sends every field again, under the same rules."""


class ExpertScoreUpdate(SQLModel):
    expert_score: float = Field(ge=0, le=100)


class CampaignPublic(SQLModel):
    id: int
    title: str
    description: Optional[str]
    year: int
    org_unit_id: int
    opens_at: datetime
    closes_at: datetime
    status: str
    per_voter_per_day: int
    per_case_per_day: int
    expert_weight: int
    public_weight: int
    show_live_tally: bool
    notice_days: int
    rules_frozen_at: Optional[datetime]
    published_at: Optional[datetime]
    notice_until: Optional[date]
    phase: str  # draft|upcoming|open|ended|closed|published, against the server clock
