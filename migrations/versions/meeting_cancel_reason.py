"""Why a meeting was cancelled, as everyone invited was told

Revision ID: meeting_cancel_reason
Revises: commitment_schedules
Create Date: 2026-11-23 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'meeting_cancel_reason'
down_revision = 'commitment_schedules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.alter_column('cancel_reason', server_default=None)


def downgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
