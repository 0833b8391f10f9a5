"""Outcome check-ins at 3, 6 and 12 months, and the caseworker's reminders of them

Revision ID: outcome_check_ins
Revises: state_effective_dates
Create Date: 2026-11-24 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'outcome_check_ins'
down_revision = 'state_effective_dates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('child_lives', sa.String(length=10), nullable=False),
    sa.Column('new_notification', sa.Boolean(), nullable=False),
    sa.Column('placement', sa.Boolean(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outcome_check_ins_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcome_check_ins_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_check_ins')),
    sa.UniqueConstraint('case_id', 'months', name='uq_outcome_check_ins_case_months')
    )
    with op.batch_alter_table('outcome_check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_check_ins_case_id'), ['case_id'], unique=False)

    op.create_table('outcome_reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outcome_reminders_sent_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_reminders_sent')),
    sa.UniqueConstraint('case_id', 'months', name='uq_outcome_reminders_sent_once')
    )


def downgrade():
    op.drop_table('outcome_reminders_sent')
    with op.batch_alter_table('outcome_check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_check_ins_case_id'))
    op.drop_table('outcome_check_ins')
