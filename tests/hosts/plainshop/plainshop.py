"""A small shop in the style of the Flask tutorial: one module, ``db.create_all()``,
integer user ids, a ``User`` with ``username`` and ``email`` only and an admin role,
the cart in the session, one free-text address line at checkout.

Its lines for Leadcapture sit between marker comments, which the test counts.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

# >>> leadcapture
from leadcapture import LeadCapture, signals
# <<< leadcapture

db = SQLAlchemy()
login_manager = LoginManager()
shop = Blueprint("shop", __name__)
PRODUCTS = {"MUG": ("Enamel mug", Decimal("12.50")), "TEE": ("T-shirt", Decimal("20.00"))}


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    email: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default="customer")


class Order(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id))
    address: Mapped[str] = mapped_column(sa.String(300))
    phone: Mapped[str] = mapped_column(sa.String(40))
    total: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))


def create_app() -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev", SQLALCHEMY_DATABASE_URI="sqlite:///shop.db")
    app.config.from_pyfile("settings.py", silent=True)
    db.init_app(app)
    login_manager.init_app(app)
    # >>> leadcapture
    LeadCapture(app, db=db, is_staff=lambda user: user.role == "admin", load_user=load_user)
    # <<< leadcapture
    app.register_blueprint(shop)
    with app.app_context():
        db.create_all()
    return app


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))



def cart_lines() -> list[dict[str, object]]:
    cart = session.get("cart", {})
    return [
        {"sku": sku, "name": PRODUCTS[sku][0], "quantity": n, "unit_price": PRODUCTS[sku][1]}
        for sku, n in cart.items()
    ]


@shop.post("/register")
def register() -> object:
    user = User(
        username=request.form["username"],
        email=request.form["email"],
        password_hash=generate_password_hash(request.form["password"]),
    )
    db.session.add(user)
    db.session.commit()
    login_user(user)
    # >>> leadcapture
    signals.user_registered.send(user_id=user.id, email=user.email, full_name=user.username)
    # <<< leadcapture
    return redirect("/")


@shop.post("/login")
def login() -> object:
    user = db.session.scalar(sa.select(User).filter_by(username=request.form["username"]))
    if user is None or not check_password_hash(user.password_hash, request.form["password"]):
        abort(403)
    login_user(user)
    return redirect("/")


@shop.post("/cart/add")
@login_required
def add_to_cart() -> object:
    sku = request.form["sku"]
    if sku not in PRODUCTS:
        abort(404)
    session.setdefault("cart_id", uuid.uuid4().hex)
    session["cart"] = {**session.get("cart", {}), sku: session.get("cart", {}).get(sku, 0) + 1}
    # >>> leadcapture
    signals.cart_changed.send(cart_id=session["cart_id"], user_id=current_user.id,
                              lines=cart_lines(), currency="USD")
    # <<< leadcapture
    return redirect("/")


@shop.post("/checkout")
@login_required
def checkout() -> object:
    total = sum((line["unit_price"] * line["quantity"] for line in cart_lines()), Decimal())
    order = Order(
        user_id=current_user.id,
        address=request.form["address"],
        phone=request.form["phone"],
        total=total,
    )
    db.session.add(order)
    db.session.commit()
    # >>> leadcapture
    signals.order_placed.send(order_id=order.id, user_id=current_user.id, email=current_user.email,
                              full_name=current_user.username, total=total, currency="USD",
                              cart_id=session["cart_id"], phone=order.phone,
                              billing_address={"address_line1": order.address})
    # <<< leadcapture
    session.pop("cart")
    return redirect(f"/orders/{order.id}")


@shop.get("/")
def home() -> str:
    return "<h1>Plain Shop</h1>"
