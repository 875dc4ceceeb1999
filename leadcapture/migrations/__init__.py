"""The plug-in's Alembic migrations, a branch labelled ``leadcapture``.

They run inside the host's Alembic (Flask-Migrate) setup: :func:`configure_alembic`
adds :data:`VERSIONS_DIR` to the host's ``version_locations``. ``LeadCapture.init_app``
does that by itself when Flask-Migrate is registered first; otherwise call
``migrate.configure(configure_alembic)``. Then ``flask db upgrade heads`` applies the
host's migrations and the plug-in's.

For autogenerate, give the host's ``env.py`` both metadatas, so that neither side's
tables look stray to the other: ``target_metadata = [db.metadata,
leadcapture.metadata]``. ``init_app`` also adds :func:`include_object` to Flask-Migrate's
``configure_args`` (around the host's own, if any), so autogenerate leaves alone the
index a migration makes in SQL that the models cannot state.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.config import Config

VERSIONS_DIR = str(Path(__file__).parent / "versions")
BRANCH = "leadcapture"

#: Made by migrations in SQL only (PostgreSQL's trigram search index, lc0008).
UNMODELLED_INDEXES = frozenset({"ix_lc_leads_search"})

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}


def configure_alembic(config: Config) -> Config:
    """Add the plug-in's versions to an Alembic config, keeping the host's own."""
    separator = config.get_main_option("path_separator") or config.get_main_option(
        "version_path_separator"
    )
    if separator is None:
        separator = "os"
        config.set_main_option("path_separator", separator)
    locations = config.get_version_locations_list()
    if not locations:
        script_location = config.get_main_option("script_location") or "migrations"
        locations = [os.path.join(script_location, "versions")]
    if VERSIONS_DIR not in locations:
        locations.append(VERSIONS_DIR)
    config.set_main_option("version_locations", _SEPARATORS[separator].join(locations))
    return config


def include_object(
    host: IncludeObject | None = None,
) -> IncludeObject:
    """An autogenerate filter that keeps :data:`UNMODELLED_INDEXES` out of the diff and
    asks the host's own filter (if any) about everything else."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "index" and reflected and name in UNMODELLED_INDEXES:
            return False
        return host is None or host(obj, name, type_, reflected, compare_to)

    return include
