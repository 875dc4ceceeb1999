"""The log of erasures: whose data was erased (by a digest of the email), when, at whose
request.

Revision ID: lc0015
Revises: lc0014
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0015"
down_revision = "lc0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_erasures")),
    )
    op.create_index(op.f("ix_lc_erasures_email_digest"), "lc_erasures", ["email_digest"])


def downgrade() -> None:
    op.drop_table("lc_erasures")
