"""The shop's side of an erasure: when the plug-in has erased what it held about a
person, the shop anonymizes their account and orders (the amounts stay for the books)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update

from .extensions import db
from .models import CartItem, Order, User

ERASED = "Erased"


def forget(sender: Any, email: str, **kwargs: Any) -> None:
    """The receiver of ``leadcapture.signals.personal_data_erased``."""
    users = [u for u in db.session.query(User).filter(func.lower(User.email) == email)]
    for user in users:
        db.session.query(CartItem).filter(CartItem.user_id == user.id).delete()
        user.email = f"erased-{user.id}@erased.invalid"
        user.full_name = ERASED
        user.phone = None
        user.company_name = None
        user.password_hash = "!"  # noqa: S105 (matches no password: it cannot sign in)
        user.session_version += 1  # and whoever is signed in as it is signed out
    user_ids = [u.id for u in users]
    db.session.execute(
        update(Order)
        .where((func.lower(Order.email) == email) | Order.user_id.in_(user_ids))
        .values(
            email="erased@erased.invalid",
            full_name=ERASED,
            phone=None,
            billing_line1=ERASED,
            billing_line2=None,
            billing_city=ERASED,
            billing_state=None,
            billing_pincode=None,
            shipping_line1=ERASED,
            shipping_line2=None,
            shipping_city=ERASED,
            shipping_state=None,
            shipping_pincode=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
