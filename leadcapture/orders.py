"""A placed order, seen from the CRM: the buyer's lead is converted, once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import fields
from .addresses import ensure_address
from .carts import mark_checked_out
from .constants import MAX_NAME, AddressType, LeadSource, SystemEvent
from .conversion import convert_lead
from .history import record
from .leads import capture_lead, find_by_email, find_by_web_user, register_web_user
from .models import Customer
from .transactions import DBSession


def record_order(
    session: DBSession,
    *,
    order_id: str,
    email: str,
    full_name: str,
    total: Decimal | str,
    currency: str,
    user_id: str | None = None,
    phone: str | None = None,
    company_name: str | None = None,
    cart_id: str | None = None,
    billing_address: dict[str, Any] | None = None,
    shipping_address: dict[str, Any] | None = None,
) -> Customer:
    """Convert the buyer's lead (made on the spot if there is none) and note the order."""
    normalized = fields.email("email", email, required=True) or ""
    name = fields.text("full_name", full_name, max_length=MAX_NAME, required=True)
    user_key = str(user_id) if user_id is not None else None
    lead = find_by_web_user(session, user_key) if user_key else None
    if lead is None and user_key:
        lead = register_web_user(
            session,
            user_id=user_key,
            email=normalized,
            full_name=name or normalized,
            phone=phone,
            company_name=company_name,
        )
    if lead is None:
        lead = find_by_email(session, normalized, for_update=True)
    if lead is None:
        lead, _ = capture_lead(
            session,
            source=LeadSource.CHECKOUT,
            email=normalized,
            lead_name=name,
            phone=phone,
            company_name=company_name,
            is_organization=bool(company_name),
        )
    for kind, address in (
        (AddressType.BILLING, billing_address),
        (AddressType.SHIPPING, shipping_address),
    ):
        if address:
            ensure_address(session, lead, {**address, "address_type": kind}, by=user_key)
    record(
        session,
        lead=lead,
        event=SystemEvent.ORDER_PLACED,
        subject=f"Order {order_id} placed: {total} {currency}",
        data={"order_id": str(order_id), "total": str(total), "currency": currency},
        by=user_key,
    )
    if cart_id:
        mark_checked_out(session, cart_id=cart_id, order_ref=str(order_id))
    return convert_lead(
        session,
        lead,
        customer_name=name,
        user_id=user_key,
        email=normalized,
        phone=phone,
        by=user_key,
    )
