"""Receivers of the inbound signals: each event is kept (:mod:`leadcapture.events.store`)
until its domain function has handled it.

Any sender works: the app, ``current_app``, or none (then the app of the current
context). A payload that misses a keyword its domain function needs, or brings one it
does not know, raises :class:`TypeError` in the shop's code at once — a mistake while
the shop is being written, not an event dropped in silence. Past that check a receiver
never raises into the shop: a failure is logged and the event retried later.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, has_app_context

from .. import signals
from ..attribution import current_visit
from ..carts import decline_capture, record_cart, record_checkout_email
from ..handoff import handoff_of
from ..leads import register_web_user
from ..orders import record_order
from . import store

#: Signal → the domain function that handles its events.
INBOUND: dict[Any, Callable[..., Any]] = {
    signals.user_registered: register_web_user,
    signals.cart_changed: record_cart,
    signals.checkout_email_given: record_checkout_email,
    signals.email_capture_declined: decline_capture,
    signals.order_placed: record_order,
}


def kind_of(signal: Any) -> str:
    return str(signal.name).replace("-", "_")


def _app_of(sender: Any) -> Flask:
    """The app a signal was sent for: the sender, unwrapped from ``current_app``, or the
    current app when the sender is something else (``None``, a blueprint, a view)."""
    unwrapped = getattr(sender, "_get_current_object", None)
    app = unwrapped() if unwrapped is not None else sender
    if isinstance(app, Flask):
        return app
    if not has_app_context():
        raise RuntimeError(
            "Leadcapture's signals need an app: send them with the app as sender, "
            "or inside an app context."
        )
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


_TEXT = (str,)
_ID = (str, int)
#: What each keyword of an inbound signal may be (``None`` is fine for the optional ones).
TYPES: dict[str, tuple[type, ...]] = {
    "user_id": _ID,
    "cart_id": _ID,
    "email": _TEXT,
    "full_name": _TEXT,
    "phone": _TEXT,
    "company_name": _TEXT,
    "currency": _TEXT,
    "lines": (list, tuple),
    "total": (str, int, float, Decimal),
    "billing_address": (dict,),
    "shipping_address": (dict,),
    "updated_at": (datetime,),
    "language": _TEXT,
    "attribution": (dict,),
}


def check_payload(signal: Any, payload: dict[str, Any]) -> None:
    """Raise :class:`TypeError`, naming the signal and its keywords, for a payload its
    domain function cannot take: a keyword missing or unknown, or a value of a wrong type."""
    signature = _signature(INBOUND[signal])
    name = f"leadcapture.signals.{kind_of(signal)}"
    try:
        signature.bind(None, **payload)
    except TypeError as error:
        wanted = [p for p in signature.parameters if p != "session"]
        raise TypeError(
            f"{name}: {error}; it takes {', '.join(wanted)} "
            "(see its #: comment in leadcapture/signals.py)"
        ) from None
    for key, value in payload.items():
        allowed = TYPES.get(key)
        if value is not None and allowed and not isinstance(value, allowed):
            kinds = " or ".join(t.__name__ for t in allowed)
            raise TypeError(f"{name}: {key} must be {kinds} (or None), not {type(value).__name__}")


@functools.cache
def _signature(domain: Callable[..., Any]) -> inspect.Signature:
    """A domain function's signature, read once (reading it costs more than binding)."""
    return inspect.signature(domain)


def _receiver(signal: Any) -> Callable[..., None]:
    kind = kind_of(signal)

    def receive(sender: Any, **kwargs: Any) -> None:
        app = _app_of(sender)
        extension = app.extensions.get("leadcapture")
        if extension is None:  # an app that does not mount the plug-in
            return
        check_payload(signal, kwargs)
        if kind == "cart_changed":  # the moment of the change, if it is handled later
            kwargs.setdefault("updated_at", datetime.now(UTC))
        if kind in CARRY_THE_VISIT and "attribution" not in kwargs:
            if visit := current_visit():  # the campaign the visit came from, kept now
                kwargs["attribution"] = visit
        store.capture(
            extension.session,
            kind,
            kwargs,
            max_attempts=int(app.config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"]),
            handoff=handoff.event if (handoff := handoff_of(app)) else None,
        )

    receive.__name__ = f"receive_{kind}"
    return receive


#: The signals that carry the visit's campaign (:mod:`leadcapture.attribution`) when the
#: shop sends none itself.
CARRY_THE_VISIT = frozenset({"cart_changed", "user_registered", "order_placed"})

#: One receiver per signal, for every app (each finds its app when the signal comes).
RECEIVERS = {signal: _receiver(signal) for signal in INBOUND}


def connect(app: Flask) -> None:
    """Listen to the shop's signals (once per process; each app finds its own events)."""
    for signal, domain in INBOUND.items():
        store.HANDLERS.setdefault(kind_of(signal), domain)
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, weak=False)
