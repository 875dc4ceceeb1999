"""The shop's Leadcapture: the plug-in, with the shop's cart restore and coupon codes."""

from __future__ import annotations

from leadcapture import LeadCapture

from .coupons import recovery_coupon
from .extensions import db
from .restore import restore_cart

leadcapture = LeadCapture(db=db, restore_cart=restore_cart, discount_code=recovery_coupon)
