"""The social-organization register's records: signed 承诺书 / 责任书 (with an optional scanned copy), so
that "一社一承诺书一责任书" coverage counts documents rather than ticks, and the annual inspection (年检)
of each year. Existing ticks stay as they are; the letters recorded from now on keep them in step.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_letter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("social_org.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("scan", sa.LargeBinary(), nullable=True),
        sa.Column("scan_type", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.UniqueConstraint("org_id", "kind", "signed_on", name="uq_org_letter_day"),
    )
    op.create_index("ix_org_letter_org_id", "org_letter", ["org_id"])
    op.create_table(
        "org_inspection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("social_org.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("simplified", sa.Boolean(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.UniqueConstraint("org_id", "year", name="uq_org_inspection_year"),
    )
    op.create_index("ix_org_inspection_org_id", "org_inspection", ["org_id"])


def downgrade() -> None:
    op.drop_index("ix_org_inspection_org_id", table_name="org_inspection")
    op.drop_table("org_inspection")
    op.drop_index("ix_org_letter_org_id", table_name="org_letter")
    op.drop_table("org_letter")
