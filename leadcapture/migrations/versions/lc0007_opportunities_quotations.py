"""Opportunities and quotations against a lead.

Revision ID: lc0007
Revises: lc0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0007"
down_revision = "lc0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_opportunities_lead_id_lc_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_opportunities")),
    )
    op.create_index(op.f("ix_lc_opportunities_lead_id"), "lc_opportunities", ["lead_id"])
    op.create_table(
        "lc_quotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lost_reason", sa.String(length=240), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["lc_carts.id"],
            name=op.f("fk_lc_quotations_cart_id_lc_carts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_quotations_lead_id_lc_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_quotations")),
    )
    op.create_index(op.f("ix_lc_quotations_lead_id"), "lc_quotations", ["lead_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_quotations_lead_id"), table_name="lc_quotations")
    op.drop_table("lc_quotations")
    op.drop_index(op.f("ix_lc_opportunities_lead_id"), table_name="lc_opportunities")
    op.drop_table("lc_opportunities")
