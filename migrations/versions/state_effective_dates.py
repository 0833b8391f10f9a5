"""Case states carry the day they really moved, and follow the process's events

Each state change gets `effective_on`: the meeting's day for "conference held", the
decision's day for "plan agreed". Existing changes are dated by when they were
recorded; cases that stayed behind their events (a held conference, an accepted
plan, a scheduled follow-up) are moved on, dated by those events.

Revision ID: state_effective_dates
Revises: participant_link_tokens
Create Date: 2026-11-24 05:00:00

"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'state_effective_dates'
down_revision = 'participant_link_tokens'
branch_labels = None
depends_on = None

changes = sa.table('case_state_changes', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                   sa.column('from_state', sa.String), sa.column('to_state', sa.String),
                   sa.column('changed_at', sa.DateTime(timezone=True)), sa.column('effective_on', sa.Date))
cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('state', sa.String))
conferences = sa.table('conferences', sa.column('case_id', sa.Integer), sa.column('kind', sa.String),
                       sa.column('state', sa.String), sa.column('starts_at', sa.DateTime(timezone=True)),
                       sa.column('timezone', sa.String))
plans = sa.table('family_plans', sa.column('case_id', sa.Integer), sa.column('state', sa.String),
                 sa.column('decided_at', sa.DateTime(timezone=True)))

# The events, in the order of the process: the state each leads to, the states it
# moves a case on from ("referred" through "preparing"), and the query for its moment.
CASE = sa.bindparam("case")
EVENTS = [
    ("conference_held", ("referred", "preparing"), sa.select(conferences.c.starts_at, conferences.c.timezone).where(
        conferences.c.case_id == CASE, conferences.c.kind == "conference", conferences.c.state == "held")
     .order_by(conferences.c.starts_at)),
    ("plan_agreed", ("conference_held",), sa.select(plans.c.decided_at, sa.null()).where(
        plans.c.case_id == CASE, plans.c.state.in_(("accepted", "superseded")), plans.c.decided_at.is_not(None))
     .order_by(plans.c.decided_at)),
    ("following_up", ("plan_agreed",), sa.select(conferences.c.starts_at, conferences.c.timezone).where(
        conferences.c.case_id == CASE, conferences.c.kind == "follow_up", conferences.c.state != "cancelled")
     .order_by(conferences.c.starts_at)),
]


def _day(moment, zone):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return min(moment.astimezone(ZoneInfo(zone or "Europe/Copenhagen")).date(), date.today())


def upgrade():
    with op.batch_alter_table('case_state_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
    connection = op.get_bind()
    for change_id, changed_at in connection.execute(sa.select(changes.c.id, changes.c.changed_at)).all():
        connection.execute(changes.update().where(changes.c.id == change_id)
                           .values(effective_on=_day(changed_at, "UTC")))
    with op.batch_alter_table('case_state_changes', schema=None) as batch_op:
        batch_op.alter_column('effective_on', existing_type=sa.Date(), nullable=False)

    now = datetime.now(timezone.utc)
    for case_id, state in connection.execute(sa.select(cases.c.id, cases.c.state)).all():
        for to_state, from_states, event in EVENTS:
            if state not in from_states:
                continue
            found = connection.execute(event, {"case": case_id}).first()
            if found is None:
                continue
            day = _day(found[0], found[1])
            path = (["preparing"] if state == "referred" else []) + [to_state]
            for step in path:
                connection.execute(changes.insert().values(case_id=case_id, from_state=state, to_state=step,
                                                           changed_at=now, effective_on=day))
                state = step
            connection.execute(cases.update().where(cases.c.id == case_id).values(state=state))


def downgrade():
    with op.batch_alter_table('case_state_changes', schema=None) as batch_op:
        batch_op.drop_column('effective_on')
