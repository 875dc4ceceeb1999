"""Receivers of the inbound signals: each event goes through the outbox
(:mod:`leadcapture.outbox`), which keeps it until its domain function has handled it.

A receiver never raises into the shop: a failure is logged and the event retried later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from . import outbox, signals
from .carts import decline_capture, record_cart, record_checkout_email
from .leads import register_web_user
from .orders import record_order

#: Signal → the domain function that handles its events.
INBOUND: dict[Any, Callable[..., Any]] = {
    signals.user_registered: register_web_user,
    signals.cart_changed: record_cart,
    signals.checkout_email_given: record_checkout_email,
    signals.email_capture_declined: decline_capture,
    signals.order_placed: record_order,
}
outbox.HANDLERS.update(
    {signal.name.replace("-", "_"): domain for signal, domain in INBOUND.items()}
)


def _receiver(app: Flask, kind: str) -> Callable[..., None]:
    def receive(sender: Flask, **kwargs: Any) -> None:
        if kind == "cart_changed":  # the moment of the change, if it is handled later
            kwargs.setdefault("updated_at", datetime.now(UTC))
        outbox.capture(
            app.extensions["leadcapture"].session,
            kind,
            kwargs,
            max_attempts=int(app.config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"]),
        )

    receive.__name__ = f"receive_{kind}"
    return receive


def connect(app: Flask) -> None:
    """Listen to the shop's signals sent with ``app`` as sender."""
    for signal in INBOUND:
        signal.connect(_receiver(app, signal.name.replace("-", "_")), sender=app, weak=False)
