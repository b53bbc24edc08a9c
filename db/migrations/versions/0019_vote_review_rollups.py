"""Stored review figures of closed vote campaigns (db/voting/rollups.py): the summary, votes per case and
local hour, and each case's busy addresses, so the review and the overview read a closed campaign's few
hundred stored rows instead of all its votes. Filled here for every closed or published campaign; from
then on closing stores them, voiding and publication recompute them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# db.voting.rules.ADDRESS_MIN as it stands at this revision
ADDRESS_MIN = 30
CLOSED = "c.status IN ('closed', 'published')"
VALID = "SUM(CASE WHEN v.status = 'valid' THEN 1 ELSE 0 END)"


def upgrade() -> None:
    op.create_table(
        "vote_rollup",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), primary_key=True),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("void", sa.Integer(), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("addresses", sa.Integer(), nullable=False),
    )
    op.create_table(
        "vote_hour_rollup",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("vote_case.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("hour", sa.SmallInteger(), primary_key=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
    )
    op.create_table(
        "vote_address_rollup",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("vote_case.id"), primary_key=True),
        sa.Column("ip_key", sa.LargeBinary(length=16), primary_key=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
    )
    # data steps in plain SQL (a revision never imports the app's models, which move on)
    op.execute(
        "INSERT INTO vote_rollup (campaign_id, valid, void, voters, addresses) "
        f"SELECT c.id, COALESCE({VALID}, 0), COALESCE(SUM(CASE WHEN v.status = 'void' THEN 1 ELSE 0 END), 0), "
        "COUNT(DISTINCT v.voter_key), COUNT(DISTINCT v.ip_key) "
        f"FROM campaign c LEFT JOIN vote v ON v.campaign_id = c.id WHERE {CLOSED} GROUP BY c.id")
    op.execute(
        "INSERT INTO vote_hour_rollup (campaign_id, case_id, day, hour, votes, valid) "
        f"SELECT v.campaign_id, v.case_id, v.day, v.hour, COUNT(*), {VALID} "
        f"FROM vote v JOIN campaign c ON c.id = v.campaign_id WHERE {CLOSED} "
        "GROUP BY v.campaign_id, v.case_id, v.day, v.hour")
    op.execute(
        "INSERT INTO vote_address_rollup (campaign_id, case_id, ip_key, votes, valid) "
        f"SELECT v.campaign_id, v.case_id, v.ip_key, COUNT(*), {VALID} "
        f"FROM vote v JOIN campaign c ON c.id = v.campaign_id WHERE {CLOSED} "
        f"GROUP BY v.campaign_id, v.case_id, v.ip_key HAVING COUNT(*) >= {ADDRESS_MIN}")


def downgrade() -> None:
    op.drop_table("vote_address_rollup")
    op.drop_table("vote_hour_rollup")
    op.drop_table("vote_rollup")
