"""Alembic environment of Leadcapture's migrations: the plug-in's tables only, recorded
in their own version table, on the host's database (its Flask-SQLAlchemy engine)."""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app

from leadcapture.migrations import VERSION_TABLE, include_object
from leadcapture.models import metadata
from leadcapture.schema import adopt_host_versions

engine = current_app.extensions["leadcapture"].db.engine
options: dict[str, Any] = {
    "target_metadata": metadata,
    "version_table": VERSION_TABLE,
    "include_object": include_object,
    "compare_type": True,
    "render_as_batch": True,
}

if context.is_offline_mode():
    context.configure(url=engine.url, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    with engine.connect() as connection:
        adopt_host_versions(
            connection, {script.revision for script in context.script.walk_revisions()}
        )
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
