"""The third-party supervisor pool (第三方监督员资源库, seed 000): persons and agencies with their specialties,
qualification and ties to social organizations, and the panels drawn from it for an evaluation, an annual
inspection or an enforcement check (db/supervisors/)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Supervisor(SQLModel, table=True):
    """A person or an agency in one district's pool; never deleted (draws point at it), deactivated instead."""

    __tablename__ = "supervisor"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)  # <district code>-<4 digits>, given when added
    name: str = Field(max_length=80, index=True)
    kind: str = Field(max_length=8)  # db.supervisors.rules.KINDS
    district_id: int = Field(foreign_key="org_unit.id", index=True)  # the pool it belongs to
    # where a person works (an agency is its own name); linked to the register when it is a social organization,
    # so a draw can exclude the contractor's own people
    agency: Optional[str] = Field(default=None, max_length=120)
    agency_org_id: Optional[int] = Field(default=None, foreign_key="social_org.id", index=True)
    qualification: str = Field(max_length=80)  # e.g. 中级社会工作师, 注册会计师
    qualified_until: date
    # the evaluator account of a person, so a draw for an evaluation becomes that evaluation's assignments
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id", unique=True)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    note: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime
    updated_at: datetime


class SupervisorSpecialty(SQLModel, table=True):
    __tablename__ = "supervisor_specialty"

    supervisor_id: int = Field(foreign_key="supervisor.id", primary_key=True)
    code: str = Field(max_length=16, primary_key=True, index=True)  # db.supervisors.rules.SPECIALTIES


class SupervisorTie(SQLModel, table=True):
    """A tie to a social organization that rules a supervisor out of its panels: engaged by it (a consultancy,
    a job; for CONFLICT_YEARS after it ended) or a conflict the supervisor declared (always)."""

    __tablename__ = "supervisor_tie"

    id: Optional[int] = Field(default=None, primary_key=True)
    supervisor_id: int = Field(foreign_key="supervisor.id", index=True)
    org_id: int = Field(foreign_key="social_org.id", index=True)
    kind: str = Field(max_length=10)  # engaged | declared
    ended_on: Optional[date] = None  # an engagement's last day; None while it runs
    note: str = Field(max_length=200)
    recorded_at: datetime
    recorded_by: str = Field(max_length=40)


class SupervisorDraw(SQLModel, table=True):
    """One draw: what it was for, the rule's inputs (pool, date, specialties, size, seed), every candidate with
    the load the workload rule read, everyone excluded with the reason, and the result (SupervisorDrawMember).
    A redraw supersedes it and names it (replaces_id); the earlier one is kept as it was."""

    __tablename__ = "supervisor_draw"
    __table_args__ = (
        # one current draw per subject (an evaluation; an organization's inspection of a year; an enforcement case)
        sa.Index("uq_supervisor_draw_current", "subject", unique=True,
                 sqlite_where=sa.text("status = 'current'"), postgresql_where=sa.text("status = 'current'")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=12, index=True)  # evaluation | inspection | enforcement
    subject: str = Field(max_length=120)  # db.supervisors.rules.subject_key
    district_id: int = Field(foreign_key="org_unit.id", index=True)
    evaluation_id: Optional[int] = Field(default=None, foreign_key="evaluation.id", index=True)
    org_id: Optional[int] = Field(default=None, foreign_key="social_org.id", index=True)  # contractor or inspected
    year: Optional[int] = None  # an inspection's year
    reference: Optional[str] = Field(default=None, max_length=60)  # an enforcement case's reference
    size: int
    specialties: str = Field(max_length=200)  # the codes a candidate needed one of, comma-separated
    drawn_on: date  # qualifications and ties are judged on this day
    seed: int = Field(sa_type=sa.BigInteger)
    conflict_years: int
    candidates: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # JSON [[id, load], ...] in id order
    excluded: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # JSON [[id, reason], ...]
    status: str = Field(default="current", max_length=12)  # current | superseded
    replaces_id: Optional[int] = Field(default=None, foreign_key="supervisor_draw.id")
    reason: Optional[str] = Field(default=None, max_length=500)  # why it was redrawn
    drawn_at: datetime
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    username: str = Field(max_length=40)


class SupervisorDrawMember(SQLModel, table=True):
    """A supervisor a draw picked, in the order picked; a current draw's members are engagements."""

    __tablename__ = "supervisor_draw_member"

    draw_id: int = Field(foreign_key="supervisor_draw.id", primary_key=True)
    supervisor_id: int = Field(foreign_key="supervisor.id", primary_key=True, index=True)
    position: int
