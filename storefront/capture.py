"""A guest's email, captured as it is typed at checkout (with consent, and a way out)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from leadcapture import signals, within_rate_limit

from . import cart
from .forms import TRIM, ShopForm

bp = Blueprint("capture", __name__)


class CaptureEmailForm(ShopForm):
    """Read from JSON; CSRF comes in the ``X-CSRFToken`` header (checked by CSRFProtect)."""

    class Meta:
        csrf = False

    email = EmailField("Email", filters=TRIM, validators=[DataRequired(), Email(), Length(max=254)])


def _json_object() -> Any:
    """The body as JSON, or ``None``: nesting too deep for the parser is no JSON either."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def declined() -> bool:
    return bool(session.get("capture_declined"))


TOO_MANY = "Too many emails from here; wait a while and try again."


@bp.route("/checkout/email", methods=["POST"])
def capture_email() -> Any:
    """Anyone may type anyone's address here, so it is limited per client address and
    per browser session (the plug-in also sends one series per address, whatever comes)."""
    config = current_app.config
    if not within_rate_limit(
        "checkout-email", config["STOREFRONT_CAPTURE_RATE_LIMIT"]
    ) or not within_rate_limit(
        "checkout-email-session",
        config["STOREFRONT_CAPTURE_SESSION_RATE_LIMIT"],
        key=cart.cart_id(None),
    ):
        return jsonify(errors={"email": [TOO_MANY]}), 429
    payload = _json_object()
    if not isinstance(payload, dict):
        return jsonify(errors={"email": ["Send a JSON object with an email."]}), 400
    form = CaptureEmailForm(formdata=None, data={"email": payload.get("email")})
    if not isinstance(payload.get("email"), str) or not form.validate():
        messages = form.errors.get("email") or ["Must be text."]
        return jsonify(errors={"email": list(messages)}), 400
    if current_user.is_authenticated or declined():
        return "", 204
    signals.checkout_email_given.send(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        cart_id=cart.cart_id(None),
        email=form.email.data,
    )
    return "", 204


@bp.route("/checkout/no-thanks", methods=["POST"])
def no_thanks() -> Any:
    """Turn capture off for this shopper: the email typed is forgotten, no reminders."""
    session["capture_declined"] = True
    signals.email_capture_declined.send(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        cart_id=cart.cart_id(None),
    )
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    return redirect(url_for("checkout.checkout"))
