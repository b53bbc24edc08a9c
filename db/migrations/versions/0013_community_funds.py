"""社区基金: community funds (one per community or street, with a balance that may never go below zero) and
their ledger of entries, never edited.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _scope_ids() -> list[sa.Column]:
    return [sa.Column("community_id", sa.Integer(), nullable=True),
            sa.Column("street_id", sa.Integer(), nullable=False),
            sa.Column("district_id", sa.Integer(), nullable=False)]


def _index_ids(table: str) -> None:
    for column in ("community_id", "street_id", "district_id"):
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "community_fund",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        *_scope_ids(),
        sa.Column("founded_on", sa.Date(), nullable=False),
        sa.Column("custodian", sa.String(length=100), nullable=False),
        sa.Column("managers", sa.String(length=200), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("unit_id"),
        sa.CheckConstraint("balance >= 0", name="ck_community_fund_balance"),
    )
    _index_ids("community_fund")
    op.create_table(
        "fund_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fund_id", sa.Integer(), sa.ForeignKey("community_fund.id"), nullable=False),
        *_scope_ids(),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("side", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("entry_on", sa.Date(), nullable=False),
        sa.Column("entry_month", sa.String(length=7), nullable=False),
        sa.Column("donor_kind", sa.String(length=20), nullable=True),
        sa.Column("donor_name", sa.String(length=60), nullable=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("community_project.id"), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("reverses_id", sa.Integer(), sa.ForeignKey("fund_entry.id"), nullable=True),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("reverses_id"),
        sa.CheckConstraint("amount <> 0", name="ck_fund_entry_amount"),
    )
    _index_ids("fund_entry")
    op.create_index("ix_fund_entry_fund_month", "fund_entry", ["fund_id", "entry_month"])
    op.create_index("ix_fund_entry_project_id", "fund_entry", ["project_id"])


def downgrade() -> None:
    for table in ("fund_entry", "community_fund"):
        op.drop_table(table)  # their indexes go with them
