"""The sources the owner adds, and each lead's and cart's campaign (UTM) and referrer.

Revision ID: lc0018
Revises: lc0017
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0018"
down_revision = "lc0017"
branch_labels = None
depends_on = None

CAMPAIGN = ("utm_source", "utm_medium", "utm_campaign", "referrer")


def upgrade() -> None:
    op.create_table(
        "lc_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_lc_sources_name")),
    )
    for table in ("lc_leads", "lc_carts"):
        with op.batch_alter_table(table) as batch:
            for column in CAMPAIGN:
                batch.add_column(sa.Column(column, sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_lc_leads_utm_campaign"), "lc_leads", ["utm_campaign"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_leads_utm_campaign"), table_name="lc_leads")
    for table in ("lc_carts", "lc_leads"):
        with op.batch_alter_table(table) as batch:
            for column in reversed(CAMPAIGN):
                batch.drop_column(column)
    op.drop_table("lc_sources")
