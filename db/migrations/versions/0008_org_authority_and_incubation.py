"""A social organization's registration authority and its incubation: the base it was incubated at, when it
entered and when it graduated ("出壳"). The party organization may now be a 联合党支部 (joint branch).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("social_org") as batch:
        batch.add_column(sa.Column("authority", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("incubation_base", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("incubated_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("graduated_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("social_org") as batch:
        for column in ("graduated_on", "incubated_on", "incubation_base", "authority"):
            batch.drop_column(column)
