"""people in chat: leavers (left_on), absences with a deputy, the reminders setting, and snoozed actions

Revision ID: 0010_people_away
Revises: 0008_pending_uploads
Create Date: 2026-12-02 01:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_people_away'
down_revision = '0009_schedulers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('left_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('away_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('away_to', sa.Date(), nullable=True))
        batch.add_column(sa.Column('deputy_id', sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column('reminders', sa.String(length=20), nullable=False, server_default='as_they_fall')
        )
        batch.create_foreign_key(
            op.f('fk_person_deputy_id_person'), 'person', ['deputy_id'], ['id'], ondelete='SET NULL'
        )
    with op.batch_alter_table('action') as batch:
        batch.add_column(sa.Column('snooze_until', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('action') as batch:
        batch.drop_column('snooze_until')
    with op.batch_alter_table('person') as batch:
        batch.drop_constraint(op.f('fk_person_deputy_id_person'), type_='foreignkey')
        for column in ('reminders', 'deputy_id', 'away_to', 'away_from', 'left_on'):
            batch.drop_column(column)
