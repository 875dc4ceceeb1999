"""An order's key, unique: one checkout form places one order, however often it is sent;
and a user's session version: signing out or changing the password ends every session.

Revision ID: sf0003
Revises: sf0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sf0003"
down_revision = "sf0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_orders") as batch:
        batch.add_column(sa.Column("order_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_shop_orders_order_key"), ["order_key"])
    with op.batch_alter_table("shop_users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("shop_users") as batch:
        batch.drop_column("session_version")
    with op.batch_alter_table("shop_orders") as batch:
        batch.drop_constraint(op.f("uq_shop_orders_order_key"), type_="unique")
        batch.drop_column("order_key")
