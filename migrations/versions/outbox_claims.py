"""Outbox: a worker's claim on a message, so any number of workers send each mail once

Revision ID: outbox_claims
Revises: meeting_cancel_reason
Create Date: 2026-11-23 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'outbox_claims'
down_revision = 'meeting_cancel_reason'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
