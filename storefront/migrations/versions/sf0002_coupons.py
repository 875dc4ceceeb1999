"""Single-use coupons, and the discount an order got.

Revision ID: sf0002
Revises: sf0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sf0002"
down_revision = "sf0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_coupons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_shop_coupons_code")),
    )
    with op.batch_alter_table("shop_orders") as batch:
        batch.add_column(
            sa.Column(
                "discount", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False
            )
        )
        batch.add_column(sa.Column("coupon_code", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shop_orders") as batch:
        batch.drop_column("coupon_code")
        batch.drop_column("discount")
    op.drop_table("shop_coupons")
