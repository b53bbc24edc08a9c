"""社区基金: a community's or street's fund with its running balance, and its ledger of entries (donations in,
grants out, reversals), never edited. Coded values are db/funds/rules.py's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel


class CommunityFund(SQLModel, table=True):
    """One fund per community or street. `balance` is kept by the ledger's writes in their own transaction;
    the CHECK is the last word when two writes race for the same money."""

    __tablename__ = "community_fund"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_community_fund_balance"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    unit_id: int = Field(foreign_key="org_unit.id", unique=True)
    # the unit's community (none for a street's fund), street and district, so scope filters need no join
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    founded_on: date
    custodian: str = Field(max_length=100)  # the charity holding the account
    managers: str = Field(default="", max_length=200)
    balance: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime
    updated_at: datetime


class FundEntry(SQLModel, table=True):
    """A ledger entry. `amount` is signed on its side: a donation is +a on "in", a grant +a on "out", and a
    reversal -a on the side of the entry it reverses (each entry reversed at most once: the UNIQUE)."""

    __tablename__ = "fund_entry"
    __table_args__ = (CheckConstraint("amount <> 0", name="ck_fund_entry_amount"),
                      Index("ix_fund_entry_fund_month", "fund_id", "entry_month"))

    id: Optional[int] = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="community_fund.id")
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    kind: str = Field(max_length=12)
    side: str = Field(max_length=3)
    amount: int = Field(sa_type=BigInteger)
    entry_on: date
    entry_month: str = Field(max_length=7)  # "YYYY-MM" of entry_on, what the by-month figures group by
    donor_kind: Optional[str] = Field(default=None, max_length=20)  # donations and their reversals
    donor_name: Optional[str] = Field(default=None, max_length=60)  # None: anonymous
    project_id: Optional[int] = Field(default=None, foreign_key="community_project.id", index=True)
    purpose: Optional[str] = Field(default=None, max_length=200)
    reason: Optional[str] = Field(default=None, max_length=200)  # a reversal's
    reverses_id: Optional[int] = Field(default=None, foreign_key="fund_entry.id", unique=True)
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime


class GrantRound(SQLModel, table=True):
    """A 微创投 round: a pool put in by its sources (community funds, the district special fund), a window for
    applications, who may apply, the cap per project and the co-funding rule. `pool_balance` is what is not yet
    disbursed, moved like a fund's balance (a conditional UPDATE, the CHECK behind it)."""

    __tablename__ = "grant_round"
    __table_args__ = (CheckConstraint("pool_balance >= 0", name="ck_grant_round_pool_balance"),
                      CheckConstraint("pool_balance <= pool", name="ck_grant_round_pool_spent"),
                      CheckConstraint("closes_on >= opens_on", name="ck_grant_round_window"))

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    unit_id: int = Field(foreign_key="org_unit.id")  # who runs it: a district or a street
    district_id: int = Field(index=True)
    street_id: Optional[int] = Field(default=None, index=True)
    opens_on: date
    closes_on: date
    cap: int = Field(sa_type=BigInteger)  # the most one project may be granted
    cofund_pct: int = 0  # the applicant brings at least this share of the project's budget from elsewhere
    registrations: str = Field(max_length=24)  # "registered,filed": who may apply (rules.REGISTRATIONS)
    org_kinds: str = Field(max_length=80)  # "community,...": kinds of social organization (pipeline ORG_KINDS)
    min_grade: Optional[int] = None  # a valid rating of at least this many A's, where required
    pool: int = Field(default=0, sa_type=BigInteger)
    pool_balance: int = Field(default=0, sa_type=BigInteger)
    closed_on: Optional[date] = None
    closing_report: Optional[str] = Field(default=None, max_length=2000)
    created_at: datetime
    updated_at: datetime


class GrantSource(SQLModel, table=True):
    """Money put into a round's pool: from a community fund (a grant out of its ledger, `fund_entry_id`) or from
    the district special fund (区社会组织培育发展专项资金)."""

    __tablename__ = "grant_source"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_grant_source_amount"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="grant_round.id", index=True)
    kind: str = Field(max_length=8)  # fund | special
    fund_id: Optional[int] = Field(default=None, foreign_key="community_fund.id", index=True)
    fund_entry_id: Optional[int] = Field(default=None, foreign_key="fund_entry.id", unique=True)
    amount: int = Field(sa_type=BigInteger)
    added_on: date
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime


class GrantApplication(SQLModel, table=True):
    """A social organization's application to a round, entered by staff; reviewed on a scorecard (an Evaluation
    with `application_id`), then funded or not with the reason, its agreement signed, paid from the pool in
    disbursements (never beyond the award: the CHECK), its activities reported, and its closing report."""

    __tablename__ = "grant_application"
    __table_args__ = (CheckConstraint("disbursed >= 0 AND disbursed <= awarded", name="ck_grant_application_paid"),
                      CheckConstraint("requested > 0 AND requested <= budget", name="ck_grant_application_ask"),
                      Index("ix_grant_application_round_status", "round_id", "status"))

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="grant_round.id")
    code: str = Field(max_length=24, unique=True)
    org_id: int = Field(foreign_key="social_org.id", index=True)
    title: str = Field(max_length=80)
    theme: str = Field(max_length=20)
    unit_id: int = Field(foreign_key="org_unit.id")  # where it is delivered: a community or street
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    budget: int = Field(sa_type=BigInteger)
    requested: int = Field(sa_type=BigInteger)
    submitted_on: date
    status: str = Field(default="submitted", max_length=12)  # rules.APPLICATION_STATUSES
    decision_reason: Optional[str] = Field(default=None, max_length=200)
    decided_on: Optional[date] = None
    awarded: int = Field(default=0, sa_type=BigInteger)
    agreement_no: Optional[str] = Field(default=None, max_length=40)
    agreement_on: Optional[date] = None
    disbursed: int = Field(default=0, sa_type=BigInteger)
    closed_on: Optional[date] = None
    closing_report: Optional[str] = Field(default=None, max_length=2000)
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: datetime


class GrantDisbursement(SQLModel, table=True):
    __tablename__ = "grant_disbursement"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_grant_disbursement_amount"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="grant_round.id", index=True)
    application_id: int = Field(foreign_key="grant_application.id", index=True)
    amount: int = Field(sa_type=BigInteger)
    paid_on: date
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime


class GrantActivity(SQLModel, table=True):
    """An activity a funded project reports: when, where, how many took part, people served, problems solved."""

    __tablename__ = "grant_activity"
    __table_args__ = (CheckConstraint("participants >= 0 AND people_served >= 0 AND problems_solved >= 0",
                                      name="ck_grant_activity_counts"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="grant_round.id", index=True)
    application_id: int = Field(foreign_key="grant_application.id", index=True)
    held_on: date
    place: str = Field(max_length=100)
    participants: int
    people_served: int
    problems_solved: int
    problems: Optional[str] = Field(default=None, max_length=300)  # which problems
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime
