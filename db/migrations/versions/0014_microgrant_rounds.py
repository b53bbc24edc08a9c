"""微创投: rounds of micro-grants with their pool (never below zero) and sources, applications reviewed on the
scorecard area's evaluations (an evaluation is of a project or of an application), disbursements and the
activities funded projects report.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _user() -> sa.Column:
    return sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "grant_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=False),
        sa.Column("cofund_pct", sa.Integer(), nullable=False),
        sa.Column("registrations", sa.String(length=24), nullable=False),
        sa.Column("org_kinds", sa.String(length=80), nullable=False),
        sa.Column("min_grade", sa.Integer(), nullable=True),
        sa.Column("pool", sa.BigInteger(), nullable=False),
        sa.Column("pool_balance", sa.BigInteger(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_report", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("pool_balance >= 0", name="ck_grant_round_pool_balance"),
        sa.CheckConstraint("pool_balance <= pool", name="ck_grant_round_pool_spent"),
        sa.CheckConstraint("closes_on >= opens_on", name="ck_grant_round_window"),
    )
    op.create_index("ix_grant_round_district_id", "grant_round", ["district_id"])
    op.create_index("ix_grant_round_street_id", "grant_round", ["street_id"])
    op.create_table(
        "grant_source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("grant_round.id"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("fund_id", sa.Integer(), sa.ForeignKey("community_fund.id"), nullable=True),
        sa.Column("fund_entry_id", sa.Integer(), sa.ForeignKey("fund_entry.id"), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        _user(),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("fund_entry_id"),
        sa.CheckConstraint("amount > 0", name="ck_grant_source_amount"),
    )
    op.create_index("ix_grant_source_round_id", "grant_source", ["round_id"])
    op.create_index("ix_grant_source_fund_id", "grant_source", ["fund_id"])
    op.create_table(
        "grant_application",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("grant_round.id"), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("social_org.id"), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("theme", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("requested", sa.BigInteger(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decision_reason", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("awarded", sa.BigInteger(), nullable=False),
        sa.Column("agreement_no", sa.String(length=40), nullable=True),
        sa.Column("agreement_on", sa.Date(), nullable=True),
        sa.Column("disbursed", sa.BigInteger(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_report", sa.String(length=2000), nullable=True),
        _user(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("code"),
        sa.CheckConstraint("disbursed >= 0 AND disbursed <= awarded", name="ck_grant_application_paid"),
        sa.CheckConstraint("requested > 0 AND requested <= budget", name="ck_grant_application_ask"),
    )
    op.create_index("ix_grant_application_round_status", "grant_application", ["round_id", "status"])
    for column in ("org_id", "community_id", "street_id", "district_id"):
        op.create_index(f"ix_grant_application_{column}", "grant_application", [column])
    op.create_table(
        "grant_disbursement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("grant_round.id"), nullable=False),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("grant_application.id"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        _user(),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_grant_disbursement_amount"),
    )
    op.create_table(
        "grant_activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("grant_round.id"), nullable=False),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("grant_application.id"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("people_served", sa.Integer(), nullable=False),
        sa.Column("problems_solved", sa.Integer(), nullable=False),
        sa.Column("problems", sa.String(length=300), nullable=True),
        _user(),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("participants >= 0 AND people_served >= 0 AND problems_solved >= 0",
                           name="ck_grant_activity_counts"),
    )
    for table in ("grant_disbursement", "grant_activity"):
        op.create_index(f"ix_{table}_round_id", table, ["round_id"])
        op.create_index(f"ix_{table}_application_id", table, ["application_id"])
    with op.batch_alter_table("evaluation") as batch:
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_evaluation_application_id", "grant_application", ["application_id"], ["id"])
        batch.create_unique_constraint("uq_evaluation_application_id", ["application_id"])
        batch.create_check_constraint("ck_evaluation_subject", "(project_id IS NULL) <> (application_id IS NULL)")


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM score WHERE assignment_id IN (SELECT a.id FROM assignment a JOIN evaluation e "
                       "ON e.id = a.evaluation_id WHERE e.application_id IS NOT NULL)"))
    op.execute(sa.text("DELETE FROM assignment WHERE evaluation_id IN "
                       "(SELECT id FROM evaluation WHERE application_id IS NOT NULL)"))
    op.execute(sa.text("DELETE FROM evaluation WHERE application_id IS NOT NULL"))
    with op.batch_alter_table("evaluation") as batch:
        batch.drop_constraint("ck_evaluation_subject", type_="check")
        batch.drop_constraint("uq_evaluation_application_id", type_="unique")
        batch.drop_constraint("fk_evaluation_application_id", type_="foreignkey")
        batch.drop_column("application_id")
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
    for table in ("grant_activity", "grant_disbursement", "grant_application", "grant_source", "grant_round"):
        op.drop_table(table)  # their indexes go with them
