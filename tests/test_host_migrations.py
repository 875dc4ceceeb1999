"""The plug-in's tables leave the host's migration workflow alone: its own Alembic
environment and version table, joined to ``flask db upgrade``, checked before serving."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate, init
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column

from leadcapture import LeadCapture, TablesNotReady, upgrade_tables


def flask_migrate_host(tmp_path: Path) -> tuple[Flask, SQLAlchemy]:
    """A host as ``flask db init`` leaves it: Alembic's stock env.py for Flask."""
    app = Flask("migrating_host", root_path=str(tmp_path))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite3'}", SECRET_KEY="x"
    )
    db = SQLAlchemy(app)

    class Product(db.Model):  # type: ignore[name-defined,misc]
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(sa.String(80))

    migrations = tmp_path / "migrations"
    Migrate(app, db, directory=str(migrations))
    LeadCapture(app, db=db, load_user=lambda user_id: None)
    with app.app_context():
        init(directory=str(migrations))
    env = migrations / "env.py"  # stock, but for logging: the test run keeps its own
    env.write_text(env.read_text().replace("fileConfig(config.config_file_name)", "pass"))
    return app, db


def invoke(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, f"{args}: {result.output}{result.exception!r}"
    return result.output


def tables(db: SQLAlchemy) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_the_hosts_own_commands_work_and_autogenerate_leaves_the_plug_in_alone(
    tmp_path: Path,
) -> None:
    app, db = flask_migrate_host(tmp_path)
    versions = tmp_path / "migrations" / "versions"
    invoke(app, "db", "migrate", "-m", "products")  # no --head: one head, the host's
    (first,) = versions.glob("*.py")
    assert "create_table('product'" in first.read_text()
    assert "lc_" not in first.read_text()

    invoke(app, "db", "upgrade")  # plain: no "heads"
    with app.app_context():
        assert {"product", "lc_leads", "lc_carts", "lc_alembic_version"} <= tables(db)
        host_versions = db.session.scalars(sa.text("SELECT version_num FROM alembic_version"))
        assert list(host_versions) == [first.name.split("_")[0]]
        plug_in = db.session.scalars(sa.text("SELECT version_num FROM lc_alembic_version"))
        assert list(plug_in) == ["lc0026"]

    # The stock env.py writes no revision when autogenerate finds nothing to do.
    invoke(app, "db", "migrate", "-m", "nothing changed")
    written = [path.read_text() for path in versions.glob("*.py") if path != first]
    assert written == [], written
    assert app.test_client().get("/leadcapture/form").status_code == 200


def test_an_upgrade_moves_the_plug_ins_revision_out_of_the_hosts_version_table(
    tmp_path: Path,
) -> None:
    """A database from the release that ran the plug-in as a branch of the host's."""
    app, db = flask_migrate_host(tmp_path)
    with app.app_context():
        upgrade_tables("lc0011")
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE lc_alembic_version"))
            connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            connection.execute(sa.text("INSERT INTO alembic_version VALUES ('lc0011')"))
    invoke(app, "db", "upgrade")
    with app.app_context():
        assert list(db.session.scalars(sa.text("SELECT * FROM alembic_version"))) == []
        assert list(db.session.scalars(sa.text("SELECT * FROM lc_alembic_version"))) == ["lc0026"]
        assert "lc_recovery_series" in tables(db)  # lc0012 ran


def test_a_host_without_flask_migrate_is_told_the_one_command(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = Flask("plain_host", root_path=str(tmp_path))
    app.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite3'}")
    db = SQLAlchemy(app)
    LeadCapture(app, db=db, load_user=lambda user_id: None)
    client = app.test_client()

    assert client.get("/leadcapture/form").status_code == 500  # every page, not a lost event
    assert "tables are missing" in caplog.text and "Run: flask leads db upgrade" in caplog.text
    refused = app.test_cli_runner().invoke(args=["leads", "sweep"])
    assert refused.exit_code != 0 and "flask leads db upgrade" in refused.output

    invoke(app, "leads", "db", "upgrade")
    assert client.get("/leadcapture/form").status_code == 200
    assert "at: lc0026. Current." in invoke(app, "leads", "db", "current")

    invoke(app, "leads", "db", "downgrade", "lc0025")
    later = Flask("plain_host", root_path=str(tmp_path))  # a worker started after it
    later.config.update(app.config, TESTING=True)
    LeadCapture(later, db=SQLAlchemy(later), load_user=lambda user_id: None)
    with pytest.raises(TablesNotReady, match="behind: at lc0025, this release needs lc0026"):
        later.test_client().get("/leadcapture/form")
    assert "behind" in invoke(later, "leads", "db", "current")

    with app.app_context():
        db.engine.dispose()
    invoke(later, "leads", "db", "downgrade", "base")
    with later.app_context():
        assert tables(later.extensions["sqlalchemy"]) == {"lc_alembic_version"}
