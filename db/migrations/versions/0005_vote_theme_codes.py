"""Vote case themes as codes (education, volunteering, environment, culture) instead of their Chinese
names, so that a message key never holds data; the labels live with the other texts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CODES = {"社区教育": "education", "志愿者服务": "volunteering", "环境保护": "environment", "文化营造": "culture"}


def _rename(mapping: dict[str, str]) -> None:
    case = sa.table("vote_case", sa.column("theme", sa.String))
    for old, new in mapping.items():
        op.execute(case.update().where(case.c.theme == old).values(theme=new))


def upgrade() -> None:
    _rename(CODES)


def downgrade() -> None:
    _rename({code: name for name, code in CODES.items()})
