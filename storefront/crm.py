"""The shop's Leadcapture: the plug-in, with the shop's cart restore and coupon codes."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from leadcapture import LeadCapture

from .coupons import recovery_coupon
from .extensions import db
from .models import User
from .restore import restore_cart
from .sessions import user_by_id


def staff_users() -> Iterator[tuple[int, str]]:
    """The shop's staff, by name, for the back office's assignment fields."""
    query = select(User.id, User.full_name, User.email).where(User.is_staff.is_(True))
    for user_id, full_name, email in db.session.execute(query):
        yield user_id, full_name or email


#: Bearer tokens name their staff user by id, outside any browser session.
leadcapture = LeadCapture(
    db=db,
    restore_cart=restore_cart,
    discount_code=recovery_coupon,
    staff_users=staff_users,
    load_user=user_by_id,
)
