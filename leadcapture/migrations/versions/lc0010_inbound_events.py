"""The outbox of lead capture: inbound events kept until handled, retried on failure;
and the count of a recovery email's retried sends.

Revision ID: lc0010
Revises: lc0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0010"
down_revision = "lc0009"
branch_labels = None
depends_on = None

PENDING = "state = 'pending'"


def upgrade() -> None:
    op.create_table(
        "lc_inbound_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_inbound_events")),
    )
    op.create_index(
        "ix_lc_inbound_events_pending",
        "lc_inbound_events",
        ["next_attempt_at", "id"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    with op.batch_alter_table("lc_emails") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("lc_emails") as batch:
        batch.drop_column("attempts")
    op.drop_index("ix_lc_inbound_events_pending", table_name="lc_inbound_events")
    op.drop_table("lc_inbound_events")
