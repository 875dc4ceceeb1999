"""The plug-in's Alembic migrations, apart from the host's: their own environment
(``env.py`` here) and their own version table, :data:`VERSION_TABLE`.

:mod:`leadcapture.schema` runs them (``flask leads db upgrade``, or the host's ``flask db
upgrade`` when Flask-Migrate is set up) and checks them when the app starts serving.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa

DIRECTORY = str(Path(__file__).parent)
VERSION_TABLE = "lc_alembic_version"

#: Made by migrations in SQL only (PostgreSQL's trigram search indexes, lc0008, lc0024).
UNMODELLED_INDEXES = frozenset(
    {"ix_lc_leads_search", "ix_lc_customers_search", "ix_lc_contacts_search"}
)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare: Any) -> bool:
    """The plug-in's own autogenerate filter: the host's tables (all but ``lc_*``) and
    :data:`UNMODELLED_INDEXES` are not its business."""
    if type_ == "table" and reflected:
        return name is not None and name.startswith("lc_") and name != VERSION_TABLE
    return not (type_ == "index" and reflected and name in UNMODELLED_INDEXES)


def trigrams_available(bind: sa.Connection, search: str) -> bool:
    """Make PostgreSQL's pg_trgm extension for a migration's trigram indexes, if the role
    may (it is a trusted extension from PostgreSQL 13: the database's owner may); without
    it the indexes are skipped with a warning and ``search`` works by scanning."""
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        logging.getLogger("alembic.runtime.migration").warning(
            "pg_trgm is not available (%s): %s will scan.", exc.orig, search
        )
        return False
    return True
