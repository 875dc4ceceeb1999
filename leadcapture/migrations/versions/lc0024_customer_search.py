"""Customer search on PostgreSQL: trigram (pg_trgm) GIN indexes of the customers' names
and numbers and of the contacts' names and emails, beside the leads' of lc0008.

The customer list searches ``lower(customer_name + human id)`` and ``lower(contact's
full_name + email)`` with ``LIKE '%term%'`` (``leadcapture.customerlist``: these indexes'
expressions must stay the same). Without pg_trgm the indexes are skipped with a warning
and search still works, by scanning.

Revision ID: lc0024
Revises: lc0023
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from leadcapture.migrations import trigrams_available

revision = "lc0024"
down_revision = "lc0023"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_lc_customers_search": (
        "lc_customers",
        "lower(coalesce(customer_name, '') || ' ' || coalesce(name, ''))",
    ),
    "ix_lc_contacts_search": (
        "lc_contacts",
        "lower(coalesce(full_name, '') || ' ' || coalesce(email, ''))",
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not trigrams_available(bind, "customer search"):
        return
    for name, (table, expression) in INDEXES.items():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
