"""Who took part by phone or video, per part of the meeting

Revision ID: attendance_by_phone_per_part
Revises: letterhead_and_answer_codes
Create Date: 2026-12-06 02:34:12

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'attendance_by_phone_per_part'
down_revision = 'letterhead_and_answer_codes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        for part in (1, 2, 3):
            batch_op.add_column(sa.Column(f'remote_part{part}', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Who took part by phone or video did so in the parts they took part in; one who was
    # marked remote without a part took part in the first.
    op.execute("UPDATE participants SET remote_part1 = remote, remote_part2 = remote AND attended_part2, "
               "remote_part3 = remote AND attended_part3 WHERE remote")
    op.execute("UPDATE participants SET attended_part1 = true WHERE remote_part1")
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('remote')


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remote', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE participants SET remote = true WHERE remote_part1 OR remote_part2 OR remote_part3")
    with op.batch_alter_table('participants', schema=None) as batch_op:
        for part in (3, 2, 1):
            batch_op.drop_column(f'remote_part{part}')
