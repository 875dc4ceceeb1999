"""The back office's overview pages: today's follow-ups and the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from .. import reports
from ..dayranges import day_bounds, report_range
from ..errors import ValidationError
from ..followups import (
    calendar_token,
    coming_for,
    count_due_for,
    due_for,
    finish_follow_up,
    is_due,
    last_contacts,
    replace_calendar_token,
)
from ..i18n import gettext
from ..models import HistoryEntry, Lead
from ..models.base import utcnow
from ..transactions import DBSession, current_session, in_transaction
from ..web.forms import show_errors
from ..web.ids import ID
from . import bp
from .forms import FollowUpForm, SweepForm

#: The most follow-ups the Today page shows, the most overdue first.
TODAY_MOST = 100


def _today_page(failed: FollowUpForm | None = None, failed_id: int | None = None) -> Any:
    """The follow-ups with a form each to mark it done; ``failed`` the form of
    ``failed_id`` that was refused, shown with its errors."""
    user_id = g.leadcapture_staff.id
    session = current_session()
    today = date.today()
    leads = due_for(session, user_id, today=today, limit=TODAY_MOST)
    due = count_due_for(session, user_id, today=today) if len(leads) == TODAY_MOST else len(leads)
    forms = {
        lead.id: failed
        if failed is not None and lead.id == failed_id
        else FollowUpForm(
            prefix=FollowUpForm.prefix_of(lead.id),
            formdata=None,
            data={"due": lead.next_contact_date},
        )
        for lead in leads
    }
    return render_template(
        "leadcapture/backoffice/today.html",
        leads=leads,
        due=due,
        forms=forms,
        said=last_contacts(session, [lead.id for lead in leads]),
        coming=coming_for(session, user_id, today=today),
        today=today,
        feed_url=url_for(
            "leadcapture_links.calendar", token=calendar_token(session, user_id), _external=True
        ),
        replace_form=SweepForm(),
    )


def finish_as_typed(session: DBSession, lead: Lead, form: FollowUpForm) -> HistoryEntry:
    """The lead's follow-up done as the signed-in staff user typed it in ``form``."""
    return finish_follow_up(
        session,
        lead,
        due=form.due.data,
        next_date=form.next_contact_date.data,
        note=form.note.data,
        by=g.leadcapture_staff.id,
        today=date.today(),
    )


@bp.route("/today")
def today() -> Any:
    """The signed-in staff user's follow-ups due today or overdue, each with what was last
    said and a form to mark it done, and their calendar feed."""
    return _today_page()


@bp.route(f"/today/<{ID}:lead_id>/done", methods=["POST"])
def follow_up_done(lead_id: int) -> Any:
    """A follow-up done, the next one set or none; refused, the page shows why."""
    session = current_session()
    lead = session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    form = FollowUpForm(prefix=FollowUpForm.prefix_of(lead_id))
    if form.validate_on_submit():
        try:
            in_transaction(session, lambda: finish_as_typed(session, lead, form))
        except ValidationError as error:
            if "due" not in error.errors:
                show_errors(form, error)
                return _today_page(form, lead_id), 400
            # Done or moved by another hand: the list as it is now says the rest.
            flash(" ".join(error.errors["due"]), "error")
        else:
            flash(form.done_message(lead.display_name), "success")
        return redirect(url_for(".today"))
    return _today_page(form, lead_id), 400


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
        follow_ups_due=session.scalar(
            select(func.count()).select_from(Lead).where(is_due(date.today()))
        ),
        first=first,
        last=last,
        problems=problems,
        sources=reports.attribution(session, start, end, by="source"),
        campaigns=reports.attribution(session, start, end, by="campaign"),
        # The legend's swatches in backoffice.css follow these, in this order.
        palette=["#2d5a27", "#c2703d", "#3d7ec2", "#9b3dc2", "#c23d5a", "#7a7a2d", "#2d7a7a"],
    ), 400 if problems else 200
