"""The plug-in's Alembic migrations, a branch labelled ``leadcapture``.

They run inside the host's Alembic (Flask-Migrate) setup: :func:`configure_alembic`
adds :data:`VERSIONS_DIR` to the host's ``version_locations``. ``LeadCapture.init_app``
does that by itself when Flask-Migrate is registered first; otherwise call
``migrate.configure(configure_alembic)``. Then ``flask db upgrade heads`` applies the
host's migrations and the plug-in's.

For autogenerate, give the host's ``env.py`` both metadatas, so that neither side's
tables look stray to the other: ``target_metadata = [db.metadata,
leadcapture.metadata]``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic.config import Config

VERSIONS_DIR = str(Path(__file__).parent / "versions")
BRANCH = "leadcapture"

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
