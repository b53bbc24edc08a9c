"""社区营造: residents' proposals (with the per-day quota and the one-time codes verifying a resident's phone),
the community council's meetings and agenda items with their decisions, and the projects a community carries
out itself (居民自治项目).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _org_ids() -> list[sa.Column]:
    """The unit a row belongs to, with its street and district copied (scope filters need no join)."""
    return [sa.Column("community_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
            sa.Column("street_id", sa.Integer(), nullable=False),
            sa.Column("district_id", sa.Integer(), nullable=False)]


def _index_ids(table: str) -> None:
    for column in ("street_id", "district_id"):
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "proposal_quota",
        sa.Column("voter_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("voter_key", "day"),
    )
    op.create_table(
        "resident_challenge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("voter_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("ip_key", sa.LargeBinary(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_hash", sa.String(length=64), nullable=True),
        sa.UniqueConstraint("ticket_hash"),
    )
    op.create_index("ix_resident_challenge_voter", "resident_challenge", ["voter_key", "id"])
    op.create_table(
        "council_meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_org_ids(),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        *(sa.Column(kind, sa.Integer(), nullable=False)
          for kind in ("residents", "committee", "social_orgs", "units", "grid_council")),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_council_meeting_community_id", "council_meeting", ["community_id"])
    op.create_index("ix_council_meeting_held_on", "council_meeting", ["held_on"])
    _index_ids("council_meeting")
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=10), nullable=False),
        *_org_ids(),
        sa.Column("theme", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("estimate", sa.BigInteger(), nullable=True),
        sa.Column("proposer_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("route", sa.String(length=12), nullable=True),
        sa.Column("funding_source", sa.String(length=16), nullable=True),
        sa.Column("funding_amount", sa.BigInteger(), nullable=True),
        sa.Column("funded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=True),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_proposal_community_state", "proposal", ["community_id", "state"])
    op.create_index("ix_proposal_project_id", "proposal", ["project_id"])
    op.create_index("ix_proposal_submitted_on", "proposal", ["submitted_on"])
    _index_ids("proposal")
    op.create_table(
        "community_project",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False),
        *_org_ids(),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("proposal_id"),
    )
    op.create_index("ix_community_project_community_id", "community_project", ["community_id"])
    _index_ids("community_project")
    op.create_table(
        "council_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("council_meeting.id"), nullable=False),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_against", sa.Integer(), nullable=True),
        sa.Column("votes_abstain", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.UniqueConstraint("meeting_id", "proposal_id", name="uq_council_item"),
    )
    op.create_index("ix_council_item_meeting_id", "council_item", ["meeting_id"])
    op.create_index("ix_council_item_proposal_id", "council_item", ["proposal_id"])


def downgrade() -> None:
    for table in ("council_item", "community_project", "proposal", "council_meeting", "resident_challenge",
                  "proposal_quota"):
        op.drop_table(table)  # their indexes go with them
