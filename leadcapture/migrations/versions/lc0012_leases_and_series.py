"""Crash-safe sending, one recovery series per address, the keys of kept events, and
calendar-feed URLs that can be replaced.

Emails get a lease (``lease_until``) for the run that sends them, a time for the next try
and a stable Message-ID; ``lc_recovery_series`` holds one series per address; kept
events name their cart and email, so an order waiting to be handled stops recovery.

Revision ID: lc0012
Revises: lc0011
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0012"
down_revision = "lc0011"
branch_labels = None
depends_on = None

UNSENT = "status IN ('outbox', 'sending', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("lc_emails") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
    op.execute("UPDATE lc_emails SET next_attempt_at = created_at")
    op.create_index(
        "ix_lc_emails_unsent",
        "lc_emails",
        ["next_attempt_at", "id"],
        sqlite_where=sa.text(UNSENT),
        postgresql_where=sa.text(UNSENT),
    )
    op.create_table(
        "lc_recovery_series",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["lc_carts.id"],
            name=op.f("fk_lc_recovery_series_cart_id_lc_carts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_lc_recovery_series")),
    )
    with op.batch_alter_table("lc_inbound_events") as batch:
        batch.add_column(sa.Column("cart_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_index("ix_lc_inbound_events_cart_key", "lc_inbound_events", ["cart_key"])
    op.create_index("ix_lc_inbound_events_email", "lc_inbound_events", ["email"])
    op.create_table(
        "lc_calendar_feeds",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lc_calendar_feeds")),
    )


def downgrade() -> None:
    op.drop_table("lc_calendar_feeds")
    op.drop_index("ix_lc_inbound_events_email", table_name="lc_inbound_events")
    op.drop_index("ix_lc_inbound_events_cart_key", table_name="lc_inbound_events")
    with op.batch_alter_table("lc_inbound_events") as batch:
        batch.drop_column("email")
        batch.drop_column("cart_key")
    op.drop_table("lc_recovery_series")
    op.drop_index("ix_lc_emails_unsent", table_name="lc_emails")
    with op.batch_alter_table("lc_emails") as batch:
        batch.drop_column("message_id")
        batch.drop_column("sent_at")
        batch.drop_column("lease_until")
        batch.drop_column("next_attempt_at")
