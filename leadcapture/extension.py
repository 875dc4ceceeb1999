"""The extension object a host creates: ``LeadCapture(app, db=db)`` or ``init_app``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from . import i18n, schema
from .attribution import remember_visit
from .config import apply_defaults
from .events import receivers
from .models import TrackedCart
from .webuser import WebUser, current_web_user, is_staff_user, user_display_name


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
    :param restore_cart: ``restore_cart(lines, discount_code) -> response``: put the
        lines of a recovered cart into this browser's cart; called when a shopper opens
        a restore link. Default: redirect to ``/``.
    :param load_user: ``load_user(user_id) -> user | None``: the host's user for an id
        (a string), e.g. ``lambda user_id: db.session.get(User, int(user_id))``. The back
        office needs it (bearer tokens, calendar feeds and staff ids name users by id), so
        with the back office mounted it is required; raising ``ValueError`` or
        ``TypeError`` for an id it cannot read counts as "no such user".
    :param staff_users: ``staff_users() -> iterable of (user_id, name)``: the staff users
        leads may be assigned to, shown by name in the back office. Default: none listed;
        an id typed by staff is checked with ``load_user`` and ``is_staff``.
    :param discount_code: ``discount_code(cart, step, percent) -> str | None``: a
        single-use code of ``percent`` off for recovery email ``step`` (1, 2, …), asked
        for the steps the owner gave a code; ``None`` for none. Without it no email has
        a code.
    :param display_name: ``display_name(user) -> str``: how the back office and the
        leads name a user of the host; default: its ``full_name``, ``name`` or
        ``username``, else its email.

    Settings (``LEADCAPTURE_*``): listed and explained with their defaults in
    :data:`leadcapture.config.DEFAULTS`. Unknown ``LEADCAPTURE_`` keys are refused.

    Set up Flask-Migrate and Flask-WTF's ``CSRFProtect`` before this extension: it joins
    the former's ``flask db upgrade`` and exempts its one-click unsubscribe from the latter.

    The plug-in's tables have their own migrations (:mod:`leadcapture.schema`): with
    Flask-Migrate, the host's ``flask db upgrade`` applies them too; without it, ``flask
    leads db upgrade``. Until they are current, requests fail with
    :class:`~leadcapture.schema.TablesNotReady`, whose message names the command.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: SQLAlchemy | None = None,
        is_staff: Callable[[Any], bool] | None = None,
        current_user: Callable[[], WebUser | None] | None = None,
        restore_cart: Callable[[list[dict[str, Any]], str | None], Any] | None = None,
        discount_code: Callable[[TrackedCart, int, int], str | None] | None = None,
        load_user: Callable[[str], Any] | None = None,
        staff_users: Callable[[], Iterable[tuple[Any, str]]] | None = None,
        display_name: Callable[[Any], str] | None = None,
    ) -> None:
        self.staff_users = staff_users
        self.display_name = display_name or user_display_name
        self._load_user = load_user
        self.db = db
        self.restore_cart = restore_cart
        self.discount_code = discount_code
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
        if app.config["LEADCAPTURE_BACKOFFICE"] and self._load_user is None:
            raise RuntimeError(
                "LeadCapture's back office needs load_user=…, which finds your user by id,"
                " e.g. load_user=lambda user_id: db.session.get(User, int(user_id));"
                " or set LEADCAPTURE_BACKOFFICE = False."
            )
        app.extensions["leadcapture"] = self
        i18n.init_app(app)
        app.before_request(remember_visit)

        from .backoffice import bp as backoffice_bp
        from .backoffice.api import api as api_bp
        from .cli import leads_cli
        from .web import bp as portal_bp
        from .web.assets import bp as static_bp
        from .web.links import bp as links_bp
        from .web.webform import bp as webform_bp

        config = app.config
        if config["LEADCAPTURE_PORTAL"]:
            app.register_blueprint(portal_bp, url_prefix=config["LEADCAPTURE_PORTAL_URL_PREFIX"])
        if config["LEADCAPTURE_BACKOFFICE"]:
            prefix = config["LEADCAPTURE_BACKOFFICE_URL_PREFIX"]
            app.register_blueprint(backoffice_bp, url_prefix=prefix)
            app.register_blueprint(api_bp, url_prefix=prefix + "/api")
        app.register_blueprint(links_bp, url_prefix=config["LEADCAPTURE_LINKS_URL_PREFIX"])
        app.register_blueprint(static_bp, url_prefix=config["LEADCAPTURE_LINKS_URL_PREFIX"])
        if config["LEADCAPTURE_WEBFORM"]:
            app.register_blueprint(webform_bp, url_prefix=config["LEADCAPTURE_LINKS_URL_PREFIX"])
        app.cli.add_command(leads_cli, name=config["LEADCAPTURE_CLI_GROUP"])
        csrf = app.extensions.get("csrf")
        if csrf is not None:  # the one-click unsubscribe POST comes from mail clients
            csrf.exempt("leadcapture.web.links.unsubscribe_link")
            csrf.exempt(api_bp)  # bearer tokens carry no CSRF token; sessions are checked
            csrf.exempt(webform_bp)  # posted from any site, acting for nobody: see its module
        receivers.connect(app)
        schema.join_flask_migrate(app)

        @app.before_request
        def tables_ready() -> None:
            schema.ensure_ready(app)

    def load_user(self, user_id: str) -> Any:
        """The host's user object for ``user_id`` (bearer tokens name their staff user)."""
        if self._load_user is None:
            return None
        try:
            return self._load_user(user_id)
        except (ValueError, TypeError):  # an id the host cannot read is nobody's
            return None

    @property
    def session(self) -> Session:
        assert self.db is not None
        return self.db.session  # type: ignore[return-value]
