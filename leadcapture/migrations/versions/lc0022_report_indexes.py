"""The cart page's figures and the recovery report at scale: the carts past shopping
read from one partial index, and each of the report's days by an index on its moment.

Revision ID: lc0022
Revises: lc0021
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0022"
down_revision = "lc0021"
branch_labels = None
depends_on = None

PAST_SHOPPING = "state <> 'active'"
#: table → the columns the report reads a range of.
MOMENTS = {
    "lc_carts": ("abandoned_at", "recovered_at", "link_opened_at"),
    "lc_emails": ("sent_at", "link_opened_at"),
}


def upgrade() -> None:
    op.create_index(
        "ix_lc_carts_past_shopping",
        "lc_carts",
        ["state", "currency", "total"],
        sqlite_where=sa.text(PAST_SHOPPING),
        postgresql_where=sa.text(PAST_SHOPPING),
    )
    for table, columns in MOMENTS.items():
        for column in columns:
            op.create_index(
                f"ix_{table}_{column}",
                table,
                [column],
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
            )


def downgrade() -> None:
    for table, columns in MOMENTS.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
    op.drop_index("ix_lc_carts_past_shopping", table_name="lc_carts")
