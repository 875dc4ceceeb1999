"""Receivers of the inbound signals: thin calls into the domain, one transaction each.

A receiver never raises into the shop: a failure is logged and rolled back, so the
shop's request goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask

from . import signals
from .carts import decline_capture, record_cart, record_checkout_email
from .leads import register_web_user
from .orders import record_order
from .transactions import in_transaction

log = logging.getLogger("leadcapture")


def _receiver(app: Flask, domain: Callable[..., Any]) -> Callable[..., None]:
    def receive(sender: Flask, **kwargs: Any) -> None:
        session = app.extensions["leadcapture"].session
        try:
            in_transaction(session, lambda: domain(session, **kwargs))
        except Exception:
            log.exception("leadcapture: %s failed for %r", domain.__name__, kwargs)

    receive.__name__ = f"receive_{domain.__name__}"
    return receive


def connect(app: Flask) -> None:
    """Listen to the shop's signals sent with ``app`` as sender."""
    for signal, domain in (
        (signals.user_registered, register_web_user),
        (signals.cart_changed, record_cart),
        (signals.checkout_email_given, record_checkout_email),
        (signals.email_capture_declined, decline_capture),
        (signals.order_placed, record_order),
    ):
        signal.connect(_receiver(app, domain), sender=app, weak=False)
