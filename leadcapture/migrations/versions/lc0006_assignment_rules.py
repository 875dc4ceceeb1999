"""Assignment rules: round-robin among staff, for a source or for any.

Revision ID: lc0006
Revises: lc0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0006"
down_revision = "lc0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_assignment_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("users", sa.JSON(), nullable=False),
        sa.Column("last_index", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_assignment_rules")),
    )


def downgrade() -> None:
    op.drop_table("lc_assignment_rules")
