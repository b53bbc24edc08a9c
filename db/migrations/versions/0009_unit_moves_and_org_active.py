"""A unit can move to another parent of its level, and each move is kept (unit_move: from, to, when, by whom,
why). A social organization can be deactivated (已注销) instead of deleted: every existing one stays active.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_move",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("from_parent_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("to_parent_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
    )
    op.create_index("ix_unit_move_unit_id", "unit_move", ["unit_id"])
    with op.batch_alter_table("social_org") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("social_org") as batch:
        batch.drop_column("active")
    op.drop_index("ix_unit_move_unit_id", table_name="unit_move")
    op.drop_table("unit_move")
