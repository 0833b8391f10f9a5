"""Indexes for the report's cohort, the lists and the audit log

Revision ID: list_indexes
Revises: attendance_by_phone_per_part
Create Date: 2026-12-06 03:09:51

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'list_indexes'
down_revision = 'attendance_by_phone_per_part'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_organisation_at', ['organisation_id', 'at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_organisation_created', ['organisation_id', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_organisation_updated', ['organisation_id', 'updated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_organisation_updated')
        batch_op.drop_index('ix_cases_organisation_created')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_organisation_at')

