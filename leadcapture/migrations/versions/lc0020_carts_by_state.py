"""Carts by state, newest first: the cart page's filter, a keyset page at any depth.

Revision ID: lc0020
Revises: lc0019
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "lc0020"
down_revision = "lc0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lc_carts_state_id", "lc_carts", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_lc_carts_state_id", table_name="lc_carts")
