"""五社联动: the social-work stations (社工站) and their social workers, the community enterprises engaged, and the
linkage's own activities (participants, people served, problems solved).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _placed() -> list[sa.Column]:
    return [sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
            sa.Column("community_id", sa.Integer(), nullable=True),
            sa.Column("street_id", sa.Integer(), nullable=False),
            sa.Column("district_id", sa.Integer(), nullable=False)]


def _stamps() -> list[sa.Column]:
    return [sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "social_work_station",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        *_placed(),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        *_stamps(),
    )
    op.create_table(
        "social_worker",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("station_id", sa.Integer(), sa.ForeignKey("social_work_station.id"), nullable=False),
        *_placed(),
        sa.Column("qualification", sa.String(length=16), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        *_stamps(),
    )
    op.create_table(
        "community_enterprise",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        *_placed(),
        sa.Column("contribution_kind", sa.String(length=12), nullable=False),
        sa.Column("contribution", sa.String(length=200), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("engaged_on", sa.Date(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("value >= 0", name="ck_community_enterprise_value"),
    )
    op.create_table(
        "linkage_activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("organizer", sa.String(length=12), nullable=False),
        *_placed(),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("people_served", sa.Integer(), nullable=False),
        sa.Column("problems_solved", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("participants >= 0 AND people_served >= 0 AND problems_solved >= 0",
                           name="ck_linkage_activity_counts"),
    )
    for table in ("social_work_station", "social_worker", "community_enterprise", "linkage_activity"):
        for column in ("community_id", "district_id") + (("street_id",) if table != "linkage_activity" else ()):
            op.create_index(f"ix_{table}_{column}", table, [column])
    op.create_index("ix_social_worker_station_id", "social_worker", ["station_id"])
    op.create_index("ix_community_enterprise_engaged_on", "community_enterprise", ["engaged_on"])
    op.create_index("ix_linkage_activity_held_on", "linkage_activity", ["held_on"])
    op.create_index("ix_linkage_activity_street_held", "linkage_activity", ["street_id", "held_on"])


def downgrade() -> None:
    for table in ("linkage_activity", "community_enterprise", "social_worker", "social_work_station"):
        op.drop_table(table)
