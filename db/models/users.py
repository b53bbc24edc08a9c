"""Accounts, the audit log, and the seed marker."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

ROLES = ("admin", "leader", "evaluator", "street", "community")


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True, index=True)
    display_name: str = Field(max_length=60)
    password_hash: str = Field(max_length=80)
    role: str = Field(max_length=16)
    scope_id: int = Field(foreign_key="org_unit.id")
    active: bool = True
    failed_logins: int = 0
    failed_window_start: Optional[datetime] = None
    locked_until: Optional[datetime] = None
    # Cookies issued before this instant are refused: logout, password change and reset move it.
    tokens_valid_after: datetime
    created_at: datetime


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    user_id: Optional[int] = Field(default=None, index=True)
    username: str = Field(max_length=40, index=True)
    action: str = Field(max_length=40, index=True)
    entity: str = Field(max_length=40)
    entity_id: Optional[str] = Field(default=None, max_length=64)
    before: Optional[str] = Field(default=None, sa_column=Column(Text))
    after: Optional[str] = Field(default=None, sa_column=Column(Text))


class SeedMark(SQLModel, table=True):
    """One row per seed part loaded, so `python -m seed_data.loader` twice changes nothing."""

    __tablename__ = "seed_mark"

    part: str = Field(primary_key=True, max_length=40)
    loaded_at: datetime
