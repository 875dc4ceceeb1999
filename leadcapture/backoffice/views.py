from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request
from sqlalchemy import func, select

from ..constants import LeadStatus
from ..models import Lead
from ..transactions import current_session
from . import bp


@bp.route("/")
def leads() -> Any:
    """Newest leads first, a page at a time (keyset on the key, never OFFSET)."""
    session = current_session()
    page_size = current_app.config["LEADCAPTURE_PAGE_SIZE"]
    before = request.args.get("before", type=int)
    query = select(Lead).order_by(Lead.id.desc()).limit(page_size + 1)
    if before is not None:
        query = query.where(Lead.id < before)
    rows = list(session.scalars(query))
    more = len(rows) > page_size
    rows = rows[:page_size]
    counts = dict(session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all())
    return render_template(
        "leadcapture/backoffice/leads.html",
        leads=rows,
        next_before=rows[-1].id if more else None,
        counts=[(status, counts.get(status, 0)) for status in LeadStatus],
    )


@bp.route("/leads/<int:lead_id>")
def lead(lead_id: int) -> Any:
    found = current_session().get(Lead, lead_id)
    if found is None:
        abort(404)
    return render_template("leadcapture/backoffice/lead.html", lead=found)
