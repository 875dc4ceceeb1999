"""The extension object a host creates: ``LeadCapture(app, db=db)`` or ``init_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from . import receivers
from .config import apply_defaults
from .migrations import configure_alembic
from .webuser import WebUser, current_web_user, is_staff_user


class LeadCapture:
    """Turns what shoppers do in a Flask shop into CRM leads.

    :param app: the Flask app, or ``None`` to call :meth:`init_app` later.
    :param db: the host's Flask-SQLAlchemy object; the plug-in works in its session,
        so its writes share the host's database and transactions.
    :param is_staff: ``is_staff(user) -> bool`` for the signed-in user object; default:
        the user's ``is_staff`` attribute. Staff may use the back office.
    :param current_user: ``current_user() -> WebUser | None``, the signed-in shopper;
        default: Flask-Login's ``current_user``, read through its ``get_id()``,
        ``email`` and ``full_name`` (or ``name``).

    Settings (``LEADCAPTURE_*``, defaults in :data:`leadcapture.config.DEFAULTS`):
    ``PORTAL_URL_PREFIX`` (``/account``), ``BACKOFFICE_URL_PREFIX`` (``/backoffice``),
    ``PAGE_SIZE`` (50). Unknown ``LEADCAPTURE_`` keys are refused.

    When the host uses Flask-Migrate, the plug-in's migrations join the host's as a
    branch labelled ``leadcapture``; ``flask db upgrade heads`` applies both.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: SQLAlchemy | None = None,
        is_staff: Callable[[Any], bool] | None = None,
        current_user: Callable[[], WebUser | None] | None = None,
    ) -> None:
        self.db = db
        self.is_staff = is_staff or is_staff_user
        self.current_user = current_user or current_web_user
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if "leadcapture" in app.extensions:
            raise RuntimeError("Leadcapture is already registered on this app.")
        if self.db is None:
            raise RuntimeError("LeadCapture needs the host's Flask-SQLAlchemy object: db=...")
        apply_defaults(app)
        app.extensions["leadcapture"] = self

        from .backoffice import bp as backoffice_bp
        from .web import bp as portal_bp

        app.register_blueprint(portal_bp, url_prefix=app.config["LEADCAPTURE_PORTAL_URL_PREFIX"])
        app.register_blueprint(
            backoffice_bp, url_prefix=app.config["LEADCAPTURE_BACKOFFICE_URL_PREFIX"]
        )
        receivers.connect(app)
        migrate_state = app.extensions.get("migrate")
        if migrate_state is not None:
            migrate_state.migrate.configure(configure_alembic)

    @property
    def session(self) -> Session:
        assert self.db is not None
        return self.db.session  # type: ignore[return-value]
