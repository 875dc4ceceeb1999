"""The Webhooks page: the endpoints staff register, and the log of every delivery."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from sqlalchemy import select

from ..errors import ValidationError
from ..handoff import handoff_of
from ..i18n import gettext
from ..models import Webhook, WebhookDelivery
from ..transactions import current_session, in_transaction
from ..web.forms import show_errors
from ..web.ids import ID
from ..webhooks import EVENTS, DeliveryRules, add_webhook, deliver_one, resend
from ..webhooks import delete_webhook as delete
from ..webhooks import toggle_webhook as toggle
from . import bp
from .forms import SweepForm, WebhookForm


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks() -> Any:
    """Register an endpoint; see each one's secret and the latest deliveries."""
    session = current_session()
    config = current_app.config
    form = WebhookForm()
    status = 200
    if form.validate_on_submit():
        by = g.leadcapture_staff.id
        allow = bool(config["LEADCAPTURE_WEBHOOKS_ALLOW_PRIVATE"])
        try:
            in_transaction(
                session, lambda: add_webhook(session, form.data, allow_private=allow, by=by)
            )
        except ValidationError as error:
            show_errors(form, error)
            status = 400
        else:
            flash(
                gettext(
                    "Endpoint added. Its secret is below: the receiver checks signatures with it."
                )
            )
            return redirect(url_for(".webhooks"))
    elif form.is_submitted():
        status = 400
    endpoints = list(session.scalars(select(Webhook).order_by(Webhook.id)))
    deliveries = session.scalars(
        select(WebhookDelivery)
        .order_by(WebhookDelivery.id.desc())
        .limit(config["LEADCAPTURE_PAGE_SIZE"])
    )
    return render_template(
        "leadcapture/backoffice/webhooks.html",
        form=form,
        endpoints=endpoints,
        urls={endpoint.id: endpoint.url for endpoint in endpoints},
        deliveries=list(deliveries),
        events=EVENTS,
        button=SweepForm(),
    ), status


@bp.route(f"/webhooks/<{ID}:webhook_id>/toggle", methods=["POST"])
def toggle_webhook(webhook_id: int) -> Any:
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    if in_transaction(session, lambda: toggle(session, webhook_id)) is None:
        abort(404)
    return redirect(url_for(".webhooks"))


@bp.route(f"/webhooks/<{ID}:webhook_id>/delete", methods=["POST"])
def delete_webhook(webhook_id: int) -> Any:
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    if in_transaction(session, lambda: delete(session, webhook_id)) is None:
        abort(404)
    flash(gettext("Endpoint removed, with its deliveries."))
    return redirect(url_for(".webhooks"))


@bp.route(f"/webhooks/deliveries/<{ID}:delivery_id>/resend", methods=["POST"])
def resend_delivery(delivery_id: int) -> Any:
    """Post a delivery again now (with Celery: hand it to a task)."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    if in_transaction(session, lambda: resend(session, delivery_id)) is None:
        abort(404)
    handoff = handoff_of(current_app)  # type: ignore[arg-type]
    if handoff is not None and handoff.webhook is not None:
        handoff.webhook(delivery_id)
        flash(gettext("The delivery is queued to be sent again."))
    else:
        outcome = deliver_one(session, delivery_id, DeliveryRules.of(current_app.config))
        flash(
            gettext("Delivered.")
            if outcome == "delivered"
            else gettext("Not delivered; the answer is below."),
            "success" if outcome == "delivered" else "error",
        )
    return redirect(url_for(".webhooks"))
