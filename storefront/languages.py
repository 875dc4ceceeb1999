"""The shopper's language: chosen in the footer (kept in the session), else the
browser's. The shop's own pages are in English; the plug-in's pages (the address form,
the web form, the links in emails) and its emails follow the choice, and the shop sends
it with its signals so a lead's recovery emails go out in it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, has_request_context, redirect, request, session
from flask_babel import Babel

from .safety import safe_next

#: What the demo offers: the plug-in's two catalogs.
LANGUAGES = {"en": "English", "pt": "Português"}

bp = Blueprint("languages", __name__)


def current_language() -> str:
    """The shopper's language, worked out once per request."""
    if not has_request_context():
        return "en"
    if "shop_language" not in g:
        chosen = session.get("language")
        g.shop_language = (
            str(chosen)
            if chosen in LANGUAGES
            else request.accept_languages.best_match(list(LANGUAGES)) or "en"
        )
    return str(g.shop_language)


@bp.route("/language/<code>")
def choose(code: str) -> Any:
    """Keep the choice and go back where the shopper was (on this site only)."""
    if code in LANGUAGES:
        session["language"] = code
        g.pop("shop_language", None)
    return redirect(safe_next(request.args.get("next")) or "/")


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=current_language)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(shop_languages=LANGUAGES, shop_language=current_language)
