"""The dashboard at scale: conversion by source read from an index of the leads' source
and status, sign-ups counted from a partial index of their history entries, and the
customers of a range of days found by the day they were made.

Revision ID: lc0023
Revises: lc0022
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0023"
down_revision = "lc0022"
branch_labels = None
depends_on = None

SIGNUPS = "event IN ('signed_up', 'linked')"


def upgrade() -> None:
    op.create_index("ix_lc_leads_source_status", "lc_leads", ["source", "status"])
    op.create_index(
        "ix_lc_history_signups",
        "lc_history",
        ["event"],
        sqlite_where=sa.text(SIGNUPS),
        postgresql_where=sa.text(SIGNUPS),
    )
    op.create_index(op.f("ix_lc_customers_created_at"), "lc_customers", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_customers_created_at"), table_name="lc_customers")
    op.drop_index("ix_lc_history_signups", table_name="lc_history")
    op.drop_index("ix_lc_leads_source_status", table_name="lc_leads")
