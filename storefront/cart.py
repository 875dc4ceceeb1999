"""The shopper's cart: in the session for guests, in the database once signed in.

Every change is reported to the plug-in through ``leadcapture.signals.cart_changed``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app, session
from flask_login import current_user
from sqlalchemy import delete, select

from leadcapture import signals

from .extensions import db
from .languages import current_language
from .models import CartItem, Product, User

MAX_QUANTITY = 99


@dataclass(frozen=True)
class Line:
    product: Product
    quantity: int

    @property
    def subtotal(self) -> Decimal:
        return self.product.price * self.quantity


def _guest_items() -> dict[str, int]:
    items = session.get("cart", {})
    return items if isinstance(items, dict) else {}


def _signed_in() -> User | None:
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def cart_id(user: User | None) -> str:
    """The id the plug-in knows this cart by."""
    if user is not None:
        return f"user-{user.id}"
    token = session.get("cart_token")
    if not token:
        token = session["cart_token"] = secrets.token_urlsafe(16)
    return f"guest-{token}"


def lines(user: User | None = None) -> list[Line]:
    user = user if user is not None else _signed_in()
    if user is not None:
        rows = db.session.scalars(
            select(CartItem).where(CartItem.user_id == user.id).order_by(CartItem.id)
        )
        return [Line(row.product, row.quantity) for row in rows]
    items = _guest_items()
    if not items:
        return []
    products = {
        str(p.id): p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_([int(k) for k in items if k.isdigit()]))
        )
    }
    return [Line(products[k], q) for k, q in items.items() if k in products]


def lock(user: User) -> None:
    """Lock the account's cart lines until the transaction ends (a checkout's)."""
    db.session.execute(select(CartItem.id).where(CartItem.user_id == user.id).with_for_update())


def total(cart: list[Line]) -> Decimal:
    return sum((line.subtotal for line in cart), Decimal("0"))


def count() -> int:
    return sum(line.quantity for line in lines())


def set_quantity(product: Product, quantity: int, *, add: bool = False) -> None:
    """Put ``quantity`` of ``product`` in the cart (or add to it); 0 removes the line."""
    user = _signed_in()
    if user is not None:
        item = db.session.scalars(
            select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product.id)
        ).first()
        new = min(MAX_QUANTITY, (item.quantity if item and add else 0) + quantity)
        if new <= 0:
            if item is not None:
                db.session.delete(item)
        elif item is None:
            db.session.add(CartItem(user_id=user.id, product_id=product.id, quantity=new))
        else:
            item.quantity = new
    else:
        items = dict(_guest_items())
        key = str(product.id)
        new = min(MAX_QUANTITY, (items.get(key, 0) if add else 0) + quantity)
        if new <= 0:
            items.pop(key, None)
        else:
            items[key] = new
        session["cart"] = items
    report(user)  # an account's cart: inside its transaction, kept by the same commit
    db.session.commit()


def clear(user: User | None) -> None:
    """Empty the cart; the caller commits (it is part of the order's transaction)."""
    if user is not None:
        db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))
    else:
        session.pop("cart", None)


@dataclass(frozen=True)
class GuestCart:
    key: str | None
    items: dict[str, int]


def take_guest_cart() -> GuestCart:
    """The guest's cart, taken out of the session (which sign-in renews)."""
    token = session.pop("cart_token", None)
    items = _guest_items()
    session.pop("cart", None)
    return GuestCart(f"guest-{token}" if token else None, dict(items))


def merge_guest_cart(user: User, guest: GuestCart) -> None:
    """At sign-up and login the guest's lines join the account's cart."""
    if not guest.items:
        return
    for key, quantity in guest.items.items():
        product = db.session.get(Product, int(key)) if key.isdigit() else None
        if product is None:
            continue
        item = db.session.scalars(
            select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product.id)
        ).first()
        if item is None:
            db.session.add(
                CartItem(
                    user_id=user.id, product_id=product.id, quantity=min(MAX_QUANTITY, quantity)
                )
            )
        else:
            item.quantity = min(MAX_QUANTITY, item.quantity + quantity)
    if guest.key is not None:
        _send(guest.key, [], None, None)
    report(user)
    db.session.commit()


def _send(key: str, cart: list[Line], user: User | None, email: str | None) -> None:
    payload: dict[str, Any] = {
        "cart_id": key,
        "lines": [
            {
                "sku": line.product.sku,
                "name": line.product.name,
                "quantity": line.quantity,
                "unit_price": line.product.price,
            }
            for line in cart
        ],
        "currency": current_app.config["STOREFRONT_CURRENCY"],
        "user_id": str(user.id) if user is not None else None,
        "email": email,
        "language": current_language(),
    }
    signals.cart_changed.send(current_app._get_current_object(), **payload)  # type: ignore[attr-defined]


def report(user: User | None) -> None:
    """Tell the plug-in what the cart holds now; for an account, before the commit that
    keeps the change, so the plug-in's event is written in the same transaction."""
    _send(cart_id(user), lines(user), user, user.email if user is not None else None)


def restore(lines_to_restore: list[dict[str, Any]], coupon: str | None) -> list[str]:
    """Add a recovered cart's lines (by SKU) to this browser's cart; returns the SKUs no
    longer sold. What the cart holds already stays: a line in both keeps the larger
    quantity, so opening the link twice adds nothing."""
    user = _signed_in()
    wanted: dict[str, int] = {}
    for line in lines_to_restore:
        quantity = line.get("quantity")
        if isinstance(quantity, int) and quantity > 0:
            wanted[str(line.get("sku"))] = min(MAX_QUANTITY, quantity)
    products = {
        p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(wanted)))
    }
    missing = [sku for sku in wanted if sku not in products]
    if user is not None:
        held = {
            item.product_id: item
            for item in db.session.scalars(select(CartItem).where(CartItem.user_id == user.id))
        }
        for sku, product in products.items():
            item = held.get(product.id)
            if item is None:
                db.session.add(
                    CartItem(user_id=user.id, product_id=product.id, quantity=wanted[sku])
                )
            else:
                item.quantity = max(item.quantity, wanted[sku])
    else:
        items = dict(_guest_items())
        for sku, product in products.items():
            key = str(product.id)
            items[key] = max(items.get(key, 0), wanted[sku])
        session["cart"] = items
    if coupon:
        session["coupon"] = coupon
    report(user)
    db.session.commit()
    return missing
