"""The plug-in's tables: made and upgraded by its own migrations, checked before serving.

Leadcapture's migrations have their own Alembic environment and version table
(:mod:`leadcapture.migrations`), so a host's migrations never see them: its ``flask db
migrate`` needs no ``--head`` and its autogenerate is told to leave the plug-in's tables
alone. Two ways to upgrade them, one per kind of host:

- with Flask-Migrate set up before the plug-in, the host's own ``flask db upgrade``
  upgrades the plug-in's tables first (:func:`join_flask_migrate`);
- without it, ``flask leads db upgrade`` (or :func:`upgrade` from code).

Until they are there and current, the app refuses to serve with :class:`TablesNotReady`,
whose message names the command, instead of losing what shoppers do.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any
from weakref import WeakSet

import click
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.cli import with_appcontext

from .migrations import DIRECTORY, VERSION_TABLE
from .models import metadata

#: Where hosts' Alembic keeps its versions, and releases before 0.2 kept the plug-in's.
HOST_VERSION_TABLE = "alembic_version"

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


class TablesNotReady(RuntimeError):
    """The plug-in's tables are missing or not at this release's migrations."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", DIRECTORY)
    return config


@functools.cache
def heads() -> frozenset[str]:
    """The revisions this release of the plug-in needs."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@functools.cache
def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def upgrade(revision: str = "head", *, sql: bool = False) -> None:
    """Create or upgrade the plug-in's tables (in an app context)."""
    command.upgrade(alembic_config(), revision, sql=sql)


def downgrade(revision: str, *, sql: bool = False) -> None:
    command.downgrade(alembic_config(), revision, sql=sql)


def current(connection: sa.Connection) -> frozenset[str]:
    """The plug-in revisions the database is at (none if its tables were never made)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return frozenset(context.get_current_heads())


def adopt_host_versions(connection: sa.Connection, ours: set[str]) -> None:
    """Move the plug-in's revisions out of the host's version table into its own.

    Releases before 0.2 ran the plug-in's migrations as a branch of the host's, which
    left their revision in the host's ``alembic_version``; the host's Alembic would then
    look for a script it no longer has."""
    with connection.begin():
        if not sa.inspect(connection).has_table(HOST_VERSION_TABLE):
            return
        host = sa.table(HOST_VERSION_TABLE, sa.column("version_num", sa.String(32)))
        found = set(connection.scalars(sa.select(host.c.version_num))) & ours
        if not found:
            return
        own = sa.Table(
            VERSION_TABLE,
            sa.MetaData(),
            sa.Column("version_num", sa.String(32), nullable=False),
            sa.PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
        )
        own.create(connection, checkfirst=True)
        if connection.scalar(sa.select(sa.func.count()).select_from(own)) == 0:
            connection.execute(own.insert(), [{"version_num": v} for v in sorted(found)])
        connection.execute(host.delete().where(host.c.version_num.in_(found)))


def problem(connection: sa.Connection) -> str | None:
    """What is wrong with the plug-in's tables in this database, if anything."""
    at = current(connection)
    if at == heads():
        return None
    needed = ", ".join(sorted(heads()))
    if not at:
        return f"Leadcapture's tables are missing (no revision in {VERSION_TABLE})"
    where = ", ".join(sorted(at))
    if at - known_revisions():
        return (
            f"Leadcapture's tables are at {where}, which this release does not know "
            f"(it ends at {needed}): install the release that made them"
        )
    return f"Leadcapture's tables are behind: at {where}, this release needs {needed}"


def upgrade_command(app: Flask) -> str:
    group = app.config["LEADCAPTURE_CLI_GROUP"]
    if "migrate" in app.extensions:
        return f"flask db upgrade (or flask {group} db upgrade)"
    return f"flask {group} db upgrade"


_ready: WeakSet[Flask] = WeakSet()


def ensure_ready(app: Flask) -> None:
    """Raise :class:`TablesNotReady`, naming the command to run, unless the plug-in's
    tables are current; asks the database once per app and process once they are."""
    if app in _ready:
        return
    with app.extensions["leadcapture"].db.engine.connect() as connection:
        found = problem(connection)
    if found is not None:
        raise TablesNotReady(f"{found}. Run: {upgrade_command(app)}")
    _ready.add(app)


def leave_plug_in_tables_alone(host: IncludeObject | None) -> IncludeObject:
    """An autogenerate filter for the host's migrations: the plug-in's tables and its
    version table are not the host's to create or drop. Asks the host's filter (if any)
    about everything else."""
    ours = set(metadata.tables) | {VERSION_TABLE}

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and name in ours:
            return False
        table = getattr(obj, "table", None)
        if table is not None and getattr(table, "name", None) in ours:
            return False
        return host is None or host(obj, name, type_, reflected, compare_to)

    return include


def join_flask_migrate(app: Flask) -> None:
    """Make the host's ``flask db upgrade`` upgrade the plug-in's tables first, and its
    autogenerate leave them alone. Flask-Migrate must be set up before the plug-in."""
    state = app.extensions.get("migrate")
    if state is None:
        return
    arguments = state.configure_args
    arguments["include_object"] = leave_plug_in_tables_alone(arguments.get("include_object"))
    name = getattr(state.migrate, "command", "db")
    group = app.cli.commands.get(name)
    if not isinstance(group, click.Group) or "upgrade" not in group.commands:
        return
    hosts_upgrade = group.commands["upgrade"]
    host_callback = hosts_upgrade.callback
    assert host_callback is not None

    @with_appcontext
    def upgrade_both(**options: Any) -> Any:
        upgrade(sql=bool(options.get("sql")))
        return host_callback(**options)

    joined_upgrade = copy.copy(hosts_upgrade)
    joined_upgrade.callback = upgrade_both
    joined_upgrade.help = (hosts_upgrade.help or "") + " Upgrades Leadcapture's tables first."
    joined = copy.copy(group)  # this app's own copy: the group object is Flask-Migrate's
    joined.commands = {**group.commands, "upgrade": joined_upgrade}
    app.cli.add_command(joined, name)
