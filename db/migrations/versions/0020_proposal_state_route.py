"""Index proposals by state and route.

The home page's cold run at city scale counted proposals waiting for triage and those adopted and not
started by scanning all 50,000 proposals. (A covering index of completed evaluations for the
contractors' league table was tried and left out: it sped the league up by 30 ms and slowed the
overview's two other reads of completed evaluations by as much, visiting the rows out of order.)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_state_route", ["state", "route"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_state_route")
