"""Outbound webhooks: the endpoints staff register and the log of deliveries to them.

Revision ID: lc0014
Revises: lc0013
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0014"
down_revision = "lc0013"
branch_labels = None
depends_on = None

UNDELIVERED = "state IN ('waiting', 'sending')"


def upgrade() -> None:
    op.create_table(
        "lc_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=140), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_webhooks")),
    )
    op.create_table(
        "lc_webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["lc_webhooks.id"],
            name=op.f("fk_lc_webhook_deliveries_webhook_id_lc_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_webhook_deliveries")),
    )
    op.create_index(
        op.f("ix_lc_webhook_deliveries_webhook_id"), "lc_webhook_deliveries", ["webhook_id"]
    )
    op.create_index("ix_lc_webhook_deliveries_created_at", "lc_webhook_deliveries", ["created_at"])
    op.create_index(
        "ix_lc_webhook_deliveries_due",
        "lc_webhook_deliveries",
        ["next_attempt_at", "id"],
        sqlite_where=sa.text(UNDELIVERED),
        postgresql_where=sa.text(UNDELIVERED),
    )


def downgrade() -> None:
    op.drop_table("lc_webhook_deliveries")
    op.drop_table("lc_webhooks")
