"""Index indicator values by period and code (covering grid_id and value).

The overview reads one month of two indicators for every grid in scope; without this index SQLite
scanned the whole value table (3.5 million rows at city scale, 0.3 s per read).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_value_period_code", ["period", "code", "grid_id", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_value_period_code")
