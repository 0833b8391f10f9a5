"""Commitments as families make them: several weekdays, every other week, monthly, or
when something happens

Revision ID: commitment_schedules
Revises: plans
Create Date: 2026-11-23 22:30:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'commitment_schedules'
down_revision = 'plans'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule', sa.String(length=12), nullable=False, server_default='date'))
        batch_op.add_column(sa.Column('weekdays', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('month_day', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('trigger', sa.Text(), nullable=False, server_default=''))
    commitments = sa.table('commitments', sa.column('id', sa.Integer), sa.column('weekday', sa.Integer),
                           sa.column('schedule', sa.String), sa.column('weekdays', sa.JSON))
    connection = op.get_bind()
    for ident, weekday in connection.execute(sa.select(commitments.c.id, commitments.c.weekday)
                                             .where(commitments.c.weekday.is_not(None))).all():
        connection.execute(commitments.update().where(commitments.c.id == ident)
                           .values(schedule='weekly', weekdays=[weekday]))
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('weekday')
        batch_op.alter_column('schedule', server_default=None)
        batch_op.alter_column('weekdays', server_default=None)
        batch_op.alter_column('trigger', server_default=None)


def downgrade():
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekday', sa.Integer(), nullable=True))
    commitments = sa.table('commitments', sa.column('id', sa.Integer), sa.column('weekday', sa.Integer),
                           sa.column('schedule', sa.String), sa.column('weekdays', sa.JSON))
    connection = op.get_bind()
    for ident, days in connection.execute(sa.select(commitments.c.id, commitments.c.weekdays)
                                          .where(commitments.c.schedule.in_(('weekly', 'fortnightly')))).all():
        days = json.loads(days) if isinstance(days, str) else days
        if days:  # the old schema knew one weekday, every week
            connection.execute(commitments.update().where(commitments.c.id == ident).values(weekday=days[0]))
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('trigger')
        batch_op.drop_column('starts_on')
        batch_op.drop_column('month_day')
        batch_op.drop_column('weekdays')
        batch_op.drop_column('schedule')
