"""Search on PostgreSQL: a trigram (pg_trgm) GIN index for the lead list's infix search.

The list searches ``lower(name + email + company + human id) LIKE '%term%'`` (see
``leadcapture.leadlist.SEARCH_TEXT``: this index's expression must stay the same); a
B-tree cannot serve a leading ``%``, a trigram index can. Making the extension needs a
role allowed to (pg_trgm is a trusted extension from PostgreSQL 13: the database's owner
may); without it the index is skipped with a warning and search still works, by scanning.

Revision ID: lc0008
Revises: lc0007
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from leadcapture.migrations import trigrams_available

revision = "lc0008"
down_revision = "lc0007"
branch_labels = None
depends_on = None

SEARCH_TEXT = (
    "lower(coalesce(lead_name, '') || ' ' || coalesce(email, '') || ' ' "
    "|| coalesce(company_name, '') || ' ' || coalesce(name, ''))"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not trigrams_available(bind, "lead search"):
        return
    op.execute(
        f"CREATE INDEX IF NOT EXISTS ix_lc_leads_search ON lc_leads "
        f"USING gin (({SEARCH_TEXT}) gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_lc_leads_search")
