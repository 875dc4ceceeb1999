"""Opportunities and quotations: light records against a lead that drive its status."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from . import fields, history
from .constants import MAX_ID
from .errors import ValidationError
from .history import record
from .i18n import gettext
from .leads import apply_trigger
from .models import Lead, Opportunity, Quotation, TrackedCart
from .status import Trigger
from .transactions import DBSession


def _amount(field: str, value: Any, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationError.single(field, gettext("This field is required."))
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError.single(field, gettext("Must be an amount.")) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError.single(field, gettext("Must be a positive amount."))
    return amount.quantize(Decimal("0.01"))


def make_opportunity(
    session: DBSession, lead: Lead, *, title: Any, amount: Any = None, by: str | None = None
) -> Opportunity:
    opportunity = Opportunity(
        lead_id=lead.id,
        title=fields.text("title", title, max_length=200, required=True),
        amount=_amount("amount", amount),
        created_by=by,
    )
    session.add(opportunity)
    said = history.OPPORTUNITY_MADE % {"title": opportunity.title}
    record(session, lead=lead, subject=said, by=by)
    apply_trigger(session, lead, Trigger.OPPORTUNITY_MADE, by=by)
    return opportunity


def make_quotation(
    session: DBSession,
    lead: Lead,
    *,
    cart_id: Any = None,
    total: Any = None,
    currency: str = "EUR",
    by: str | None = None,
) -> Quotation:
    """A quotation for a total, or from one of the lead's carts (its lines and total)."""
    if cart_id not in (None, ""):
        key = str(cart_id)
        cart = (
            session.get(TrackedCart, int(key)) if key.isdigit() and 0 < int(key) <= MAX_ID else None
        )
        if cart is None or cart.lead_id != lead.id:
            raise ValidationError.single("cart_id", gettext("Not a cart of this lead."))
        quotation = Quotation(
            lead_id=lead.id,
            cart_id=cart.id,
            lines=cart.lines,
            total=cart.total,
            currency=cart.currency,
            created_by=by,
        )
    else:
        quotation = Quotation(
            lead_id=lead.id,
            lines=[],
            total=_amount("total", total, required=True),
            currency=(fields.text("currency", currency, max_length=3, required=True) or "").upper(),
            created_by=by,
        )
    session.add(quotation)
    session.flush()
    record(
        session,
        lead=lead,
        by=by,
        subject=history.QUOTATION_MADE
        % {"id": quotation.id, "total": quotation.total, "currency": quotation.currency},
    )
    apply_trigger(session, lead, Trigger.QUOTATION_MADE, by=by)
    return quotation


def mark_quotation_lost(
    session: DBSession, lead: Lead, quotation_id: int, *, reason: Any = None, by: str | None = None
) -> Quotation:
    quotation = session.get(Quotation, quotation_id)
    if quotation is None or quotation.lead_id != lead.id:
        raise ValidationError.single("quotation_id", gettext("Not a quotation of this lead."))
    quotation.status = "Lost"
    quotation.lost_reason = fields.text("reason", reason, max_length=240)
    record(
        session,
        lead=lead,
        by=by,
        subject=history.QUOTATION_LOST_BECAUSE
        % {"id": quotation.id, "reason": quotation.lost_reason}
        if quotation.lost_reason
        else history.QUOTATION_LOST % {"id": quotation.id},
    )
    apply_trigger(session, lead, Trigger.QUOTATION_LOST, by=by)
    return quotation
