"""Single-use coupon codes: made for recovery emails, applied by the restore link."""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update

from .extensions import db
from .models import Coupon, utcnow

CENT = Decimal("0.01")


def recovery_coupon(cart: Any, step: int, percent: int) -> str | None:
    """The shop's ``discount_code`` callable for the plug-in: a fresh single-use code of
    ``percent`` off, for a recovery email whose step the owner gave a code."""
    code = "BACK-" + secrets.token_hex(4).upper()
    db.session.add(Coupon(code=code, percent_off=int(percent)))
    return code


def usable(code: str | None) -> Coupon | None:
    if not code:
        return None
    return db.session.scalars(
        select(Coupon).where(Coupon.code == code, Coupon.used_at.is_(None))
    ).first()


def discount(coupon: Coupon | None, subtotal: Decimal) -> Decimal:
    if coupon is None:
        return Decimal("0")
    return (subtotal * coupon.percent_off / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def redeem(coupon: Coupon) -> bool:
    """Use the coupon up, in the caller's transaction; ``False`` if another order won it."""
    used = db.session.execute(
        update(Coupon)
        .where(Coupon.id == coupon.id, Coupon.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1  # type: ignore[attr-defined]
