"""社区营造: residents' ratings of a carried-out proposal's project (居民评事: 1-5 and a comment), one per
verified number and proposal, the number kept only as the vote's HMAC key; and up to three photos with a
proposal, as the app re-encoded them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposal_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("proposal_id", "voter_key", name="uq_proposal_rating"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_proposal_rating_score"),
    )
    for column in ("proposal_id", "street_id", "district_id", "rated_on"):
        op.create_index(f"ix_proposal_rating_{column}", "proposal_rating", [column])
    op.create_table(
        "proposal_photo",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.UniqueConstraint("proposal_id", "position", name="uq_proposal_photo"),
    )
    op.create_index("ix_proposal_photo_proposal_id", "proposal_photo", ["proposal_id"])


def downgrade() -> None:
    op.drop_table("proposal_photo")
    op.drop_table("proposal_rating")
