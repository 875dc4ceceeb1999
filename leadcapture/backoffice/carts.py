"""The back office's abandoned carts, and a sweep run from the browser."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from .. import fields, reports
from ..dayranges import report_range
from ..errors import ValidationError
from ..i18n import gettext
from ..models import TrackedCart
from ..models.base import utcnow
from ..recovery_report import cart_emails, recovery_report
from ..sweep import run_sweep
from ..transactions import current_session
from ..web.ids import ID, row_id
from . import bp
from .forms import SweepForm


@bp.route("/carts")
def carts() -> Any:
    """The carts past shopping, newest first, a state at a time if asked and a keyset page
    at a time, with each state's count and value and the recovery report's figures."""
    session = current_session()
    problems: dict[str, list[str]] = {}
    try:
        state = fields.choice("state", request.args.get("state"), reports.LISTED_STATES)
    except ValidationError as error:
        problems.update(error.errors)
        state = None
    try:
        before = row_id(request.args.get("before"))
    except ValueError:
        problems["before"] = [gettext("Must be a cart's number.")]
        before = None
    rows, older = reports.cart_page(
        session,
        limit=int(current_app.config["LEADCAPTURE_PAGE_SIZE"]),
        state=state,
        before=before,
    )
    totals, recovered = reports.cart_totals(session)
    try:
        start, end = report_range(
            request.args.get("from"), request.args.get("to"), today=utcnow().date()
        )
    except ValidationError as error:
        problems.update(error.errors)
        start, end = report_range(None, None, today=utcnow().date())
    return render_template(
        "leadcapture/backoffice/carts.html",
        carts=rows,
        older=older,
        state=state,
        states=reports.LISTED_STATES,
        totals=totals,
        recovered=recovered,
        report=recovery_report(session, start, end),
        problems=problems,
        form=SweepForm(),
        age=lambda cart: _age(cart.abandoned_at),
    )


@bp.route(f"/carts/<{ID}:cart_id>")
def cart(cart_id: int) -> Any:
    """One cart: its lines and value, each recovery email with when it went, whether the
    link was opened, and the order that recovered it."""
    session = current_session()
    found = session.get(TrackedCart, cart_id)
    if found is None:
        abort(404)
    return render_template(
        "leadcapture/backoffice/cart.html", cart=found, emails=cart_emails(session, cart_id)
    )


def _age(since: datetime | None) -> str:
    """How long ago, the way a person says it: 45 min, 5 h, 3 d."""
    if since is None:
        return ""
    minutes = int((utcnow() - since).total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


@bp.route("/carts/sweep", methods=["POST"])
def sweep_now() -> Any:
    """Run a sweep from the browser: the demo needs no cron."""
    if not SweepForm().validate_on_submit():
        abort(400)
    result = run_sweep(current_session())
    flash(gettext("Sweep done: %(summary)s.", summary=result), "success")
    return redirect(url_for(".carts"))
