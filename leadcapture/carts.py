"""The plug-in's record of the shop's carts, as reported through ``cart_changed``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, select

from . import fields
from .attribution import cleaned
from .cartstates import CartMove, can, moved
from .constants import CartState
from .errors import ValidationError
from .i18n import gettext, language_of
from .models import Contact, Lead, TrackedCart
from .models.base import utcnow
from .transactions import DBSession


def _money(field: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError.single(field, gettext("Must be an amount.")) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError.single(field, gettext("Must be a positive amount."))
    return amount.quantize(Decimal("0.01"))


def clean_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for i, line in enumerate(lines):
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or quantity < 0:
            raise ValidationError.single(f"lines[{i}].quantity", gettext("Must be a whole number."))
        if quantity == 0:
            continue
        cleaned.append(
            {
                "sku": fields.text(
                    f"lines[{i}].sku", str(line.get("sku", "")), max_length=64, required=True
                ),
                "name": fields.text(f"lines[{i}].name", line.get("name"), max_length=240) or "",
                "quantity": quantity,
                "unit_price": str(_money(f"lines[{i}].unit_price", line.get("unit_price"))),
            }
        )
    return cleaned


def record_cart(
    session: DBSession,
    *,
    cart_id: str,
    lines: list[dict[str, Any]],
    currency: str,
    user_id: str | None = None,
    email: str | None = None,
    updated_at: datetime | None = None,
    language: str | None = None,
    attribution: dict[str, Any] | None = None,
) -> TrackedCart:
    """Keep the plug-in's copy of a cart up to date (made on its first report)."""
    currency_code = (fields.text("currency", currency, max_length=3, required=True) or "").upper()
    clean = clean_lines(lines)
    cart = cart_for(session, cart_id)
    if updated_at is not None and cart.last_activity_at and updated_at < cart.last_activity_at:
        return cart  # a report older than what is known (a kept event handled late)
    if cart.checked_out_at is not None and clean:
        # The shop reuses the id of a checked-out cart: what follows is a new cart.
        cart.checked_out_at = None
        cart.order_ref = None
        cart.created_at = utcnow()
        cart.state = moved(cart.state, CartMove.REUSED)
        cart.emails_sent = 0
    elif clean and clean != cart.lines and can(cart.state, CartMove.CHANGED):
        # The shopper came back and changed it: shopping again, no reminders meanwhile.
        cart.state = moved(cart.state, CartMove.CHANGED)
        cart.next_email_at = None
    cart.lines = clean
    cart.item_count = sum(line["quantity"] for line in clean)
    cart.total = sum(
        (Decimal(line["unit_price"]) * line["quantity"] for line in clean), Decimal("0")
    )
    cart.currency = currency_code
    cart.last_activity_at = updated_at or utcnow()
    if user_id is not None:
        cart.user_id = str(user_id)
    cart.language = language_of(language) or cart.language
    for column, value in cleaned(attribution).items():  # the latest visit's campaign
        setattr(cart, column, value)
    if email and not cart.capture_declined:
        cart.email = fields.email("email", email)
    elif cart.email is None and cart.user_id is not None and not cart.capture_declined:
        cart.email = _email_of_user(session, cart.user_id)
    return cart


def find_cart(session: DBSession, cart_id: Any) -> TrackedCart | None:
    """The plug-in's cart for the shop's ``cart_id``, locked for this transaction: the one
    way every cart report finds its cart."""
    query = select(TrackedCart).where(TrackedCart.cart_key == str(cart_id))
    return session.scalars(query.with_for_update()).first()


def cart_for(session: DBSession, cart_id: Any) -> TrackedCart:
    """:func:`find_cart`, or a new empty cart for a ``cart_id`` not seen before."""
    cart = find_cart(session, cart_id)
    if cart is None:
        key = fields.text("cart_id", str(cart_id), max_length=64, required=True) or ""
        cart = TrackedCart(cart_key=key, currency="", lines=[], state=CartState.ACTIVE)
        session.add(cart)
    return cart


def _email_of_user(session: DBSession, user_id: str) -> str | None:
    """A signed-in shopper's email when the shop sends none: their lead's, else that of
    their contact (a customer's)."""
    found = session.scalar(select(Lead.email).where(Lead.web_user_id == user_id).limit(1))
    if found is None:
        found = session.scalar(
            select(Contact.email)
            .where(Contact.user_id == user_id, Contact.email.is_not(None))
            .limit(1)
        )
    return found


def record_checkout_email(session: DBSession, *, cart_id: str, email: str) -> TrackedCart | None:
    """A guest typed an email at checkout: the cart now has someone to write to."""
    normalized = fields.email("email", email, required=True)
    cart = cart_for(session, cart_id)
    if not cart.capture_declined:
        cart.email = normalized
    return cart


def decline_capture(session: DBSession, *, cart_id: str) -> TrackedCart:
    """The shopper said "no thanks": forget the cart's email, never sweep or mail it."""
    cart = cart_for(session, cart_id)
    cart.capture_declined = True
    cart.email = None
    cart.next_email_at = None
    return cart


def lock_carts(session: DBSession, *, cart_key: str | None, email: str) -> None:
    """Lock an order's carts (its own, and those of its email) in id order, before its
    lead: the sweep takes carts before leads too, so the two never wait on each other
    in a circle."""
    of_email = TrackedCart.email == email
    session.execute(
        select(TrackedCart.id)
        .where(or_(TrackedCart.cart_key == cart_key, of_email) if cart_key else of_email)
        .order_by(TrackedCart.id)
        .with_for_update()
    )


def mark_checked_out(session: DBSession, *, cart_id: str, order_ref: str) -> TrackedCart | None:
    cart = find_cart(session, cart_id)
    if cart is not None and cart.checked_out_at is None:
        cart.checked_out_at = utcnow()
        cart.order_ref = order_ref
        cart.next_email_at = None
        cart.state = moved(cart.state, CartMove.CHECKED_OUT)
    return cart
