"""the reminder ledger looks up a run's message by (claimed_by, person_id)

Revision ID: 0011_ledger_person_index
Revises: 0010_people_away
Create Date: 2026-12-02 04:30:00

A message is all of one person's rows claimed by a run, so the send loop marks it ``sending``
and records its outcome by (claimed_by, person_id) with a fixed set of parameters instead of a
list of row ids. The index on claimed_by alone is its prefix, so it goes.
"""

from alembic import op


revision = '0011_ledger_person_index'
down_revision = '0010_people_away'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_nudge_sent_claimed_by_person_id', 'nudge_sent', ['claimed_by', 'person_id'])
    op.drop_index('ix_nudge_sent_claimed_by', table_name='nudge_sent')


def downgrade() -> None:
    op.create_index('ix_nudge_sent_claimed_by', 'nudge_sent', ['claimed_by'])
    op.drop_index('ix_nudge_sent_claimed_by_person_id', table_name='nudge_sent')
