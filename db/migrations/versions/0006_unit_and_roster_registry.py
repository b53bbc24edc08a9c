"""Org units and the grid roster become registries that admins edit: a unit can be deactivated (never
deleted: projects, reports and accounts point at it), and a roster entry has a phone number and can be
deactivated too.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("org_unit") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("grid_staff") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("grid_staff") as batch:
        batch.drop_column("active")
        batch.drop_column("phone")
    with op.batch_alter_table("org_unit") as batch:
        batch.drop_column("active")
