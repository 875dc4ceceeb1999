"""The endpoints staff register: checked, given a secret, turned off and on, removed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from .. import fields
from ..errors import ValidationError
from ..i18n import gettext
from ..models import Webhook, WebhookDelivery
from ..transactions import DBSession
from .events import EVENTS
from .guard import checked_url
from .signing import new_secret


def add_webhook(
    session: DBSession, data: dict[str, Any], *, allow_private: bool, by: str | None
) -> Webhook:
    """A new active endpoint from ``url``, ``events`` and ``description``; every wrong
    value is named at once (:class:`ValidationError`). The caller commits."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, clean in (
        ("url", lambda v: checked_url(v, allow_private=allow_private)),
        ("events", _events),
        ("description", lambda v: fields.text("description", v, max_length=140)),
    ):
        try:
            cleaned[name] = clean(data.get(name))
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    webhook = Webhook(**cleaned, secret=new_secret(), active=True, created_by=by)
    session.add(webhook)
    return webhook


def _events(value: Any) -> list[str]:
    chosen = [value] if isinstance(value, str) else list(value or [])
    if not chosen:
        raise ValidationError.single("events", gettext("Choose at least one event."))
    unknown = [str(v) for v in chosen if v not in EVENTS]
    if unknown:
        raise ValidationError.single(
            "events", gettext("Not an event: %(names)s.", names=", ".join(unknown)[:200])
        )
    return sorted(set(chosen))


def toggle_webhook(session: DBSession, webhook_id: int) -> Webhook | None:
    """Turn an endpoint off (its waiting deliveries are then given up) or on again."""
    webhook = session.get(Webhook, webhook_id, with_for_update=True)
    if webhook is not None:
        webhook.active = not webhook.active
    return webhook


def delete_webhook(session: DBSession, webhook_id: int) -> Webhook | None:
    """Remove an endpoint and its delivery log."""
    webhook = session.get(Webhook, webhook_id)
    if webhook is not None:
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id))
        session.delete(webhook)
    return webhook
