"""Posting the deliveries the queue wrote, so that a crash at any point loses none.

A run claims a delivery for a while — ``sending`` until ``lease_until`` — commits that,
posts it, and keeps the answer. A 2xx answer is ``delivered``; anything else (another
status, no answer in time, no connection) waits and is tried again later, each wait
twice the last, until ``max_attempts``: then it is ``failed``, and staff see it in the
delivery log with Resend. An address the guard refuses fails at once, as trying again
cannot fix it. A run killed mid-post leaves the lease to run out and the next run posts
it again: receivers tell a repeat by the event's ``id`` (and ``Leadcapture-Delivery``).

An endpoint that fails three times in a row is left alone for the rest of a run, so one
endpoint that is down costs a run three timeouts, not one per waiting delivery.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, text, update

from ..i18n import gettext, ngettext
from ..models import Webhook, WebhookDelivery
from ..models.base import utcnow
from ..models.webhook import UNDELIVERED
from ..transactions import DBSession
from . import guard
from .signing import HEADER, signature

log = logging.getLogger("leadcapture")

LEASE = timedelta(minutes=2)
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=12)
#: Failures in a row after which a run leaves an endpoint's other deliveries for later.
STOP_AFTER_FAILURES = 3

DELIVERED = "delivered"
WAITING = "waiting"
FAILED = "failed"


@dataclass(frozen=True)
class DeliveryRules:
    max_attempts: int = 8
    timeout: float = 10.0
    allow_private: bool = False
    keep_days: int = 30
    lease: timedelta = LEASE

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> DeliveryRules:
        """The rules an app's ``LEADCAPTURE_WEBHOOK*`` settings give."""
        return cls(
            max_attempts=int(config["LEADCAPTURE_WEBHOOK_MAX_ATTEMPTS"]),
            timeout=float(config["LEADCAPTURE_WEBHOOK_TIMEOUT_SECONDS"]),
            allow_private=bool(config["LEADCAPTURE_WEBHOOKS_ALLOW_PRIVATE"]),
            keep_days=int(config["LEADCAPTURE_WEBHOOK_LOG_KEEP_DAYS"]),
        )


@dataclass
class DeliveryResult:
    delivered: int = 0
    failed: int = 0
    #: Deliveries left for a later run because their endpoint kept failing in this one.
    left: int = 0
    by_endpoint: Counter[int] = field(default_factory=Counter)

    def __str__(self) -> str:
        said = gettext(
            "%(delivered)s, %(failed)s failed",
            delivered=ngettext(
                "%(num)d webhook delivered", "%(num)d webhooks delivered", self.delivered
            ),
            failed=self.failed,
        )
        if self.left:
            said += gettext(", %(left)s left for the next run", left=self.left)
        return said


def _due(now: datetime) -> Any:
    return (
        text(UNDELIVERED),
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.state == WAITING, WebhookDelivery.lease_until < now),
    )


