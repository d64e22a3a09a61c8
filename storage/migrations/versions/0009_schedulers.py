"""schedulers: each sending process's identity and heartbeat; ledger claims say which one owns them

Revision ID: 0009_schedulers
Revises: see down_revision
Create Date: 2026-12-02 01:00:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0009_schedulers'
down_revision = '0008_pending_uploads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=40), nullable=False),
    sa.Column('started_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler'))
    )
    for table in ('nudge_sent', 'digest_sent'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('scheduler_id', sa.String(length=40), nullable=True))
            batch_op.create_index(f'ix_{table}_state_scheduler', ['state', 'scheduler_id'], unique=False)


def downgrade() -> None:
    for table in ('digest_sent', 'nudge_sent'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_state_scheduler')
            batch_op.drop_column('scheduler_id')
    op.drop_table('scheduler')
