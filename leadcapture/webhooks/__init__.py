"""Outbound webhooks: staff register HTTPS endpoints in the back office, and the events
they choose are posted to them as signed JSON.

An event's delivery is written in the transaction that caused the event
(:mod:`.queue`), so a crash loses none and a rollback sends none; it is posted after,
off the request path — by the sweep, ``flask leads retry`` or, with Celery, a task —
with retries and backoff, and every try's answer is kept in the delivery log
(:mod:`.delivery`). Endpoints inside the shop's own network are refused
(:mod:`.guard`). See ``docs/webhooks.md`` for the payloads and how to verify them.
"""

from . import queue  # noqa: F401  (writes the deliveries at each commit)
from .delivery import DeliveryRules, deliver_one, deliver_waiting, hand_off_waiting, resend
from .endpoints import add_webhook, delete_webhook, toggle_webhook
from .events import EVENTS

__all__ = [
    "EVENTS",
    "DeliveryRules",
    "add_webhook",
    "deliver_one",
    "deliver_waiting",
    "delete_webhook",
    "hand_off_waiting",
    "resend",
    "toggle_webhook",
]
