"""Emails staff write to a lead from the back office: who wrote each (its history line
and the lead's status follow it once it is sent), and the key of the form that wrote it,
unique, so a form sent twice writes one email.

Revision ID: lc0025
Revises: lc0024
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0025"
down_revision = "lc0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_emails") as batch:
        batch.add_column(sa.Column("sent_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("form_key", sa.String(length=64), nullable=True))
    op.create_index("ix_lc_emails_form_key", "lc_emails", ["form_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_lc_emails_form_key", table_name="lc_emails")
    with op.batch_alter_table("lc_emails") as batch:
        batch.drop_column("form_key")
        batch.drop_column("sent_by")
