"""Leads merged into others: each merged lead's id and human id, and the lead it became
part of, so a link to it still leads somewhere; indexes on the leads' phone and name, to
find a lead's possible duplicates. On SQLite the leads' ids become AUTOINCREMENT, so that
a merged lead's id never goes to another lead.

Revision ID: lc0026
Revises: lc0025
Create Date: 2026-11-25
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "lc0026"
down_revision = "lc0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_lead_merges",
        sa.Column("lead_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=32), nullable=True),
        sa.Column("into_id", sa.Integer(), nullable=False),
        sa.Column("merged_by", sa.String(length=64), nullable=True),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["into_id"], ["lc_leads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    op.create_index("ix_lc_lead_merges_into_id", "lc_lead_merges", ["into_id"])
    op.create_index("ix_lc_leads_phone", "lc_leads", ["phone"])
    op.create_index("ix_lc_leads_lead_name", "lc_leads", ["lead_name"])
    _lead_ids_autoincrement(True)


def _lead_ids_autoincrement(on: bool) -> None:
    """SQLite gives a new row the largest id + 1: the newest lead, once merged away, would
    hand its id (and its ``LEAD-…`` name) to the next lead. AUTOINCREMENT gives no id
    twice, and SQLite adds it only by rebuilding the table: safe while foreign keys are
    not enforced (the plug-in never turns them on); with them, dropping the old table
    would delete the rows that point at it, so the table is left as it is."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        logging.getLogger("leadcapture").warning(
            "lc_leads kept without AUTOINCREMENT: SQLite enforces foreign keys here, and "
            "rebuilding the table would delete the rows that point at it"
        )
        return
    with op.batch_alter_table(
        "lc_leads", recreate="always", table_kwargs={"sqlite_autoincrement": on}
    ):
        pass


def downgrade() -> None:
    _lead_ids_autoincrement(False)
    op.drop_index("ix_lc_leads_lead_name", table_name="lc_leads")
    op.drop_index("ix_lc_leads_phone", table_name="lc_leads")
    op.drop_index("ix_lc_lead_merges_into_id", table_name="lc_lead_merges")
    op.drop_table("lc_lead_merges")
