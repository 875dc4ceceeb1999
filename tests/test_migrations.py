"""Every migration upgrades an empty database and downgrades it again."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from leadcapture import schema, upgrade_tables
from leadcapture.migrations import include_object
from storefront import MIGRATIONS, create_app
from storefront.extensions import db


def test_migrations_upgrade_from_empty_and_downgrade_again(empty_database: str) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "SECRET_KEY": "x",
            "STOREFRONT_AUTO_MIGRATE": False,
        }
    )
    with app.app_context():

        def tables() -> set[str]:
            version_tables = {"alembic_version", "lc_alembic_version"}
            return set(sa.inspect(db.engine).get_table_names()) - version_tables

        assert tables() == set()
        upgrade_tables()
        upgrade(directory=MIGRATIONS)
        expected = {t.name for md in (db.metadata,) for t in md.sorted_tables}
        from leadcapture.models import metadata

        expected |= {t.name for t in metadata.sorted_tables}
        assert tables() == expected
        downgrade(directory=MIGRATIONS, revision="base")
        schema.downgrade("base")
        assert tables() == set()
        upgrade_tables()
        upgrade(directory=MIGRATIONS)
        assert tables() == expected
        db.engine.dispose()


def test_the_models_match_the_migrations(empty_database: str) -> None:
    """Autogenerate finds nothing to do: no model change is missing its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from leadcapture.models import metadata

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "SECRET_KEY": "x",
            "STOREFRONT_AUTO_MIGRATE": False,
        }
    )
    with app.app_context():
        upgrade_tables()
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            plug_in = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            assert compare_metadata(plug_in, metadata) == []
            arguments = app.extensions["migrate"].configure_args
            shop = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": arguments["include_object"]},
            )
            assert compare_metadata(shop, db.metadata) == []
        db.engine.dispose()
