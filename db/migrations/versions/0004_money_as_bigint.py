"""Project amounts as BIGINT, so one amount may reach 100 亿元 (int4 stops at about 21 亿).

SQLite stores every INTEGER in up to 8 bytes already; there the table is rebuilt only so that its declared
types match the models (one copy of the project table).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MONEY = [("budget", False), ("contract_amount", True), ("disbursed", False), ("personnel_cost", False),
         ("management_fee", False)]


def _alter(old, new) -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        for name, nullable in MONEY:
            batch_op.alter_column(name, existing_type=old, type_=new, existing_nullable=nullable)


def upgrade() -> None:
    _alter(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _alter(sa.BigInteger(), sa.Integer())  # fails on PostgreSQL if an amount above int4 was stored
