"""Which recovery email's link was opened: the report's figures by email.

Revision ID: lc0021
Revises: lc0020
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0021"
down_revision = "lc0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_emails") as batch:
        batch.add_column(sa.Column("link_opened_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lc_emails") as batch:
        batch.drop_column("link_opened_at")
