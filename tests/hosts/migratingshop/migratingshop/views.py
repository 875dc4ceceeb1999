from __future__ import annotations

import uuid
from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template_string, request, session
from flask_login import current_user, login_required, login_user
from werkzeug.security import check_password_hash, generate_password_hash

# >>> leadcapture
from leadcapture import signals
# <<< leadcapture

from . import db
from .models import Order, User

bp = Blueprint("shop", __name__)
PRICES = {"LAMP": Decimal("45.00"), "RUG": Decimal("120.00")}
FORM = '<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>'


@bp.get("/")
def home() -> str:
    return render_template_string("<h1>Lamps &amp; Rugs</h1>" + FORM)


@bp.post("/register")
def register() -> object:
    form = request.form
    user = User(
        email=form["email"],
        first_name=form["first_name"],
        last_name=form["last_name"],
        password=generate_password_hash(form["password"]),
    )
    db.session.add(user)
    db.session.commit()
    login_user(user)
    # >>> leadcapture
    signals.user_registered.send(user_id=user.id, email=user.email, full_name=user.full_name)
    # <<< leadcapture
    return redirect("/")


@bp.post("/login")
def login() -> object:
    user = db.session.query(User).filter_by(email=request.form["email"]).one_or_none()
    if user is None or not check_password_hash(user.password, request.form["password"]):
        abort(403)
    login_user(user)
    return redirect("/")


@bp.post("/basket")
@login_required
def add_to_basket() -> object:
    sku = request.form["sku"]
    if sku not in PRICES:
        abort(404)
    session.setdefault("basket_id", str(uuid.uuid4()))
    basket = session.get("basket", {})
    session["basket"] = {**basket, sku: basket.get(sku, 0) + 1}
    lines = [dict(sku=s, name=s.title(), quantity=n, unit_price=PRICES[s]) for s, n in session["basket"].items()]
    # >>> leadcapture
    signals.cart_changed.send(cart_id=session["basket_id"], user_id=current_user.id, lines=lines, currency="EUR")
    # <<< leadcapture
    return redirect("/")


@bp.post("/checkout")
@login_required
def checkout() -> object:
    total = sum((PRICES[s] * n for s, n in session["basket"].items()), Decimal())
    form = request.form
    order = Order(user_id=current_user.id, street=form["street"], city=form["city"], country=form["country"], total=total)
    db.session.add(order)
    db.session.commit()
    # >>> leadcapture
    address = dict(address_line1=order.street, city=order.city, country=order.country)
    signals.order_placed.send(order_id=order.id, user_id=current_user.id, email=current_user.email,
                              full_name=current_user.full_name, total=total, currency="EUR",
                              cart_id=session.pop("basket_id"), billing_address=address)
    # <<< leadcapture
    session.pop("basket")
    return redirect("/")
