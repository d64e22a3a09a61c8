"""pending uploads: spreadsheets uploaded in chat, kept until Import or Cancel

Revision ID: 0008_pending_uploads
Revises: see down_revision
Create Date: 2026-12-01 23:05:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0008_pending_uploads'
down_revision = '0007_withdrawn_away_snooze'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_pending_upload_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_pending_upload_token'))
    )
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_upload_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_upload_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_upload_person_id'))
        batch_op.drop_index(batch_op.f('ix_pending_upload_expires_at'))
    op.drop_table('pending_upload')
