"""A webhook's delivery is written in the transaction that caused its event.

Just before a session commits, the outbound signals its transaction queued
(:func:`~leadcapture.oncommit.send_on_commit`) that make webhook events are turned into
one delivery per active endpoint that chose the event. They commit with the lead or cart
they tell of, or roll back with it: a crash after the commit loses no delivery, and a
rolled-back change is never told. With Celery, each is handed to a task after the commit.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from ..handoff import handoff_of
from ..models import Webhook, WebhookDelivery
from ..models.base import utcnow
from ..oncommit import call_after_commit, take_announced
from .events import event_of, makes_event


@event.listens_for(Session, "before_commit")
def _write_deliveries(session: Session) -> None:
    # Only signals that make an event cost the commit a look at the endpoints: an
    # import's or an erasure's commit reads nothing more.
    announced = [
        (signal, arguments) for signal, arguments in take_announced(session) if makes_event(signal)
    ]
    if not announced:
        return
    endpoints = session.execute(
        select(Webhook.id, Webhook.events).where(Webhook.active.is_(True))
    ).all()
    if not endpoints:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for signal, arguments in announced:
        name, data = event_of(signal, arguments)
        event_id = str(uuid.uuid4())
        body = json.dumps(
            {"id": event_id, "event": name, "created_at": now.isoformat(), "data": data},
            default=str,
        )
        rows += [
            {"webhook_id": endpoint.id, "event": name, "event_id": event_id, "body": body}
            for endpoint in endpoints
            if name in endpoint.events
        ]
    if not rows:
        return
    ids = session.scalars(insert(WebhookDelivery).returning(WebhookDelivery.id), rows).all()
    handoff = handoff_of(current_app) if has_app_context() else None  # type: ignore[arg-type]
    if handoff is not None and handoff.webhook is not None:
        deliver = handoff.webhook
        call_after_commit(session, lambda: [deliver(i) for i in ids])