def waiting(session: DBSession, *, now: datetime | None = None, limit: int = 1000) -> list[Any]:
    """The deliveries a run may take now, oldest due first: (id, webhook_id) rows."""
    now = now or utcnow()
    return list(
        session.execute(
            select(WebhookDelivery.id, WebhookDelivery.webhook_id)
            .where(*_due(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


def _claim(session: DBSession, delivery_id: int, rules: DeliveryRules) -> bool:
    now = utcnow()
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, *_due(now))
        .values(
            state="sending", lease_until=now + rules.lease, attempts=WebhookDelivery.attempts + 1
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return bool(claimed)


def deliver_one(session: DBSession, delivery_id: int, rules: DeliveryRules) -> str | None:
    """Claim, post and note one delivery; what became of it (``None``: not due, or
    another run has it)."""
    if not _claim(session, delivery_id, rules):
        return None
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    webhook = session.get(Webhook, delivery.webhook_id)
    if webhook is None or not webhook.active:
        return _noted(session, rules, delivery, None, "Not sent: the endpoint is turned off.")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Leadcapture-Webhooks",
        "Leadcapture-Event": delivery.event,
        "Leadcapture-Delivery": str(delivery.id),
        HEADER: signature(webhook.secret, int(time.time()), body),
    }
    url = webhook.url
    session.commit()  # no transaction stays open while the endpoint answers
    code: int | None = None
    try:
        code = guard.post(
            url, body, headers, allow_private=rules.allow_private, timeout=rules.timeout
        )
    except guard.Refused as error:
        return _noted(session, rules, delivery, None, str(error))
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = f"No answer: {type(error).__name__}: {error}"
        return _noted(session, rules, delivery, None, reason, again=True)
    if 200 <= code < 300:
        return _noted(session, rules, delivery, code, None)
    return _noted(session, rules, delivery, code, f"The endpoint answered {code}.", again=True)


def _noted(
    session: DBSession,
    rules: DeliveryRules,
    delivery: WebhookDelivery,
    code: int | None,
    error: str | None,
    *,
    again: bool = False,
) -> str:
    """Keep the try's answer: delivered, waiting for another try (``again``, while tries
    are left), or failed."""
    delivery.response_code = code
    delivery.lease_until = None
    delivery.error = error[:2000] if error else None
    if error is None:
        delivery.state = DELIVERED
        delivery.delivered_at = utcnow()
    elif not again or delivery.attempts >= rules.max_attempts:
        delivery.state = FAILED
    else:
        delivery.state = WAITING
        wait = FIRST_DELAY * 2 ** max(delivery.attempts - 1, 0)
        delivery.next_attempt_at = utcnow() + min(wait, MAX_DELAY)
    session.commit()
    if error is not None:
        log.warning("leadcapture: webhook delivery %s: %s", delivery.id, error)
    return delivery.state


def deliver_waiting(
    session: DBSession, rules: DeliveryRules, *, now: datetime | None = None, limit: int = 1000
) -> DeliveryResult:
    """Post every delivery that is due; what became of them."""
    result = DeliveryResult()
    rows = waiting(session, now=now, limit=limit)
    session.commit()
    failing: Counter[int] = Counter()
    for row in rows:
        if failing[row.webhook_id] >= STOP_AFTER_FAILURES:
            result.left += 1
            continue
        try:
            outcome = deliver_one(session, row.id, rules)
        except Exception:  # one bad delivery must not stop the others
            session.rollback()
            log.exception("leadcapture: webhook delivery %s could not be handled", row.id)
            continue
        if outcome == DELIVERED:
            result.delivered += 1
            failing[row.webhook_id] = 0
        elif outcome is not None:
            result.failed += 1
            failing[row.webhook_id] += 1
    return result


def hand_off_waiting(session: DBSession, deliver: Callable[[int], Any]) -> int:
    """Give each due delivery to ``deliver`` (a background task); returns how many. A
    task that is lost leaves its delivery waiting: the next call gives it again."""
    rows = waiting(session)
    session.commit()
    for row in rows:
        deliver(row.id)
    return len(rows)


def resend(session: DBSession, delivery_id: int) -> WebhookDelivery | None:
    """Make a delivery due now with its tries counted afresh (a failed one, or one the
    receiver lost); ``None`` if there is none. The caller commits, then delivers."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is not None:
        delivery.state = WAITING
        delivery.attempts = 0
        delivery.next_attempt_at = utcnow()
        delivery.lease_until = None
    return delivery


def prune(session: DBSession, *, now: datetime, keep_days: int) -> int:
    """Forget deliveries delivered more than ``keep_days`` ago; the caller commits."""
    return int(
        session.execute(
            delete(WebhookDelivery)
            .where(
                WebhookDelivery.state == DELIVERED,
                WebhookDelivery.created_at < now - timedelta(days=keep_days),
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    )
