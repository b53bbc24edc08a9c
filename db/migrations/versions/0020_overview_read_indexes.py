"""Index proposals by state and route, and completed evaluations with their results.

The home page's cold run at city scale: counting proposals waiting for triage or adopted and not started
scanned all 50,000 proposals, twice; the contractors' league table read every completed evaluation's
wide row for its project and result. Both now read an index.

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
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_status_results", ["status", "project_id", "scorecards", "result"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_status_results")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_state_route")
