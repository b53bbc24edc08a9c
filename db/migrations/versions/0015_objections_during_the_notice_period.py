"""Objections during 公示: vote_objection (a verified number's objection to a winning case, and the admin's
answer), and the columns with which an upheld objection voids a case's result (vote_case.voided_at, its reason
and who voided it). Also the daily digest outside the app: each user's own contact (notification_contact) and
one digest per user and day with its delivery state (notification_digest).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vote_objection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("vote_case.id"), nullable=False),
        sa.Column("objector_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("voided_case", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("campaign_id", "objector_key", "slot", name="uq_objection_slot"),
        sa.UniqueConstraint("case_id", "objector_key", name="uq_objection_case_once"),
    )
    op.create_index("ix_vote_objection_campaign", "vote_objection", ["campaign_id", "answered_at"])
    with op.batch_alter_table("vote_case") as batch:
        batch.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("voided_by", sa.Integer(), nullable=True))
    op.create_table(
        "notification_contact",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), primary_key=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notification_digest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("user_id", "day", name="uq_notification_digest_day"),
    )
    op.create_index("ix_notification_digest_state", "notification_digest", ["state", "attempts"])


def downgrade() -> None:
    op.drop_index("ix_notification_digest_state", table_name="notification_digest")
    op.drop_table("notification_digest")
    op.drop_table("notification_contact")
    with op.batch_alter_table("vote_case") as batch:
        batch.drop_column("voided_by")
        batch.drop_column("void_reason")
        batch.drop_column("voided_at")
    op.drop_index("ix_vote_objection_campaign", table_name="vote_objection")
    op.drop_table("vote_objection")
