"""Mailbox intake: the messages taken, one row per Message-ID.

Revision ID: lc0009
Revises: lc0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0009"
down_revision = "lc0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=240), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=240), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_mail_messages_lead_id_lc_leads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_mail_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_lc_mail_messages_message_id")),
    )
    op.create_index(op.f("ix_lc_mail_messages_lead_id"), "lc_mail_messages", ["lead_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_mail_messages_lead_id"), table_name="lc_mail_messages")
    op.drop_table("lc_mail_messages")
