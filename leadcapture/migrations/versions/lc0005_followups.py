"""Follow-ups: the contact date a reminder was already given for, and its index.

Revision ID: lc0005
Revises: lc0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0005"
down_revision = "lc0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_leads") as batch:
        batch.add_column(sa.Column("reminded_for", sa.Date(), nullable=True))
    op.create_index(
        "ix_lc_leads_next_contact", "lc_leads", ["next_contact_date", "next_contact_by"]
    )


def downgrade() -> None:
    op.drop_index("ix_lc_leads_next_contact", table_name="lc_leads")
    with op.batch_alter_table("lc_leads") as batch:
        batch.drop_column("reminded_for")
