"""The cart page and the forms that change it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for

from . import cart, coupons
from .extensions import db
from .forms import CartLineForm, CartUpdateForm
from .models import Product

bp = Blueprint("cart", __name__)


def _product(product_id: int | None) -> Product:
    product = db.session.get(Product, product_id) if product_id else None
    if product is None:
        abort(400, "product_id: no such product")
    return product


@bp.route("/cart")
def show() -> Any:
    lines = cart.lines()
    subtotal = cart.total(lines)
    coupon = coupons.usable(session.get("coupon"))
    return render_template(
        "cart/cart.html",
        lines=lines,
        total=subtotal,
        coupon=coupon,
        discount=coupons.discount(coupon, subtotal),
        form=CartUpdateForm(),
    )


@bp.route("/cart/add", methods=["POST"])
def add() -> Any:
    form = CartLineForm()
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            flash(f"{field}: {', '.join(errors)}", "error")
        return redirect(url_for(".show"))
    product = _product(form.product_id.data)
    cart.set_quantity(product, form.quantity.data, add=True)
    flash(f"{product.name} added to your cart.", "success")
    return redirect(url_for(".show"))


@bp.route("/cart/update", methods=["POST"])
def update() -> Any:
    form = CartUpdateForm()
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            flash(f"{field}: {', '.join(errors)}", "error")
        return redirect(url_for(".show"))
    cart.set_quantity(_product(form.product_id.data), form.quantity.data)
    return redirect(url_for(".show"))
