"""The back office's customers: the list, newest first, and a customer's page with its
contacts, addresses, carts and history (the lead's, linked at its conversion, and what
came after), linked both ways with the lead it was made from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, current_app, render_template, request
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..customerlist import customer_search
from ..errors import ValidationError
from ..i18n import gettext
from ..models import Customer, TrackedCart
from ..transactions import current_session
from ..web.ids import ID, row_id
from . import bp


@bp.route("/customers")
def customers() -> Any:
    """A page of customers, newest first, those ``q`` finds if it is given, with the next
    page's key."""
    problems: dict[str, str] = {}
    try:
        before = row_id(request.args.get("before"))
    except ValueError:
        problems["before"] = gettext("Must be a customer's number.")
        before = None
    try:
        found = customer_search(request.args.get("q"))
    except ValidationError as error:
        problems.update((name, " ".join(messages)) for name, messages in error.errors.items())
        found = None
    limit = int(current_app.config["LEADCAPTURE_PAGE_SIZE"])
    query = select(Customer).options(selectinload(Customer.contacts), selectinload(Customer.lead))
    if before is not None:
        query = query.where(Customer.id < before)
    if found is not None:
        query = query.where(found)
    rows = list(current_session().scalars(query.order_by(Customer.id.desc()).limit(limit + 1)))
    older = rows[limit - 1].id if len(rows) > limit else None
    return render_template(
        "leadcapture/backoffice/customers.html",
        customers=rows[:limit],
        older=older,
        q=request.args.get("q", "") if "q" not in problems else "",
        problems=problems,
    )


@bp.route(f"/customers/<{ID}:customer_id>")
def customer(customer_id: int) -> Any:
    session = current_session()
    found = session.get(Customer, customer_id)
    if found is None:
        abort(404)
    # Its carts: recorded against it, abandoned by its lead, or of its contacts' accounts.
    theirs = TrackedCart.customer_id == found.id
    if found.lead_id is not None:
        theirs = or_(theirs, TrackedCart.lead_id == found.lead_id)
    if users := {c.user_id for c in found.contacts if c.user_id}:
        theirs = or_(theirs, TrackedCart.user_id.in_(users))
    carts = list(session.scalars(select(TrackedCart).where(theirs).order_by(TrackedCart.id.desc())))
    ordered = [cart for cart in carts if cart.checked_out_at is not None]
    spent: dict[str, Decimal] = {}
    for cart in ordered:
        spent[cart.currency] = spent.get(cart.currency, Decimal(0)) + cart.total
    return render_template(
        "leadcapture/backoffice/customer.html",
        customer=found,
        carts=carts,
        orders=len(ordered),
        spent=spent,
    )
