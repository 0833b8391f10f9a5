"""Fidelity facts of a conference, why a case closed, and the anonymous participant survey

Revision ID: fidelity_and_survey
Revises: password_links
Create Date: 2026-12-06 01:42:21

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fidelity_and_survey'
down_revision = 'password_links'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('for_child', sa.Boolean(), nullable=False),
    sa.Column('heard', sa.Integer(), nullable=True),
    sa.Column('ours', sa.Integer(), nullable=True),
    sa.Column('realistic', sa.Integer(), nullable=True),
    sa.Column('know', sa.Integer(), nullable=True),
    sa.Column('recommend', sa.Integer(), nullable=True),
    sa.Column('smiley', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_survey_answers_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers'))
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_conference_id'), ['conference_id'], unique=False)

    op.create_table('survey_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('for_child', sa.Boolean(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_survey_links_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_links')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_survey_links_code_hash'))
    )
    with op.batch_alter_table('survey_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_links_conference_id'), ['conference_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.String(length=12), nullable=True))
    # Cases closed before the reason was asked: the reason is not known.
    op.execute("UPDATE cases SET end_reason = 'other' WHERE state = 'closed'")

    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_time_held', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('child_took_part', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('child_support_person', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('interpreter_needed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('interpreter_present', sa.Boolean(), nullable=True))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remote', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('remote')

    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('interpreter_present')
        batch_op.drop_column('interpreter_needed')
        batch_op.drop_column('child_support_person')
        batch_op.drop_column('child_took_part')
        batch_op.drop_column('private_time_held')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('end_reason')

    with op.batch_alter_table('survey_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_links_conference_id'))

    op.drop_table('survey_links')
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_conference_id'))

    op.drop_table('survey_answers')
