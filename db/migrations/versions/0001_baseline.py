"""Baseline: the schema of the models when migrations were introduced.

Written out in full (not derived from the models), so it keeps describing that schema however the
models change later. Databases created before migrations existed match it and are stamped with it.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('entity', sa.String(length=40), nullable=False),
        sa.Column('entity_id', sa.String(length=64), nullable=True),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_audit_log_action'), 'audit_log', ['action'], unique=False)
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_user_id'), 'audit_log', ['user_id'], unique=False)
    op.create_index(op.f('ix_audit_log_username'), 'audit_log', ['username'], unique=False)

    op.create_table('catalogue_category',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('name_en', sa.String(length=80), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code')
    )

    op.create_table('indicator',
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('name_en', sa.String(length=60), nullable=False),
        sa.Column('unit', sa.String(length=12), nullable=False),
        sa.Column('unit_en', sa.String(length=24), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('numerator', sa.String(length=32), nullable=True),
        sa.Column('denominator', sa.String(length=32), nullable=True),
        sa.Column('target', sa.Float(), nullable=True),
        sa.Column('amber_from', sa.Float(), nullable=True),
        sa.Column('higher_is_better', sa.Boolean(), nullable=False),
        sa.Column('displayed', sa.Boolean(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code')
    )

    op.create_table('org_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('street_id', sa.Integer(), nullable=True),
        sa.Column('community_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=True),
        sa.Column('pilot', sa.Boolean(), nullable=False),
        sa.Column('households', sa.Integer(), nullable=True),
        sa.Column('population', sa.Integer(), nullable=True),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_org_unit_code'), 'org_unit', ['code'], unique=True)
    op.create_index(op.f('ix_org_unit_community_id'), 'org_unit', ['community_id'], unique=False)
    op.create_index(op.f('ix_org_unit_district_id'), 'org_unit', ['district_id'], unique=False)
    op.create_index(op.f('ix_org_unit_level'), 'org_unit', ['level'], unique=False)
    op.create_index(op.f('ix_org_unit_parent_id'), 'org_unit', ['parent_id'], unique=False)
    op.create_index(op.f('ix_org_unit_street_id'), 'org_unit', ['street_id'], unique=False)

    op.create_table('score_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('round', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('name_en', sa.String(length=120), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('locked', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code', 'version', name='uq_score_template_version')
    )
    op.create_index(op.f('ix_score_template_code'), 'score_template', ['code'], unique=False)
    op.create_index(op.f('ix_score_template_round'), 'score_template', ['round'], unique=False)

    op.create_table('seed_mark',
        sa.Column('part', sa.String(length=40), nullable=False),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('part')
    )

    op.create_table('vote_throttle',
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('window', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'key', 'period', 'window')
    )
    op.create_index(op.f('ix_vote_throttle_until'), 'vote_throttle', ['until'], unique=False)

    op.create_table('app_user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('display_name', sa.String(length=60), nullable=False),
        sa.Column('password_hash', sa.String(length=80), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('failed_window_start', sa.DateTime(timezone=True), nullable=True),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('tokens_valid_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['scope_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_app_user_username'), 'app_user', ['username'], unique=True)

    op.create_table('campaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('per_voter_per_day', sa.Integer(), nullable=False),
        sa.Column('per_case_per_day', sa.Integer(), nullable=False),
        sa.Column('expert_weight', sa.Integer(), nullable=False),
        sa.Column('public_weight', sa.Integer(), nullable=False),
        sa.Column('show_live_tally', sa.Boolean(), nullable=False),
        sa.Column('notice_days', sa.Integer(), nullable=False),
        sa.Column('rules_frozen_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notice_until', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_campaign_org_unit_id'), 'campaign', ['org_unit_id'], unique=False)
    op.create_index(op.f('ix_campaign_status'), 'campaign', ['status'], unique=False)

    op.create_table('catalogue_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=True),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['catalogue_category.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_catalogue_item_category_id'), 'catalogue_item', ['category_id'], unique=False)

    op.create_table('grid_staff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('duty', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_grid_staff_grid_id'), 'grid_staff', ['grid_id'], unique=False)

    op.create_table('social_org',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('registration', sa.String(length=16), nullable=False),
        sa.Column('domain', sa.String(length=32), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=True),
        sa.Column('founded_on', sa.Date(), nullable=True),
        sa.Column('commitment_letter', sa.Boolean(), nullable=False),
        sa.Column('responsibility_letter', sa.Boolean(), nullable=False),
        sa.Column('party_org', sa.String(length=8), nullable=False),
        sa.Column('incubated', sa.Boolean(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=True),
        sa.Column('rated_on', sa.Date(), nullable=True),
        sa.Column('grade_valid_until', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['district_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['street_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_social_org_district_id'), 'social_org', ['district_id'], unique=False)
    op.create_index(op.f('ix_social_org_domain'), 'social_org', ['domain'], unique=False)
    op.create_index(op.f('ix_social_org_grade'), 'social_org', ['grade'], unique=False)
    op.create_index(op.f('ix_social_org_grade_valid_until'), 'social_org', ['grade_valid_until'], unique=False)
    op.create_index(op.f('ix_social_org_kind'), 'social_org', ['kind'], unique=False)
    op.create_index(op.f('ix_social_org_name'), 'social_org', ['name'], unique=False)
    op.create_index(op.f('ix_social_org_registration'), 'social_org', ['registration'], unique=False)
    op.create_index(op.f('ix_social_org_street_id'), 'social_org', ['street_id'], unique=False)

    op.create_table('template_indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('group', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('name_en', sa.String(length=100), nullable=False),
        sa.Column('max_points', sa.Integer(), nullable=False),
        sa.Column('guidance', sa.Text(), nullable=False),
        sa.Column('guidance_en', sa.Text(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['template_id'], ['score_template.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('template_id', 'code', name='uq_template_indicator_code')
    )
    op.create_index(op.f('ix_template_indicator_template_id'), 'template_indicator', ['template_id'], unique=False)

    op.create_table('grid_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('submitted_by', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('on_time', sa.Boolean(), nullable=False),
        sa.Column('reopened', sa.Boolean(), nullable=False),
        sa.Column('reopened_by', sa.Integer(), nullable=True),
        sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['reopened_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['submitted_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('grid_id', 'period', name='uq_grid_report_grid_period')
    )
    op.create_index(op.f('ix_grid_report_grid_id'), 'grid_report', ['grid_id'], unique=False)
    op.create_index(op.f('ix_grid_report_period'), 'grid_report', ['period'], unique=False)

    op.create_table('org_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('rated_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.String(length=40), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['social_org.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('org_id', 'rated_on', name='uq_org_rating_day')
    )
    op.create_index(op.f('ix_org_rating_org_id'), 'org_rating', ['org_id'], unique=False)

    op.create_table('project',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=24), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('domain', sa.String(length=32), nullable=False),
        sa.Column('catalogue_item_id', sa.Integer(), nullable=True),
        sa.Column('off_catalogue_service', sa.String(length=120), nullable=True),
        sa.Column('batch', sa.String(length=60), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('buyer', sa.String(length=60), nullable=False),
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=True),
        sa.Column('contractor_org_id', sa.Integer(), nullable=True),
        sa.Column('budget', sa.Integer(), nullable=False),
        sa.Column('contract_amount', sa.Integer(), nullable=True),
        sa.Column('disbursed', sa.Integer(), nullable=False),
        sa.Column('personnel_cost', sa.Integer(), nullable=False),
        sa.Column('management_fee', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('stage_entered_on', sa.Date(), nullable=False),
        sa.Column('stage_due', sa.Date(), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('target_beneficiaries', sa.Integer(), nullable=True),
        sa.Column('actual_beneficiaries', sa.Integer(), nullable=True),
        sa.Column('rating_exception', sa.String(length=500), nullable=True),
        sa.Column('termination_reason', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['catalogue_item_id'], ['catalogue_item.id']),
        sa.ForeignKeyConstraint(['contractor_org_id'], ['social_org.id']),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_project_batch'), 'project', ['batch'], unique=False)
    op.create_index(op.f('ix_project_catalogue_item_id'), 'project', ['catalogue_item_id'], unique=False)
    op.create_index(op.f('ix_project_community_id'), 'project', ['community_id'], unique=False)
    op.create_index(op.f('ix_project_contractor_org_id'), 'project', ['contractor_org_id'], unique=False)
    op.create_index(op.f('ix_project_district_id'), 'project', ['district_id'], unique=False)
    op.create_index(op.f('ix_project_domain'), 'project', ['domain'], unique=False)
    op.create_index(op.f('ix_project_stage'), 'project', ['stage'], unique=False)
    op.create_index(op.f('ix_project_stage_due'), 'project', ['stage_due'], unique=False)
    op.create_index(op.f('ix_project_street_id'), 'project', ['street_id'], unique=False)
    op.create_index(op.f('ix_project_year'), 'project', ['year'], unique=False)

    op.create_table('vote_case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('organization', sa.String(length=60), nullable=False),
        sa.Column('theme', sa.String(length=16), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('expert_score', sa.Float(), nullable=True),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.Column('final_rank', sa.Integer(), nullable=True),
        sa.Column('final_votes', sa.Integer(), nullable=True),
        sa.Column('final_score', sa.Float(), nullable=True),
        sa.Column('winner', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'title', name='uq_vote_case_title')
    )
    op.create_index(op.f('ix_vote_case_campaign_id'), 'vote_case', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_vote_case_project_id'), 'vote_case', ['project_id'], unique=False)
    op.create_index(op.f('ix_vote_case_theme'), 'vote_case', ['theme'], unique=False)

    op.create_table('vote_challenge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('voter_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('ip_key', sa.LargeBinary(length=16), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ticket_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_hash')
    )
    op.create_index('ix_vote_challenge_voter', 'vote_challenge', ['campaign_id', 'voter_key', 'id'], unique=False)

    op.create_table('vote_quota',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('voter_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id']),
        sa.PrimaryKeyConstraint('campaign_id', 'voter_key', 'day')
    )

    op.create_table('evaluation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.String(length=8), nullable=False),
        sa.Column('agency', sa.String(length=80), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('conclusion', sa.Text(), nullable=False),
        sa.Column('findings', sa.Text(), nullable=False),
        sa.Column('recommendations', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.ForeignKeyConstraint(['template_id'], ['score_template.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_evaluation_due_on'), 'evaluation', ['due_on'], unique=False)
    op.create_index('ix_evaluation_project_round', 'evaluation', ['project_id', 'round'], unique=False)
    op.create_index(op.f('ix_evaluation_round'), 'evaluation', ['round'], unique=False)
    op.create_index(op.f('ix_evaluation_status'), 'evaluation', ['status'], unique=False)
    op.create_index(op.f('ix_evaluation_template_id'), 'evaluation', ['template_id'], unique=False)

    op.create_table('indicator_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('outlier', sa.Boolean(), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['code'], ['indicator.code']),
        sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['report_id'], ['grid_report.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('grid_id', 'period', 'code', name='uq_indicator_value_grid_period_code')
    )
    op.create_index('ix_indicator_value_flagged', 'indicator_value', ['period'], unique=False, sqlite_where=sa.text('outlier = 1'), postgresql_where=sa.text('outlier'))

    op.create_table('stage_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('from_stage', sa.String(length=16), nullable=True),
        sa.Column('to_stage', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_stage_event_project_id'), 'stage_event', ['project_id'], unique=False)

    op.create_table('vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('voter_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('case_slot', sa.Integer(), nullable=False),
        sa.Column('cast_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('ip_key', sa.LargeBinary(length=16), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('void_reason', sa.String(length=200), nullable=True),
        sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('voided_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id']),
        sa.ForeignKeyConstraint(['case_id'], ['vote_case.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'case_id', 'voter_key', 'day', 'case_slot', name='uq_vote_once')
    )
    op.create_index('ix_vote_case_address', 'vote', ['campaign_id', 'case_id', 'ip_key', 'status'], unique=False)
    op.create_index('ix_vote_case_hour', 'vote', ['campaign_id', 'case_id', 'day', 'hour', 'status'], unique=False)

    op.create_table('assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('evaluator_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('coi_declared_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('conflict', sa.Boolean(), nullable=True),
        sa.Column('conflict_note', sa.String(length=500), nullable=True),
        sa.Column('total', sa.Float(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopened_reason', sa.String(length=500), nullable=True),
        sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopened_by', sa.String(length=40), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id']),
        sa.ForeignKeyConstraint(['evaluator_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('evaluation_id', 'evaluator_id', name='uq_assignment_evaluator')
    )
    op.create_index(op.f('ix_assignment_evaluation_id'), 'assignment', ['evaluation_id'], unique=False)
    op.create_index('ix_assignment_evaluator_status', 'assignment', ['evaluator_id', 'status'], unique=False)
    op.create_index(op.f('ix_assignment_status'), 'assignment', ['status'], unique=False)

    op.create_table('rectification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('finding', sa.String(length=500), nullable=False),
        sa.Column('owner', sa.String(length=80), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('evidence', sa.String(length=1000), nullable=True),
        sa.Column('closed_by', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id']),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_rectification_due_on'), 'rectification', ['due_on'], unique=False)
    op.create_index(op.f('ix_rectification_evaluation_id'), 'rectification', ['evaluation_id'], unique=False)
    op.create_index(op.f('ix_rectification_status'), 'rectification', ['status'], unique=False)

    op.create_table('score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('comment', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id']),
        sa.ForeignKeyConstraint(['indicator_id'], ['template_indicator.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('assignment_id', 'indicator_id', name='uq_score_assignment_indicator')
    )
    op.create_index(op.f('ix_score_indicator_id'), 'score', ['indicator_id'], unique=False)


def downgrade() -> None:
    op.drop_table('score')
    op.drop_table('rectification')
    op.drop_table('assignment')
    op.drop_table('vote')
    op.drop_table('stage_event')
    op.drop_table('indicator_value')
    op.drop_table('evaluation')
    op.drop_table('vote_quota')
    op.drop_table('vote_challenge')
    op.drop_table('vote_case')
    op.drop_table('project')
    op.drop_table('org_rating')
    op.drop_table('grid_report')
    op.drop_table('template_indicator')
    op.drop_table('social_org')
    op.drop_table('grid_staff')
    op.drop_table('catalogue_item')
    op.drop_table('campaign')
    op.drop_table('app_user')
    op.drop_table('vote_throttle')
    op.drop_table('seed_mark')
    op.drop_table('score_template')
    op.drop_table('org_unit')
    op.drop_table('indicator')
    op.drop_table('catalogue_category')
    op.drop_table('audit_log')
