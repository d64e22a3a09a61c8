"""indexes for the listings and the jobs: waiting extension requests, open actions by status

Revision ID: 0006_indexes
Revises: 0004
Create Date: 2026-12-01 23:10:00

Chosen from the plans of the statements a listing and the sweep run: every listing asks for the
waiting (state = pending) extension requests of its rows, and the chair's view and the sweep select
open actions by status; without these both scan the whole table.
"""

from alembic import op


revision = '0006_indexes'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_extension_request_state_action_id', 'extension_request', ['state', 'action_id'])
    op.create_index('ix_action_status_due', 'action', ['status', 'due'])


def downgrade() -> None:
    op.drop_index('ix_action_status_due', table_name='action')
    op.drop_index('ix_extension_request_state_action_id', table_name='extension_request')
