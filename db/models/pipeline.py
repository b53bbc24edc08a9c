"""Purchased-service projects and their history, the social organizations that deliver them, their
ratings, and the purchase catalogue (指导目录)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Column, LargeBinary, Text, UniqueConstraint, true
from sqlmodel import Field, SQLModel


class SocialOrg(SQLModel, table=True):
    __tablename__ = "social_org"

    id: Optional[int] = Field(default=None, primary_key=True)
    # unified social credit code for registered organizations, the filing number for filed ones
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120, index=True)
    kind: str = Field(max_length=32, index=True)  # db.pipeline.rules.ORG_KINDS
    registration: str = Field(max_length=16, index=True)  # registered (登记) | filed (备案)
    domain: str = Field(max_length=32, index=True)
    district_id: int = Field(foreign_key="org_unit.id", index=True)
    street_id: Optional[int] = Field(default=None, foreign_key="org_unit.id", index=True)
    founded_on: Optional[date] = None
    commitment_letter: bool = False  # 自律与诚信建设承诺书
    responsibility_letter: bool = False  # 自律与诚信建设责任书
    party_org: str = Field(default="none", max_length=8)  # branch | joint | group | none
    incubated: bool = False  # came out of an incubator (孵化基地)
    authority: Optional[str] = Field(default=None, max_length=60)  # the registration or filing authority
    incubation_base: Optional[str] = Field(default=None, max_length=80)  # the 孵化基地 it was incubated at
    incubated_on: Optional[date] = None  # entered the base
    graduated_on: Optional[date] = None  # left it, "出壳"
    # The newest rating, kept in step by db.pipeline.social_orgs.record_rating (the only writer of ratings), so
    # lists, eligibility and compliance checks read one row instead of ranking the history each time.
    grade: Optional[int] = Field(default=None, index=True)
    rated_on: Optional[date] = None
    grade_valid_until: Optional[date] = Field(default=None, index=True)
    # never deleted (projects and ratings point at it): a deregistered organization (已注销) is deactivated
    active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class OrgRating(SQLModel, table=True):
    __tablename__ = "org_rating"
    __table_args__ = (UniqueConstraint("org_id", "rated_on", name="uq_org_rating_day"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="social_org.id", index=True)
    grade: int  # 1..5 (A's)
    score: Optional[int] = None  # out of 1000, as the civil-affairs assessment scores
    rated_on: date
    valid_until: date
    recorded_by: Optional[str] = Field(default=None, max_length=40)
    note: Optional[str] = Field(default=None, max_length=200)


class OrgLetter(SQLModel, table=True):
    """A signed 自律与诚信建设承诺书 or 责任书 ("一社一承诺书一责任书"): the coverage figures count these, and the
    organization's two flags are kept in step by db.pipeline.org_records.record_letter (the only writer)."""

    __tablename__ = "org_letter"
    __table_args__ = (UniqueConstraint("org_id", "kind", "signed_on", name="uq_org_letter_day"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="social_org.id", index=True)
    kind: str = Field(max_length=16)  # commitment | responsibility
    signed_on: date
    scan: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))  # PDF or image, optional
    scan_type: Optional[str] = Field(default=None, max_length=16)
    recorded_by: Optional[str] = Field(default=None, max_length=40)


class OrgInspection(SQLModel, table=True):
    """The annual inspection (年检) of a year: 合格 / 基本合格 / 不合格; an organization with a valid rating of
    3A or better may go through the simplified procedure (简易程序)."""

    __tablename__ = "org_inspection"
    __table_args__ = (UniqueConstraint("org_id", "year", name="uq_org_inspection_year"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="social_org.id", index=True)
    year: int
    result: str = Field(max_length=16)  # passed | basically_passed | failed
    simplified: bool = False
    inspected_on: date
    note: Optional[str] = Field(default=None, max_length=200)
    recorded_by: Optional[str] = Field(default=None, max_length=40)


class CatalogueCategory(SQLModel, table=True):
    __tablename__ = "catalogue_category"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    name: str = Field(max_length=60)
    name_en: str = Field(max_length=80)
    sort_order: int = 0


class CatalogueItem(SQLModel, table=True):
    __tablename__ = "catalogue_item"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    category_id: int = Field(foreign_key="catalogue_category.id", index=True)
    name: str = Field(max_length=60)
    description: Optional[str] = Field(default=None, max_length=200)
    sort_order: int = 0


class Project(SQLModel, table=True):
    __tablename__ = "project"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    title: str = Field(max_length=120)
    summary: Optional[str] = Field(default=None, sa_column=Column(Text))
    domain: str = Field(max_length=32, index=True)
    # NULL means the service is outside the catalogue; off_catalogue_service then names it
    catalogue_item_id: Optional[int] = Field(default=None, foreign_key="catalogue_item.id", index=True)
    off_catalogue_service: Optional[str] = Field(default=None, max_length=120)
    batch: str = Field(max_length=60, index=True)  # the release, e.g. 2019年项目发布会
    year: int = Field(index=True)
    buyer: str = Field(max_length=60)  # the purchasing body (购买主体)
    org_unit_id: int = Field(foreign_key="org_unit.id")
    # copied from org_unit when the project is written, so scope filters and roll-ups need no join
    district_id: int = Field(index=True)
    street_id: int = Field(index=True)
    community_id: Optional[int] = Field(default=None, index=True)
    contractor_org_id: Optional[int] = Field(default=None, foreign_key="social_org.id", index=True)
    # money in whole yuan, BIGINT: one amount may reach db.validation.MONEY_MAX (100 亿, above int4)
    budget: int = Field(sa_type=BigInteger)
    contract_amount: Optional[int] = Field(default=None, sa_type=BigInteger)
    disbursed: int = Field(default=0, sa_type=BigInteger)
    personnel_cost: int = Field(default=0, sa_type=BigInteger)
    management_fee: int = Field(default=0, sa_type=BigInteger)
    stage: str = Field(max_length=16, index=True)  # db.pipeline.rules.STATES
    stage_entered_on: date
    stage_due: Optional[date] = Field(default=None, index=True)  # NULL once closed or terminated
    started_on: Optional[date] = None
    ended_on: Optional[date] = None
    target_beneficiaries: Optional[int] = None
    actual_beneficiaries: Optional[int] = None
    # why a contractor below the rating threshold was accepted at tender, when it was
    rating_exception: Optional[str] = Field(default=None, max_length=500)
    termination_reason: Optional[str] = Field(default=None, max_length=500)
    created_at: datetime
    updated_at: datetime


class StageEvent(SQLModel, table=True):
    """The pipeline history: every registration, edit, move and stop of a project."""

    __tablename__ = "stage_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str = Field(max_length=16)  # create | advance | back | terminate | edit
    from_stage: Optional[str] = Field(default=None, max_length=16)
    to_stage: str = Field(max_length=16)
    at: datetime
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    username: str = Field(max_length=40)
    note: Optional[str] = Field(default=None, max_length=500)
