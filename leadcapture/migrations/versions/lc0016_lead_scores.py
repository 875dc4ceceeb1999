"""Lead scores: each lead's score (0–100), its reasons and when it was scored, and an
index for the list's sort by score (unscored leads, at 0, last).

Revision ID: lc0016
Revises: lc0015
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lc0016"
down_revision = "lc0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_leads") as batch:
        batch.add_column(sa.Column("score", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("score_reasons", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("scored_at", sa.DateTime(), nullable=True))
    op.create_index("ix_lc_leads_score_id", "lc_leads", ["score", "id"])


def downgrade() -> None:
    op.drop_index("ix_lc_leads_score_id", table_name="lc_leads")
    with op.batch_alter_table("lc_leads") as batch:
        batch.drop_column("scored_at")
        batch.drop_column("score_reasons")
        batch.drop_column("score")
