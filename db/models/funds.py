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
