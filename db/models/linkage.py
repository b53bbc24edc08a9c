"""五社联动 (社区居委、社会组织、社会工作、社区企业、社区基金): the registries the other areas do not hold — the
social-work stations (社工站) and their social workers, the community enterprises engaged, and the linkage's own
activities. Incubated community organizations are the social-organization register's; funds, rounds and their
activities are the funds area's. Coded values are db/linkage/rules.py's; rows carry their community, street and
district ids so scope filters need no join."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel


class SocialWorkStation(SQLModel, table=True):
    """A 社工站 of a street (镇街社工站) or a community (村居社工点), run by a social-work agency."""

    __tablename__ = "social_work_station"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    unit_id: int = Field(foreign_key="org_unit.id")
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    operator: str = Field(max_length=100)  # the social-work agency (社工机构) running it
    opened_on: date
    active: bool = True
    created_at: datetime
    updated_at: datetime


class SocialWorker(SQLModel, table=True):
    """A social worker of a station, serving a community or the street (`unit_id`)."""

    __tablename__ = "social_worker"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=30)
    station_id: int = Field(foreign_key="social_work_station.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id")
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    qualification: str = Field(max_length=16)  # rules.QUALIFICATIONS
    joined_on: date
    active: bool = True
    created_at: datetime
    updated_at: datetime


class CommunityEnterprise(SQLModel, table=True):
    """A community enterprise engaged in the linkage: what it contributes, and the value it gives directly (outside
    the community funds, whose donations are in their ledgers already)."""

    __tablename__ = "community_enterprise"
    __table_args__ = (CheckConstraint("value >= 0", name="ck_community_enterprise_value"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    unit_id: int = Field(foreign_key="org_unit.id")
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int = Field(index=True)
    district_id: int = Field(index=True)
    contribution_kind: str = Field(max_length=12)  # rules.CONTRIBUTION_KINDS
    contribution: str = Field(max_length=200)  # what it contributes, in words
    value: int = Field(default=0, sa_type=BigInteger)  # yuan given directly (money, or goods and services valued)
    engaged_on: date = Field(index=True)
    active: bool = True
    created_at: datetime
    updated_at: datetime


class LinkageActivity(SQLModel, table=True):
    """An activity of the linkage held in a community or street (the 微创投 projects' own are grant_activity's)."""

    __tablename__ = "linkage_activity"
    __table_args__ = (CheckConstraint("participants >= 0 AND people_served >= 0 AND problems_solved >= 0",
                                      name="ck_linkage_activity_counts"),
                      Index("ix_linkage_activity_street_held", "street_id", "held_on"))

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=80)
    organizer: str = Field(max_length=12)  # rules.ORGANIZERS: which party held it
    unit_id: int = Field(foreign_key="org_unit.id")
    community_id: Optional[int] = Field(default=None, index=True)
    street_id: int
    district_id: int = Field(index=True)
    held_on: date = Field(index=True)
    participants: int
    people_served: int
    problems_solved: int
    recorded_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime
