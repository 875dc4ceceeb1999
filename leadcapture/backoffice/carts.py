"""The back office's abandoned carts, and a sweep run from the browser."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for

from .. import reports
from ..models.base import utcnow
from ..sweep import run_sweep
from ..transactions import current_session
from . import bp
from .forms import SweepForm


@bp.route("/carts")
def carts() -> Any:
    """Carts the plug-in tracks, newest activity first, with abandoned and recovered value."""
    rows, totals, recovered = reports.cart_page(
        current_session(), limit=int(current_app.config["LEADCAPTURE_PAGE_SIZE"])
    )
    return render_template(
        "leadcapture/backoffice/carts.html",
        carts=rows,
        totals=totals,
        recovered=recovered,
        form=SweepForm(),
        age=lambda cart: _age(cart.abandoned_at),
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
    flash(
        f"Sweep done: {result.abandoned} cart(s) abandoned, {result.leads_created} new "
        f"lead(s), {result.lost} lost, {result.written} recovery email(s) written; "
        f"{result.sending}.",
        "success",
    )
    return redirect(url_for(".carts"))
