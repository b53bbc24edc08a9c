"""Stored review figures of open vote campaigns up to a watermark (db/voting/rollups.py): the summary row's
highest vote id included, and the voter and address keys already counted, so a read of an open campaign adds
only the votes above the watermark. Nothing is filled here: the first read of an open campaign folds its votes
in; closed and published campaigns keep their figures as 0019 stored them (watermark 0, unused).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vote_rollup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("watermark", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "vote_rollup_key",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), primary_key=True),
        sa.Column("kind", sa.SmallInteger(), primary_key=True),
        sa.Column("key", sa.LargeBinary(length=32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("vote_rollup_key")
    with op.batch_alter_table("vote_rollup", schema=None) as batch_op:
        batch_op.drop_column("watermark")
