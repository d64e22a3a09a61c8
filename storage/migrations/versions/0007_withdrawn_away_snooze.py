"""withdrawn actions: the status 'withdrawn' (a string enum, no constraint to change) and the day it happened

Revision ID: 0007_withdrawn_away_snooze
Revises: see down_revision
Create Date: 2026-12-01 23:15:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_withdrawn_away_snooze'
down_revision = '0006_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('action') as batch:
        batch.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE action SET status = 'in_progress' WHERE status = 'withdrawn'")
    with op.batch_alter_table('action') as batch:
        batch.drop_column('withdrawn_on')
