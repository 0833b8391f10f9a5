"""SAML Response and Assertion ids already accepted, so a replay is refused by every worker

Revision ID: used_saml_messages
Revises: two_factor_and_statements
Create Date: 2026-12-06 04:18:36

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'used_saml_messages'
down_revision = 'two_factor_and_statements'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_saml_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_providers.id'], name=op.f('fk_used_saml_messages_provider_id_identity_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_saml_messages')),
    sa.UniqueConstraint('provider_id', 'message_id', name=op.f('uq_used_saml_messages_provider_id'))
    )
    with op.batch_alter_table('used_saml_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_saml_messages_expires_at'), ['expires_at'], unique=False)



def downgrade():
    with op.batch_alter_table('used_saml_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_saml_messages_expires_at'))

    op.drop_table('used_saml_messages')
