"""The back office's overview pages: today's follow-ups and the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from .. import reports
from ..dayranges import day_bounds, report_range
from ..errors import ValidationError
from ..followups import calendar_token, due_for, replace_calendar_token
from ..i18n import gettext
from ..models.base import utcnow
from ..transactions import current_session, in_transaction
from . import bp
from .forms import SweepForm


@bp.route("/today")
def today() -> Any:
    """The signed-in staff user's follow-ups due today or overdue, and their calendar feed."""
    user_id = g.leadcapture_staff.id
    session = current_session()
    return render_template(
        "leadcapture/backoffice/today.html",
        leads=due_for(session, user_id, today=date.today()),
        today=date.today(),
        feed_url=url_for(
            "leadcapture_links.calendar", token=calendar_token(session, user_id), _external=True
        ),
        replace_form=SweepForm(),
    )


@bp.route("/today/calendar", methods=["POST"])
def replace_calendar() -> Any:
    """A new secret calendar-feed URL; the old one stops working."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    user_id = g.leadcapture_staff.id
    in_transaction(session, lambda: replace_calendar_token(session, user_id))
    flash(gettext("Your calendar feed has a new address; the old one no longer works."), "success")
    return redirect(url_for(".today"))


@bp.route("/dashboard")
def dashboard() -> Any:
    """The funnel, leads by source over time, conversion by source (SVG charts), and for
    a date range leads, conversions and recovered revenue by source and by campaign."""
    session = current_session()
    weeks, by_source = reports.leads_by_source(session)
    today = utcnow().date()
    problems: dict[str, list[str]] = {}
    try:
        first, last = report_range(request.args.get("from"), request.args.get("to"), today=today)
    except ValidationError as error:  # named on the page, the last 30 days shown instead
        problems = error.errors
        first, last = report_range(None, None, today=today)
    start, end = day_bounds(first, last)
    return render_template(
        "leadcapture/backoffice/dashboard.html",
        funnel=reports.funnel(session),
        weeks=weeks,
        by_source=by_source,
        week_totals=[sum(column) for column in zip(*by_source.values(), strict=True)]
        if by_source
        else [0] * len(weeks),
        conversion=reports.conversion_by_source(session),
        dead_events=reports.dead_events(session),
        first=first,
        last=last,
        problems=problems,
        sources=reports.attribution(session, start, end, by="source"),
        campaigns=reports.attribution(session, start, end, by="campaign"),
        # The legend's swatches in backoffice.css follow these, in this order.
        palette=["#2d5a27", "#c2703d", "#3d7ec2", "#9b3dc2", "#c23d5a", "#7a7a2d", "#2d7a7a"],
    ), 400 if problems else 200
