"""Handled inbound events are pruned after a while: an index on exactly those rows.

Revision ID: lc0011
Revises: lc0010
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0011"
down_revision = "lc0010"
branch_labels = None
depends_on = None

DONE = "state = 'done'"


def upgrade() -> None:
    op.create_index(
        "ix_lc_inbound_events_done",
        "lc_inbound_events",
        ["handled_at"],
        sqlite_where=sa.text(DONE),
        postgresql_where=sa.text(DONE),
    )


def downgrade() -> None:
    op.drop_index("ix_lc_inbound_events_done", table_name="lc_inbound_events")
