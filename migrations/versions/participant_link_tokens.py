"""Participants' answer links carry a random secret kept in the database, not a signed id

Revision ID: participant_link_tokens
Revises: outbox_claims
Create Date: 2026-11-24 05:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'participant_link_tokens'
down_revision = 'outbox_claims'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_token', sa.String(length=64), nullable=True))
    participants = sa.table('participants', sa.column('id', sa.Integer), sa.column('link_token', sa.String))
    connection = op.get_bind()
    for (participant_id,) in connection.execute(sa.select(participants.c.id)).all():
        connection.execute(participants.update().where(participants.c.id == participant_id)
                           .values(link_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.alter_column('link_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_participants_link_token'), ['link_token'])


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_participants_link_token'), type_='unique')
        batch_op.drop_column('link_token')
