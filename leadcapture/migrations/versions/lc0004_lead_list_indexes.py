"""Indexes for the lead list: each filter with the newest-first keyset order.

Revision ID: lc0004
Revises: lc0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "lc0004"
down_revision = "lc0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_lc_leads_status_created_at_id": ["status", "created_at", "id"],
    "ix_lc_leads_source_created_at_id": ["source", "created_at", "id"],
    "ix_lc_leads_assigned_to_created_at_id": ["assigned_to", "created_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "lc_leads", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="lc_leads")
