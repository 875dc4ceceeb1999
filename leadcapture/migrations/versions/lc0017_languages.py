"""The language a lead reads, and that of the shopper who filled a cart.

Revision ID: lc0017
Revises: lc0016
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0017"
down_revision = "lc0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("lc_leads", "lc_carts"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    for table in ("lc_carts", "lc_leads"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("language")
