"""The outbox page: every email written, what a failure kept back, and the dead events
staff retry or discard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select, text

from ..events import store as events
from ..i18n import gettext, ngettext
from ..mail.sending import rules_from, send_waiting
from ..models import Email, InboundEvent
from ..models.base import utcnow
from ..models.event import DEAD, PENDING
from ..transactions import current_session, in_transaction
from ..web.ids import ID
from . import bp
from .forms import SweepForm


@bp.route("/outbox")
def outbox() -> Any:
    """Every email the plug-in wrote (without SMTP settings this is where they wait), the
    captured events a failure kept back for a retry, and the dead ones."""
    session = current_session()
    page_size = current_app.config["LEADCAPTURE_PAGE_SIZE"]
    emails = session.scalars(select(Email).order_by(Email.id.desc()).limit(page_size))

    def kept(predicate: str) -> list[InboundEvent]:
        query = select(InboundEvent).where(text(predicate)).order_by(InboundEvent.id)
        return list(session.scalars(query.limit(page_size)))

    return render_template(
        "leadcapture/backoffice/outbox.html",
        emails=list(emails),
        waiting=kept(PENDING),
        dead=kept(DEAD),
        retry_form=SweepForm(),
    )


def _max_attempts() -> int:
    return int(current_app.config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"])


@bp.route("/outbox/retry", methods=["POST"])
def retry_now() -> Any:
    """Handle the kept events and send waiting emails now rather than at the sweep."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    config = current_app.config
    handled = events.retry(
        session, now=utcnow() + timedelta(days=1), max_attempts=_max_attempts()
    )  # due or not
    sending = send_waiting(session, config, rules=rules_from(config))
    flash(
        ngettext(
            "%(num)d kept event handled; %(sending)s.",
            "%(num)d kept events handled; %(sending)s.",
            handled,
            sending=sending,
        ),
        "success",
    )
    return redirect(url_for(".outbox"))


@bp.route(f"/outbox/events/<{ID}:event_id>/retry", methods=["POST"])
def retry_event(event_id: int) -> Any:
    """Try a dead event again, now, with its tries counted afresh."""
    if not SweepForm().validate_on_submit():
        abort(400)
    if events.revive(current_session(), event_id, max_attempts=_max_attempts()):
        flash(gettext("The event was handled."), "success")
    else:
        flash(gettext("The event failed again; its error is below."), "error")
    return redirect(url_for(".outbox"))


@bp.route(f"/outbox/events/<{ID}:event_id>/discard", methods=["POST"])
def discard_event(event_id: int) -> Any:
    """Give up on a dead event: it is kept as discarded until pruned."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    if not in_transaction(session, lambda: events.discard(session, event_id)):
        abort(404)
    flash(gettext("The event was discarded."), "success")
    return redirect(url_for(".outbox"))


@bp.route(f"/outbox/<{ID}:email_id>")
def outbox_email(email_id: int) -> Any:
    email = current_session().get(Email, email_id)
    if email is None:
        abort(404)
    return render_template("leadcapture/backoffice/email.html", email=email)
