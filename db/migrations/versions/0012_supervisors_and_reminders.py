"""The third-party supervisor pool (persons and agencies, specialties, ties to organizations) and its draws;
an assignment names the draw it came from or the reason it was made by hand (assignments made before this
revision get the reason 导入, "imported"); notifications of due work and the days reminders ran.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

IMPORTED_REASON = "导入"  # db.scorecards.rules.IMPORTED_REASON, frozen here as this revision wrote it


def upgrade() -> None:
    op.create_table(
        "supervisor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=20), nullable=False, unique=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=True),
        sa.Column("agency_org_id", sa.Integer(), sa.ForeignKey("social_org.id"), nullable=True),
        sa.Column("qualification", sa.String(length=80), nullable=False),
        sa.Column("qualified_until", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True, unique=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_supervisor_name", "supervisor", ["name"])
    op.create_index("ix_supervisor_district_id", "supervisor", ["district_id"])
    op.create_index("ix_supervisor_agency_org_id", "supervisor", ["agency_org_id"])
    op.create_table(
        "supervisor_specialty",
        sa.Column("supervisor_id", sa.Integer(), sa.ForeignKey("supervisor.id"), primary_key=True),
        sa.Column("code", sa.String(length=16), primary_key=True),
    )
    op.create_index("ix_supervisor_specialty_code", "supervisor_specialty", ["code"])
    op.create_table(
        "supervisor_tie",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("supervisor_id", sa.Integer(), sa.ForeignKey("supervisor.id"), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("social_org.id"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
    )
    op.create_index("ix_supervisor_tie_supervisor_id", "supervisor_tie", ["supervisor_id"])
    op.create_index("ix_supervisor_tie_org_id", "supervisor_tie", ["org_id"])
    op.create_table(
        "supervisor_draw",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("org_unit.id"), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id"), nullable=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("social_org.id"), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=60), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("specialties", sa.String(length=200), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("conflict_years", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("excluded", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("replaces_id", sa.Integer(), sa.ForeignKey("supervisor_draw.id"), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=False),
    )
    for column in ("purpose", "district_id", "evaluation_id", "org_id"):
        op.create_index(f"ix_supervisor_draw_{column}", "supervisor_draw", [column])
    op.create_index("uq_supervisor_draw_current", "supervisor_draw", ["subject"], unique=True,
                    sqlite_where=sa.text("status = 'current'"), postgresql_where=sa.text("status = 'current'"))
    op.create_table(
        "supervisor_draw_member",
        sa.Column("draw_id", sa.Integer(), sa.ForeignKey("supervisor_draw.id"), primary_key=True),
        sa.Column("supervisor_id", sa.Integer(), sa.ForeignKey("supervisor.id"), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_supervisor_draw_member_supervisor_id", "supervisor_draw_member", ["supervisor_id"])

    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("draw_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assigned_reason", sa.String(length=200), nullable=True))
        batch.create_foreign_key("fk_assignment_draw_id", "supervisor_draw", ["draw_id"], ["id"])
        batch.create_index("ix_assignment_draw_id", ["draw_id"])
    # every panel so far was put together by hand, outside this app's draws
    op.execute(sa.text("UPDATE assignment SET assigned_reason = :reason WHERE draw_id IS NULL")
               .bindparams(reason=IMPORTED_REASON))
    with op.batch_alter_table("assignment") as batch:
        batch.create_check_constraint("ck_assignment_source", "draw_id IS NOT NULL OR assigned_reason IS NOT NULL")

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=24), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("user_id", "kind", "entity", "entity_id", "period", name="uq_notification_once"),
    )
    op.create_index("ix_notification_user_read", "notification", ["user_id", "read_at"])
    op.create_table(
        "reminder_run",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminder_run")
    op.drop_index("ix_notification_user_read", table_name="notification")
    op.drop_table("notification")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_constraint("ck_assignment_source", type_="check")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_index("ix_assignment_draw_id")
        batch.drop_constraint("fk_assignment_draw_id", type_="foreignkey")
        batch.drop_column("assigned_reason")
        batch.drop_column("draw_id")
    op.drop_index("ix_supervisor_draw_member_supervisor_id", table_name="supervisor_draw_member")
    op.drop_table("supervisor_draw_member")
    op.drop_index("uq_supervisor_draw_current", table_name="supervisor_draw")
    for column in ("purpose", "district_id", "evaluation_id", "org_id"):
        op.drop_index(f"ix_supervisor_draw_{column}", table_name="supervisor_draw")
    op.drop_table("supervisor_draw")
    op.drop_index("ix_supervisor_tie_org_id", table_name="supervisor_tie")
    op.drop_index("ix_supervisor_tie_supervisor_id", table_name="supervisor_tie")
    op.drop_table("supervisor_tie")
    op.drop_index("ix_supervisor_specialty_code", table_name="supervisor_specialty")
    op.drop_table("supervisor_specialty")
    for column in ("agency_org_id", "district_id", "name"):
        op.drop_index(f"ix_supervisor_{column}", table_name="supervisor")
    op.drop_table("supervisor")
