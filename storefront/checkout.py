"""Checkout: addresses, the order in one transaction, then ``order_placed`` to the plug-in."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from leadcapture import (
    AddressType,
    ValidationError,
    addresses_of_web_user,
    consent_notice,
    normalized_email,
    queue_email,
    send_queued,
    signals,
)

from . import cart, coupons
from .extensions import db
from .forms import CheckoutForm
from .languages import current_language
from .models import Order, OrderLine, User

log = logging.getLogger(__name__)

bp = Blueprint("checkout", __name__)

#: The plug-in's address fields and the order's columns that hold them.
ORDER_COLUMNS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "city": "city",
    "state": "state",
    "pincode": "pincode",
    "country": "country",
}


def _prefill(form: CheckoutForm, user: User) -> None:
    """Fill a signed-in shopper's details and saved addresses into an empty form."""
    form.email.data = user.email
    form.full_name.data = form.full_name.data or user.full_name
    form.phone.data = form.phone.data or user.phone
    saved = addresses_of_web_user(db.session, str(user.id))
    for kind, subform in (
        (AddressType.BILLING, form.billing),
        (AddressType.SHIPPING, form.shipping),
    ):
        match = next((a for a in saved if a.address_type == kind), None)
        if match is not None:
            for name in ORDER_COLUMNS:
                subform.form[name].data = getattr(match, name)


def _placed(key: str, user: User | None) -> Order | None:
    """The order this checkout form placed already, if it was this buyer's."""
    order = db.session.scalars(select(Order).where(Order.order_key == key)).first()
    if order is None or order.user_id != (user.id if user else None):
        return None
    return order


def _confirm(order: Order, user: User | None) -> Any:
    if user is None:
        session["orders"] = [*session.get("orders", []), order.id][-20:]
    return redirect(url_for(".confirmation", order_id=order.id))


def _place(form: CheckoutForm, user: User | None, lines: list[cart.Line]) -> Order:
    def part(subform: Any, kind: str) -> dict[str, Any]:
        return {
            f"{kind}_{ORDER_COLUMNS[name]}": (subform.form[name].data or "").strip() or None
            for name in ORDER_COLUMNS
        }

    subtotal = cart.total(lines)
    coupon = coupons.usable(session.get("coupon"))
    if coupon is not None and not coupons.redeem(coupon):
        coupon = None
    reduction = coupons.discount(coupon, subtotal)
    order = Order(
        order_key=form.order_key.data,
        discount=reduction,
        coupon_code=coupon.code if coupon else None,
        user_id=user.id if user else None,
        email=user.email if user else normalized_email(form.email.data),
        full_name=form.full_name.data.strip(),
        phone=(form.phone.data or "").strip() or None,
        total=subtotal - reduction,
        currency=current_app.config["STOREFRONT_CURRENCY"],
        **part(form.billing, "billing"),
        **part(form.shipping, "shipping"),
    )
    order.lines = [
        OrderLine(
            product_id=line.product.id,
            sku=line.product.sku,
            name=line.product.name,
            quantity=line.quantity,
            unit_price=line.product.price,
        )
        for line in lines
    ]
    db.session.add(order)
    cart.clear(user)
    db.session.flush()
    return order


@bp.route("/checkout", methods=["GET", "POST"])
def checkout() -> Any:
    user: User | None = current_user if current_user.is_authenticated else None  # type: ignore[assignment]
    lines = cart.lines(user)
    if not lines:
        flash("Your cart is empty.", "error")
        return redirect(url_for("cart.show"))
    form = CheckoutForm()
    if user is not None:
        if form.is_submitted():
            form.email.data = user.email
        else:
            _prefill(form, user)
    if not form.is_submitted():
        form.order_key.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        if user is not None:  # one checkout of this cart at a time: the others wait here
            cart.lock(user)
            lines = cart.lines(user)
        done = _placed(form.order_key.data, user)
        if done is not None:
            return _confirm(done, user)
        if not lines:
            flash("Your cart is empty.", "error")
            return redirect(url_for("cart.show"))
        key = cart.cart_id(user)
        try:
            order = _place(form, user, lines)
        except IntegrityError:  # the same form, sent at the same moment, won
            db.session.rollback()
            done = _placed(form.order_key.data, user)
            if done is None:
                raise
            return _confirm(done, user)
        # Sent before the commit: the plug-in keeps the event in this transaction, so
        # the order and its lead capture are written together or not at all.
        signals.order_placed.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            order_id=order.number,
            email=order.email,
            full_name=order.full_name,
            total=order.total,
            currency=order.currency,
            user_id=str(user.id) if user else None,
            phone=order.phone,
            company_name=user.company_name if user else None,
            cart_id=key,
            billing_address=order.address("billing"),
            shipping_address=order.address("shipping"),
            language=current_language(),
        )
        if user is None:  # the emptied cart, reported in the order's transaction too
            cart.report(None)
        confirmation = _confirmation_email(order)
        db.session.commit()
        if confirmation is not None:
            send_queued(db.session, current_app.config, confirmation)
        session.pop("coupon", None)
        if user is None:
            session.pop("cart_token", None)
        return _confirm(order, user)
    coupon = coupons.usable(session.get("coupon"))
    return render_template(
        "checkout/checkout.html",
        coupon=coupon,
        discount=coupons.discount(coupon, cart.total(lines)),
        form=form,
        lines=lines,
        total=cart.total(lines),
        signed_in=user is not None,
        capture_declined=bool(session.get("capture_declined")),
        consent_notice=consent_notice(),
    )


def _confirmation_email(order: Order) -> int | None:
    """The confirmation the page promises, written with the order (it commits with it) into
    the plug-in's outbox; an address the outbox refuses leaves the order without one."""
    try:
        email = queue_email(
            db.session,
            to=order.email,
            subject=f"Your order {order.number} at {current_app.config['LEADCAPTURE_SHOP_NAME']}",
            text_body=render_template("email/order_confirmation.txt", order=order),
            html_body=render_template("email/order_confirmation.html", order=order),
        )
    except ValidationError as error:
        log.warning("no confirmation for order %s: %s", order.number, error)
        return None
    db.session.flush()
    return email.id


@bp.route("/orders/<int(max=2147483647):order_id>")
def confirmation(order_id: int) -> Any:
    """An order is shown to its buyer only: the account, or the guest's browser session."""
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    if order.user_id is not None:
        allowed = current_user.is_authenticated and current_user.id == order.user_id
    else:
        allowed = order.id in session.get("orders", [])
    if not allowed:
        abort(404)
    return render_template("checkout/confirmation.html", order=order)
