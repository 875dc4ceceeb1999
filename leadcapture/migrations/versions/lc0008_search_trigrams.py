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

import logging

import sqlalchemy as sa
from alembic import op

revision = "lc0008"
down_revision = "lc0007"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

SEARCH_TEXT = (
    "lower(coalesce(lead_name, '') || ' ' || coalesce(email, '') || ' ' "
    "|| coalesce(company_name, '') || ' ' || coalesce(name, ''))"
)


def _trigrams_available(bind: sa.Connection) -> bool:
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        logger.warning("pg_trgm is not available (%s): lead search will scan.", exc.orig)
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _trigrams_available(bind):
        return
    op.execute(
        f"CREATE INDEX IF NOT EXISTS ix_lc_leads_search ON lc_leads "
        f"USING gin (({SEARCH_TEXT}) gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_lc_leads_search")
