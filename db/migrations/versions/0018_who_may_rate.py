"""社区营造: who may rate a carried-out project (居民评事). A rating records on what footing it was made — the number
proposed in the project's community (proposer, checked against the proposals' HMAC keys) or declared living there
(resident) — and a number's declared community is kept, one per number, so it cannot be declared in every
community: another may be declared only a year later. Ratings made before the rule keep an empty basis. The
proposals' HMAC keys get an index, so "did this number propose here?" is one lookup.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal_rating") as batch:
        batch.add_column(sa.Column("basis", sa.String(length=12), nullable=True))
    op.create_index("ix_proposal_proposer", "proposal", ["proposer_key", "community_id"])
    op.create_table(
        "resident_declaration",
        sa.Column("voter_key", sa.LargeBinary(length=32), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("resident_declaration")
    op.drop_index("ix_proposal_proposer", table_name="proposal")
    with op.batch_alter_table("proposal_rating") as batch:
        batch.drop_column("basis")
