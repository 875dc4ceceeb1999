"""The demo shop that mounts Leadcapture, using only its public API and signals."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context
from flask_migrate import upgrade
from werkzeug.routing import BaseConverter

from leadcapture import signals, upgrade_tables

from . import cli, errors, languages, privacy
from .crm import leadcapture
from .extensions import csrf, db, login_manager, migrate, tune_sqlite
from .models import User

ROOT = Path(__file__).resolve().parent.parent


class SlugConverter(BaseConverter):
    """A product's slug in a URL: lower-case letters, digits and dashes; anything else
    (a NUL byte, a lone surrogate) matches no route and is a 404."""

    regex = r"[a-z0-9][a-z0-9-]{0,119}"


MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


def _secret_key(app: Flask) -> str:
    """A key kept in the instance folder, so sessions outlive a restart of the demo."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The shop. Settings: defaults, then ``FLASK_*`` environment variables, then ``test_config``.

    ``STOREFRONT_AUTO_MIGRATE`` (default on) migrates the database at start, and
    ``STOREFRONT_SEED_DEMO`` (default on) seeds the demo catalog and staff account; turn
    both off in production and run ``flask db upgrade`` instead. The instance folder
    (the SQLite file, the generated secret key) may be moved with the
    ``STOREFRONT_INSTANCE_PATH`` environment variable.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("STOREFRONT_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(app.instance_path) / 'storefront.sqlite3'}",
        STOREFRONT_CURRENCY="EUR",
        STOREFRONT_AUTO_MIGRATE=True,
        STOREFRONT_SEED_DEMO=True,
        LEADCAPTURE_SHOP_NAME="Leaf & Kettle",
        # The demo tells its story in minutes: a guest cart is abandoned after one idle
        # minute and its first recovery email is due at once (the plug-in's own defaults,
        # for real shops, are an hour and 1, 24, 72 hours).
        LEADCAPTURE_ABANDONED_AFTER_MINUTES=1,
        LEADCAPTURE_RECOVERY_SCHEDULE_HOURS=(0, 24, 72),
        LEADCAPTURE_RECOVERY_DISCOUNT_PERCENT=10,
        STOREFRONT_DEMO_STAFF_PASSWORD="demo-staff-password",  # noqa: S106 (the documented demo login)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        STOREFRONT_LOGIN_RATE_LIMIT="10 per minute",
        STOREFRONT_REGISTER_RATE_LIMIT="5 per minute",
        STOREFRONT_CAPTURE_RATE_LIMIT="30 per minute",
        STOREFRONT_CAPTURE_SESSION_RATE_LIMIT="10 per 10 minutes",
        # Larger bodies get 413 before they are read (the import upload has its own limit).
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        # A broker (redis://…) moves the plug-in's work to a Celery worker: worker.py.
        STOREFRONT_CELERY_BROKER_URL=None,
        STOREFRONT_CELERY_QUEUE="leadcapture",
        STOREFRONT_CELERY_VISIBILITY_TIMEOUT=3600,
    )
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)

    app.url_map.converters["slug"] = SlugConverter
    db.init_app(app)
    tune_sqlite(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    migrate.init_app(app, db, directory=MIGRATIONS)
    languages.init_app(app)  # before the plug-in, whose pages follow the shop's choice
    leadcapture.init_app(app)
    signals.personal_data_erased.connect(privacy.forget)

    from . import accounts, capture, cart_views, catalog, checkout, security

    for blueprint in (catalog.bp, cart_views.bp, accounts.bp, checkout.bp, capture.bp):
        app.register_blueprint(blueprint)
    if app.config["STOREFRONT_CELERY_BROKER_URL"]:
        from .background import make_celery

        make_celery(app)
    cli.register(app)
    errors.register(app)
    security.secure(app)

    @app.context_processor
    def shop_context() -> dict[str, Any]:
        from . import cart

        if not has_request_context():
            return {}
        from .forms import LogoutForm

        return {"cart_count": cart.count(), "logout_form": LogoutForm()}

    if app.config["STOREFRONT_AUTO_MIGRATE"]:
        with app.app_context():
            upgrade_tables()
            upgrade(directory=MIGRATIONS)
            if app.config["STOREFRONT_SEED_DEMO"]:
                from .seed import seed_demo

                password = app.config["STOREFRONT_DEMO_STAFF_PASSWORD"]
                if seed_demo(db.session, password):
                    _welcome(password)
    return app


def _welcome(password: str) -> None:
    """Said once, on the demo's first start: where to go and how to sign in."""
    from .seed import DEMO_STAFF_EMAIL

    print(  # noqa: T201 (a message for the person who just started the demo)
        "Leaf & Kettle, the Leadcapture demo, is ready.\n"
        "  Shop:        http://127.0.0.1:5000/\n"
        "  Back office: http://127.0.0.1:5000/backoffice/\n"
        f"  Sign in as:  {DEMO_STAFF_EMAIL} / {password}\n"
        'A guest cart with an email is abandoned after a minute; then press "Run sweep now" '
        "on the back office's Abandoned carts page and find its first recovery email in the "
        "Outbox.",
        file=sys.stderr,
    )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    from .sessions import user_of_session

    return user_of_session(user_id)
