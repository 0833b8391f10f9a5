"""Identity providers for single sign-on and MitID, and who is who at each

Revision ID: identity_providers
Revises: list_indexes
Create Date: 2026-12-06 04:13:07

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'identity_providers'
down_revision = 'list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('protocol', sa.String(length=10), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('saml_metadata', sa.Text(), nullable=False),
    sa.Column('saml_metadata_url', sa.String(length=500), nullable=False),
    sa.Column('saml_entity_id', sa.String(length=500), nullable=False),
    sa.Column('oidc_issuer', sa.String(length=500), nullable=False),
    sa.Column('oidc_client_id', sa.String(length=200), nullable=False),
    sa.Column('oidc_client_secret', sa.String(length=500), nullable=False),
    sa.Column('subject_attribute', sa.String(length=200), nullable=False),
    sa.Column('email_attribute', sa.String(length=200), nullable=False),
    sa.Column('name_attribute', sa.String(length=200), nullable=False),
    sa.Column('roles_attribute', sa.String(length=200), nullable=False),
    sa.Column('assurance_attribute', sa.String(length=200), nullable=False),
    sa.Column('role_map', sa.Text(), nullable=False),
    sa.Column('create_users', sa.Boolean(), nullable=False),
    sa.Column('minimum_assurance', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_identity_providers_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_providers'))
    )
    with op.batch_alter_table('identity_providers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_providers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('external_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_providers.id'], name=op.f('fk_external_identities_provider_id_identity_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_external_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
    sa.UniqueConstraint('provider_id', 'subject', name=op.f('uq_external_identities_provider_id'))
    )
    with op.batch_alter_table('external_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_identities_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('external_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_identities_user_id'))

    op.drop_table('external_identities')
    with op.batch_alter_table('identity_providers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_providers_organisation_id'))

    op.drop_table('identity_providers')
