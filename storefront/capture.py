"""A guest's email, captured as it is typed at checkout (with consent, and a way out)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from leadcapture import signals

from . import cart
from .forms import TRIM, ShopForm

bp = Blueprint("capture", __name__)


class CaptureEmailForm(ShopForm):
    """Read from JSON; CSRF comes in the ``X-CSRFToken`` header (checked by CSRFProtect)."""

    class Meta:
        csrf = False

    email = EmailField("Email", filters=TRIM, validators=[DataRequired(), Email(), Length(max=254)])


def declined() -> bool:
    return bool(session.get("capture_declined"))


@bp.route("/checkout/email", methods=["POST"])
def capture_email() -> Any:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(errors={"email": ["Send a JSON object with an email."]}), 400
    form = CaptureEmailForm(data={"email": payload.get("email")})
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
