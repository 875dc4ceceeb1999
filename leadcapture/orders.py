"""A placed order, seen from the CRM: the buyer's lead is converted, once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import update

from . import fields, history, signals
from .addresses import clean_address, ensure_address
from .attribution import cleaned
from .carts import lock_carts, mark_checked_out
from .cartstates import CartMove, ends, starts
from .constants import MAX_NAME, AddressType, LeadSource, SystemEvent
from .conversion import convert_lead
from .errors import ValidationError
from .history import record
from .i18n import language_of
from .leads import (
    capture_lead,
    fill_empty,
    find_by_email,
    find_by_web_user,
    keep_valid,
    note_left_out,
    register_web_user,
)
from .models import Customer, Lead, TrackedCart
from .models.base import utcnow
from .oncommit import send_on_commit
from .transactions import DBSession


def mark_recovered(
    session: DBSession, lead: Lead, *, order_id: str, total: Decimal | str, currency: str
) -> int:
    """An order after a recovery email wins back the lead's abandoned carts; the others
    simply end. Returns how many carts were recovered."""
    now = utcnow()
    recovered = list(
        session.execute(
            update(TrackedCart)
            .where(
                TrackedCart.lead_id == lead.id,
                TrackedCart.state.in_(starts(CartMove.WON_BACK)),
                TrackedCart.emails_sent > 0,
            )
            .values(
                state=ends(CartMove.WON_BACK),
                recovered_at=now,
                recovered_value=Decimal(str(total)),
                next_email_at=None,
                order_ref=order_id,
            )
            .returning(TrackedCart.id, TrackedCart.link_opened_at)
            .execution_options(synchronize_session=False)
        )
    )
    for row in recovered:
        said = history.RECOVERED_WITH_LINK if row.link_opened_at else history.RECOVERED_WITHOUT_LINK
        record(
            session,
            lead=lead,
            event=SystemEvent.CART_RECOVERED,
            subject=said % {"order": order_id, "total": total, "currency": currency},
            data={
                "cart_id": row.id,
                "order_id": order_id,
                "value": str(total),
                "link_used": row.link_opened_at is not None,
            },
        )
    session.execute(
        update(TrackedCart)
        .where(TrackedCart.lead_id == lead.id, TrackedCart.state.in_(starts(CartMove.ENDED)))
        .values(state=ends(CartMove.ENDED), next_email_at=None)
        .execution_options(synchronize_session=False)
    )
    if recovered:
        send_on_commit(
            session,
            signals.cart_recovered,
            lead=lead,
            cart_ids=[row.id for row in recovered],
            order_id=order_id,
            total=str(total),
            currency=currency,
        )
    return len(recovered)


def _places(
    addresses: dict[AddressType, dict[str, Any] | None],
) -> tuple[dict[AddressType, dict[str, Any]], dict[str, list[str]]]:
    """The order's addresses the plug-in can keep, and the refusals of the others."""
    places: dict[AddressType, dict[str, Any]] = {}
    refused: dict[str, list[str]] = {}
    for kind, address in addresses.items():
        if not address:
            continue
        try:
            places[kind] = clean_address({**address, "address_type": kind})
        except ValidationError as error:
            label = f"{kind.value.lower()}_address"
            refused[label] = [f"{f}: {', '.join(m)}" for f, m in error.errors.items()]
    return places, refused


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
    language: str | None = None,
    attribution: dict[str, Any] | None = None,
) -> Customer:
    """Convert the buyer's lead (made on the spot if there is none) and note the order.

    Only the email and the name are needed: a part the plug-in cannot keep (a phone it
    refuses, an address without a city) is left out and said on the lead's history. A
    guest's order never writes into an account: its addresses stay on the order's history
    entry, and a lead that is known keeps its values (empty ones are filled).
    """
    normalized = fields.email("email", email, required=True) or ""
    name = fields.text("full_name", full_name, max_length=MAX_NAME, required=True) or ""
    user_key = str(user_id) if user_id is not None else None
    campaign = cleaned(attribution)
    kept, refused = keep_valid({"phone": phone, "company_name": company_name})
    places, refused_places = _places(
        {AddressType.BILLING: billing_address, AddressType.SHIPPING: shipping_address}
    )
    refused.update(refused_places)
    # Carts before leads, as the sweep takes them: the two never wait on each other in a
    # circle.
    lock_carts(session, cart_key=str(cart_id) if cart_id else None, email=normalized)
    # The lead is locked before anything refers to it: concurrent orders of one shopper
    # then queue on that row instead of deadlocking when the conversion locks it later.
    lead = find_by_web_user(session, user_key, for_update=True) if user_key else None
    if lead is None and user_key:
        lead = register_web_user(
            session,
            user_id=user_key,
            email=normalized,
            full_name=name or normalized,
            phone=kept["phone"],
            company_name=kept["company_name"],
        )
    if lead is None:
        lead = find_by_email(session, normalized, for_update=True)
    if lead is None:
        lead, _ = capture_lead(
            session,
            source=LeadSource.CHECKOUT,
            email=normalized,
            lead_name=name,
            phone=kept["phone"],
            company_name=kept["company_name"],
            is_organization=bool(kept["company_name"]),
        )
    elif user_key is None:
        fill_empty(lead, {"lead_name": name, **kept})
    if user_key is not None:
        for place in places.values():
            ensure_address(session, lead, place, by=user_key)
    record(
        session,
        lead=lead,
        event=SystemEvent.ORDER_PLACED,
        subject=history.ORDER_PLACED % {"order": order_id, "total": total, "currency": currency},
        data={
            "order_id": str(order_id),
            "total": str(total),
            "currency": currency,
            "full_name": name,
            "phone": kept["phone"],
            "addresses": {kind.value: place for kind, place in places.items()},
            **({"campaign": campaign} if campaign else {}),
        },
        by=user_key,
    )
    note_left_out(session, lead, history.ORDER_LEFT_OUT, refused, user_key, order=order_id)
    if lead.language is None:  # the buyer's language fills a gap, never replaces one
        lead.language = language_of(language)
    fill_empty(lead, campaign)  # so is the campaign the order came from
    if cart_id:
        mark_checked_out(session, cart_id=cart_id, order_ref=str(order_id))
    mark_recovered(session, lead, order_id=str(order_id), total=total, currency=currency)
    return convert_lead(
        session,
        lead,
        customer_name=name if user_key is not None else lead.lead_name or name,
        user_id=user_key,
        email=normalized,
        phone=kept["phone"] if user_key is not None else lead.phone,
        by=user_key,
    )
