"""The plug-in's Alembic migrations, apart from the host's: their own environment
(``env.py`` here) and their own version table, :data:`VERSION_TABLE`.

:mod:`leadcapture.schema` runs them (``flask leads db upgrade``, or the host's ``flask db
upgrade`` when Flask-Migrate is set up) and checks them when the app starts serving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
