"""What the owner edits in the back office: the recovery emails step by step, a few
settings, and each email's own unsubscribe link.

Revision ID: lc0013
Revises: lc0012
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0013"
down_revision = "lc0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_recovery_steps",
        sa.Column("step", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("delay_hours", sa.Float(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("code", sa.Boolean(), nullable=False),
        sa.Column("code_percent", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("step", name=op.f("pk_lc_recovery_steps")),
    )
    op.create_table(
        "lc_owner_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lc_owner_settings")),
    )
    with op.batch_alter_table("lc_emails") as batch:
        batch.add_column(sa.Column("unsubscribe_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lc_emails") as batch:
        batch.drop_column("unsubscribe_url")
    op.drop_table("lc_owner_settings")
    op.drop_table("lc_recovery_steps")
