"""Leads, addresses, customers, contacts, history and tracked carts.

Revision ID: lc0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0001"
down_revision = None
branch_labels = ("leadcapture",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_carts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(), nullable=True),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_carts")),
        sa.UniqueConstraint("cart_key", name=op.f("uq_lc_carts_cart_key")),
    )
    op.create_index(op.f("ix_lc_carts_email"), "lc_carts", ["email"], unique=False)
    op.create_index(op.f("ix_lc_carts_user_id"), "lc_carts", ["user_id"], unique=False)
    op.create_table(
        "lc_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=True),
        sa.Column("lead_name", sa.String(length=140), nullable=True),
        sa.Column("company_name", sa.String(length=140), nullable=True),
        sa.Column("is_organization", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("lead_type", sa.String(length=40), nullable=True),
        sa.Column("market_segment", sa.String(length=140), nullable=True),
        sa.Column("industry", sa.String(length=140), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("web_user_id", sa.String(length=64), nullable=True),
        sa.Column("assigned_to", sa.String(length=64), nullable=True),
        sa.Column("next_contact_date", sa.Date(), nullable=True),
        sa.Column("next_contact_by", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_leads")),
        sa.UniqueConstraint("email", name=op.f("uq_lc_leads_email")),
        sa.UniqueConstraint("name", name=op.f("uq_lc_leads_name")),
        sa.UniqueConstraint("web_user_id", name=op.f("uq_lc_leads_web_user_id")),
    )
    op.create_index(op.f("ix_lc_leads_assigned_to"), "lc_leads", ["assigned_to"], unique=False)
    op.create_index("ix_lc_leads_created_at_id", "lc_leads", ["created_at", "id"], unique=False)
    op.create_index(op.f("ix_lc_leads_source"), "lc_leads", ["source"], unique=False)
    op.create_index(op.f("ix_lc_leads_status"), "lc_leads", ["status"], unique=False)
    op.create_table(
        "lc_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=True),
        sa.Column("customer_name", sa.String(length=140), nullable=False),
        sa.Column("customer_type", sa.String(length=20), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_customers_lead_id_lc_leads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_customers")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_lc_customers_lead_id")),
        sa.UniqueConstraint("name", name=op.f("uq_lc_customers_name")),
    )
    op.create_table(
        "lc_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address_type", sa.String(length=20), nullable=False),
        sa.Column("address_line1", sa.String(length=240), nullable=False),
        sa.Column("address_line2", sa.String(length=240), nullable=True),
        sa.Column("city", sa.String(length=140), nullable=False),
        sa.Column("state", sa.String(length=140), nullable=True),
        sa.Column("pincode", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=140), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["lc_customers.id"],
            name=op.f("fk_lc_addresses_customer_id_lc_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_addresses_lead_id_lc_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_addresses")),
        sa.UniqueConstraint("name", name=op.f("uq_lc_addresses_name")),
    )
    op.create_index(
        op.f("ix_lc_addresses_customer_id"), "lc_addresses", ["customer_id"], unique=False
    )
    op.create_index(op.f("ix_lc_addresses_lead_id"), "lc_addresses", ["lead_id"], unique=False)
    op.create_table(
        "lc_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=140), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["lc_customers.id"],
            name=op.f("fk_lc_contacts_customer_id_lc_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_contacts_lead_id_lc_leads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_contacts")),
        sa.UniqueConstraint("customer_id", "user_id", name=op.f("uq_lc_contacts_customer_id")),
    )
    op.create_index(
        op.f("ix_lc_contacts_customer_id"), "lc_contacts", ["customer_id"], unique=False
    )
    op.create_index(op.f("ix_lc_contacts_lead_id"), "lc_contacts", ["lead_id"], unique=False)
    op.create_index(op.f("ix_lc_contacts_user_id"), "lc_contacts", ["user_id"], unique=False)
    op.create_table(
        "lc_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=True),
        sa.Column("subject", sa.String(length=240), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["lc_customers.id"],
            name=op.f("fk_lc_history_customer_id_lc_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_history_lead_id_lc_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_history")),
    )
    op.create_index(op.f("ix_lc_history_customer_id"), "lc_history", ["customer_id"], unique=False)
    op.create_index(op.f("ix_lc_history_lead_id"), "lc_history", ["lead_id"], unique=False)


def downgrade() -> None:
    for table in (
        "lc_history",
        "lc_contacts",
        "lc_addresses",
        "lc_customers",
        "lc_leads",
        "lc_carts",
    ):
        op.drop_table(table)
