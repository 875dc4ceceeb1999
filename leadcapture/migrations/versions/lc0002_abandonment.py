"""Abandoned carts and their recovery: cart state, schedule, emails.

Revision ID: lc0002
Revises: lc0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "lc0002"
down_revision = "lc0001"
branch_labels = None
depends_on = None

SWEEPABLE = "state = 'active' AND item_count > 0 AND email IS NOT NULL AND capture_declined = false"


def _partial(where: str) -> dict[str, Any]:
    return {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}


def upgrade() -> None:
    op.create_table(
        "lc_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=240), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("discount_code", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["lc_carts.id"],
            name=op.f("fk_lc_emails_cart_id_lc_carts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lc_leads.id"],
            name=op.f("fk_lc_emails_lead_id_lc_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lc_emails")),
        sa.UniqueConstraint("cart_id", "step", name=op.f("uq_lc_emails_cart_id")),
    )
    op.create_index(op.f("ix_lc_emails_cart_id"), "lc_emails", ["cart_id"], unique=False)
    op.create_index(op.f("ix_lc_emails_lead_id"), "lc_emails", ["lead_id"], unique=False)

    with op.batch_alter_table("lc_carts") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=20), server_default="active", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "capture_declined", sa.Boolean(), server_default=sa.text("false"), nullable=False
            )
        )
        batch.add_column(sa.Column("abandoned_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("emails_sent", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(sa.Column("next_email_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("link_opened_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("recovered_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("recovered_value", sa.Numeric(precision=12, scale=2), nullable=True)
        )
        batch.add_column(sa.Column("lost_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_lc_carts_customer_id_lc_customers"),
            "lc_customers",
            ["customer_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_lc_carts_lead_id_lc_leads"),
            "lc_leads",
            ["lead_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(op.f("ix_lc_carts_lead_id"), "lc_carts", ["lead_id"], unique=False)
    op.create_index(op.f("ix_lc_carts_customer_id"), "lc_carts", ["customer_id"], unique=False)
    op.create_index(
        "ix_lc_carts_sweepable",
        "lc_carts",
        ["last_activity_at"],
        unique=False,
        **_partial(SWEEPABLE),
    )
    op.create_index(
        "ix_lc_carts_email_due",
        "lc_carts",
        ["next_email_at"],
        unique=False,
        **_partial("next_email_at IS NOT NULL"),
    )
    op.create_index(
        "ix_lc_carts_abandoned",
        "lc_carts",
        ["abandoned_at"],
        unique=False,
        **_partial("state = 'abandoned'"),
    )


def downgrade() -> None:
    for index in (
        "ix_lc_carts_abandoned",
        "ix_lc_carts_email_due",
        "ix_lc_carts_sweepable",
        "ix_lc_carts_customer_id",
        "ix_lc_carts_lead_id",
    ):
        op.drop_index(index, table_name="lc_carts")
    with op.batch_alter_table("lc_carts") as batch:
        batch.drop_constraint("fk_lc_carts_lead_id_lc_leads", type_="foreignkey")
        batch.drop_constraint("fk_lc_carts_customer_id_lc_customers", type_="foreignkey")
        for column in (
            "lost_at",
            "recovered_value",
            "recovered_at",
            "link_opened_at",
            "next_email_at",
            "emails_sent",
            "customer_id",
            "lead_id",
            "abandoned_at",
            "capture_declined",
            "state",
        ):
            batch.drop_column(column)
    op.drop_table("lc_emails")
