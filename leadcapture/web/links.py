"""Links in emails: restore a cart on any device, unsubscribe in one click, or have
everything held about you erased ("forget me")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import followups, tokens
from ..models import Lead
from ..personal_data import erase_person
from ..recovery import open_restore_link, restorable_cart, unsubscribe
from ..transactions import current_session, in_transaction
from ..validators import HtmlForm

bp = Blueprint(
    "leadcapture_links",
    __name__,
    template_folder=str(Path(__file__).parent.parent / "templates"),
)


def _refused(error: tokens.TokenError | LookupError) -> Any:
    expired = isinstance(error, tokens.TokenError) and error.expired
    status = 410 if expired else 400 if isinstance(error, tokens.TokenError) else 404
    return render_template("leadcapture/links/invalid.html", expired=expired), status


class RestoreForm(HtmlForm):
    """The restore page's button: a POST with this browser's CSRF token."""


@bp.route("/restore/<token>", methods=["GET", "POST"])
def restore(token: str) -> Any:
    """GET shows the cart and asks (mail scanners open links: a GET changes nothing);
    the POST puts the lines into this browser's cart and makes the lead Interested."""
    config = current_app.config
    session = current_session()
    try:
        payload = tokens.read(
            tokens.RESTORE, token, max_age_days=config["LEADCAPTURE_RESTORE_LINK_MAX_AGE_DAYS"]
        )
        form = RestoreForm()
        if not form.validate_on_submit():
            cart = restorable_cart(session, payload)
            return render_template("leadcapture/links/restore.html", cart=cart, form=form)
        cart, code = in_transaction(session, lambda: open_restore_link(session, payload))
    except (tokens.TokenError, LookupError) as error:
        return _refused(error)
    restore_cart = current_app.extensions["leadcapture"].restore_cart
    if restore_cart is not None:
        return restore_cart(cart.lines, code)
    return redirect("/")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
def unsubscribe_link(token: str) -> Any:
    """GET asks (link scanners follow links); POST unsubscribes, also as RFC 8058's
    one-click POST from the mail client, which is why it needs no CSRF token."""
    config = current_app.config
    try:
        payload = tokens.read(
            tokens.UNSUBSCRIBE,
            token,
            max_age_days=config["LEADCAPTURE_UNSUBSCRIBE_LINK_MAX_AGE_DAYS"],
        )
        session = current_session()
        if request.method == "GET":
            return render_template(
                "leadcapture/links/unsubscribe.html", done=False, forget_form=ForgetForm()
            )
        in_transaction(session, lambda: unsubscribe(session, payload.get("lead")))
    except (tokens.TokenError, LookupError) as error:
        return _refused(error)
    return render_template(
        "leadcapture/links/unsubscribe.html", done=True, forget_form=ForgetForm()
    )


class ForgetForm(HtmlForm):
    """The unsubscribe page's Forget me: a POST with this browser's CSRF token (unlike
    the unsubscribe itself, no mail client posts it)."""


@bp.route("/forget/<token>", methods=["POST"])
def forget(token: str) -> Any:
    """Erase what is held about the unsubscribe link's lead: the link is the proof of
    the address, as it is for unsubscribing."""
    config = current_app.config
    if not ForgetForm().validate_on_submit():
        abort(400)
    try:
        payload = tokens.read(
            tokens.UNSUBSCRIBE,
            token,
            max_age_days=config["LEADCAPTURE_UNSUBSCRIBE_LINK_MAX_AGE_DAYS"],
        )
    except tokens.TokenError as error:
        return _refused(error)
    session = current_session()
    lead = session.get(Lead, payload.get("lead")) if isinstance(payload.get("lead"), int) else None
    if lead is not None and lead.email:
        email = lead.email
        in_transaction(session, lambda: erase_person(session, email, requested_by="unsubscribe"))
    return render_template("leadcapture/links/unsubscribe.html", done=True, forgotten=True)


@bp.route("/calendar/<token>.ics")
def calendar(token: str) -> Any:
    """A staff user's follow-ups as an iCalendar feed; the secret URL is the key. A
    replaced URL, or the URL of someone no longer staff, is not found."""
    if "leadcapture_backoffice" not in current_app.blueprints:
        abort(404)  # a host without the back office has no follow-ups to show
    session = current_session()
    try:
        user_id = followups.calendar_user(session, token)
    except tokens.TokenError:
        abort(404)
    extension = current_app.extensions["leadcapture"]
    user = extension.load_user(user_id)
    if user is None or not extension.is_staff(user):
        abort(404)
    body = followups.calendar_feed(
        session,
        user_id,
        lead_url=lambda lead: url_for(
            "leadcapture_backoffice.lead", lead_id=lead.id, _external=True
        ),
    )
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private"})
