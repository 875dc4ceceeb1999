"""The shop's tables: users, products, cart items, orders and their lines.

Revision ID: sf0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sf0001"
down_revision = None
branch_labels = ("storefront",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_shop_products_sku")),
        sa.UniqueConstraint("slug", name=op.f("uq_shop_products_slug")),
    )
    op.create_table(
        "shop_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=140), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("company_name", sa.String(length=140), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_users")),
        sa.UniqueConstraint("email", name=op.f("uq_shop_users_email")),
    )
    op.create_table(
        "shop_cart_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["shop_products.id"],
            name=op.f("fk_shop_cart_items_product_id_shop_products"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["shop_users.id"],
            name=op.f("fk_shop_cart_items_user_id_shop_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_cart_items")),
        sa.UniqueConstraint("user_id", "product_id", name=op.f("uq_shop_cart_items_user_id")),
    )
    op.create_index(
        op.f("ix_shop_cart_items_user_id"), "shop_cart_items", ["user_id"], unique=False
    )
    op.create_table(
        "shop_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=140), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("billing_line1", sa.String(length=240), nullable=False),
        sa.Column("billing_line2", sa.String(length=240), nullable=True),
        sa.Column("billing_city", sa.String(length=140), nullable=False),
        sa.Column("billing_state", sa.String(length=140), nullable=True),
        sa.Column("billing_pincode", sa.String(length=20), nullable=True),
        sa.Column("billing_country", sa.String(length=140), nullable=False),
        sa.Column("shipping_line1", sa.String(length=240), nullable=False),
        sa.Column("shipping_line2", sa.String(length=240), nullable=True),
        sa.Column("shipping_city", sa.String(length=140), nullable=False),
        sa.Column("shipping_state", sa.String(length=140), nullable=True),
        sa.Column("shipping_pincode", sa.String(length=20), nullable=True),
        sa.Column("shipping_country", sa.String(length=140), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["shop_users.id"], name=op.f("fk_shop_orders_user_id_shop_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_orders")),
    )
    op.create_index(op.f("ix_shop_orders_user_id"), "shop_orders", ["user_id"], unique=False)
    op.create_table(
        "shop_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["shop_orders.id"],
            name=op.f("fk_shop_order_lines_order_id_shop_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["shop_products.id"],
            name=op.f("fk_shop_order_lines_product_id_shop_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_order_lines")),
    )
    op.create_index(
        op.f("ix_shop_order_lines_order_id"), "shop_order_lines", ["order_id"], unique=False
    )


def downgrade() -> None:
    for table in (
        "shop_order_lines",
        "shop_orders",
        "shop_cart_items",
        "shop_products",
        "shop_users",
    ):
        op.drop_table(table)
