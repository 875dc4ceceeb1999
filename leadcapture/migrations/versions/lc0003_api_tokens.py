"""Bearer tokens for the back office's JSON API.

Revision ID: lc0003
Revises: lc0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0003"
down_revision = "lc0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_lc_api_tokens_digest")),
    )
    op.create_index(op.f("ix_lc_api_tokens_user_id"), "lc_api_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_api_tokens_user_id"), table_name="lc_api_tokens")
    op.drop_table("lc_api_tokens")
