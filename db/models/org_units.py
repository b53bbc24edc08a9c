"""The org-unit hierarchy (root → district → street/town → community → grid) and the grid roster."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

LEVELS = ("root", "district", "street", "community", "grid")
COMMUNITY_TYPES = ("城乡结合型", "物业弃管型", "传统老旧型", "高档封闭型")


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_unit"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=100)
    level: str = Field(max_length=16, index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="org_unit.id", index=True)
    # Ancestor ids down to the unit itself (DHIS2's "org unit structure"): scope checks and
    # roll-ups become one equality filter or GROUP BY instead of a recursive walk.
    district_id: Optional[int] = Field(default=None, index=True)
    street_id: Optional[int] = Field(default=None, index=True)
    community_id: Optional[int] = Field(default=None, index=True)
    kind: Optional[str] = Field(default=None, max_length=16)  # street|town, or the community type
    pilot: bool = False
    households: Optional[int] = None
    population: Optional[int] = None
    sort_order: int = 0
    # never deleted (projects, reports and accounts point at it): a unit that no longer exists is deactivated
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class GridStaff(SQLModel, table=True):
    __tablename__ = "grid_staff"

    id: Optional[int] = Field(default=None, primary_key=True)
    grid_id: int = Field(foreign_key="org_unit.id", index=True)
    role: str = Field(max_length=8)  # leader|member
    name: str = Field(max_length=40)
    duty: Optional[str] = Field(default=None, max_length=40)
    phone: Optional[str] = Field(default=None, max_length=20)  # shown masked except to admins
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class UnitMove(SQLModel, table=True):
    """A unit put under another parent of the same level (a street to another district, a community to another
    street, a grid to another community): the unit's history and the page's list of its moves."""

    __tablename__ = "unit_move"

    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    from_parent_id: int = Field(foreign_key="org_unit.id")
    to_parent_id: int = Field(foreign_key="org_unit.id")
    moved_at: datetime
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    username: str = Field(max_length=40)
    reason: str = Field(max_length=200)
