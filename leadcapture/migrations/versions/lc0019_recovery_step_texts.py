"""A recovery step's subject and body in more of the shop's languages.

Revision ID: lc0019
Revises: lc0018
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0019"
down_revision = "lc0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_recovery_step_texts",
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["step"],
            ["lc_recovery_steps.step"],
            name=op.f("fk_lc_recovery_step_texts_step_lc_recovery_steps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("step", "language", name=op.f("pk_lc_recovery_step_texts")),
    )


def downgrade() -> None:
    op.drop_table("lc_recovery_step_texts")
