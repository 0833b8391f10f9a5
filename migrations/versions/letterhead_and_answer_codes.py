"""A letterhead for the organisation, staff phone numbers, and a short answer code per invited person

Revision ID: letterhead_and_answer_codes
Revises: fidelity_and_survey
Create Date: 2026-12-06 02:22:05

"""
import secrets

from alembic import op
import sqlalchemy as sa

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # as fgc/core/codes.py, frozen here


# revision identifiers, used by Alembic.
revision = 'letterhead_and_answer_codes'
down_revision = 'fidelity_and_survey'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_type', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=False, server_default=''))

    # Every invitation already made gets its short code (eight characters; see fgc/core/codes.py).
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_code', sa.String(length=8), nullable=True))
    participants = sa.table('participants', sa.column('id', sa.Integer), sa.column('answer_code', sa.String))
    connection = op.get_bind()
    for (participant_id,) in connection.execute(sa.select(participants.c.id)).all():
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        connection.execute(participants.update().where(participants.c.id == participant_id).values(answer_code=code))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.alter_column('answer_code', existing_type=sa.String(length=8), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_participants_answer_code'), ['answer_code'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_participants_answer_code'), type_='unique')
        batch_op.drop_column('answer_code')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('logo_type')
        batch_op.drop_column('logo')
        batch_op.drop_column('email')
        batch_op.drop_column('phone')
        batch_op.drop_column('address')

