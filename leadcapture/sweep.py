"""One sweep: abandon idle carts, mark old ones lost, send the recovery emails due and
post the webhooks that wait.

Safe to run from any number of hosts at once: every step claims its rows atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app

from .abandonment import SweepResult, abandon_batch, mark_lost
from .events.store import prune as prune_events
from .events.store import retry as retry_events
from .handoff import handoff_of
from .i18n import ngettext
from .mail.sending import hand_off_waiting, send_waiting
from .mail.sending import rules_from as send_rules
from .owner_settings import effective
from .recovery import RecoveryRules, write_due_emails
from .recovery_steps import Step, current_steps
from .transactions import DBSession
from .webhooks.delivery import DeliveryRules, deliver_waiting
from .webhooks.delivery import hand_off_waiting as hand_off_webhooks
from .webhooks.delivery import prune as prune_webhooks


@dataclass(frozen=True)
class SweepSettings:
    """What a sweep needs to know, read once from the app's ``LEADCAPTURE_*`` settings
    (:meth:`of`), so the sweep itself is a plain function of the session and these."""

    idle_minutes: int
    steps: tuple[Step, ...]
    recovery_emails: bool
    batch_size: int
    lost_after_days: int
    cooldown_days: float
    event_max_attempts: int
    events_keep_days: int
    discount_code: Callable[..., str | None] | None
    #: Sends an email's id to a background task (:mod:`leadcapture.background`); ``None``:
    #: the sweep sends the emails itself.
    send_email: Callable[[int], Any] | None
    #: The app's config, for sending (``MAIL_*`` and the email lease settings).
    config: Mapping[str, Any]
    webhooks: DeliveryRules
    #: Sends a webhook delivery's id to a background task; ``None``: the sweep posts them.
    deliver_webhook: Callable[[int], Any] | None

    @classmethod
    def of(cls, app: Flask, session: DBSession) -> SweepSettings:
        """The app's settings, with what the owner saved in the back office over them."""
        config = app.config
        owner = effective(session, config)
        extension = app.extensions["leadcapture"]
        return cls(
            idle_minutes=int(owner["abandoned_after_minutes"]),
            steps=current_steps(session, config),
            recovery_emails=bool(config["LEADCAPTURE_RECOVERY_EMAILS"]),
            batch_size=int(config["LEADCAPTURE_SWEEP_BATCH_SIZE"]),
            lost_after_days=int(owner["cart_lost_after_days"]),
            cooldown_days=float(config["LEADCAPTURE_RECOVERY_COOLDOWN_DAYS"]),
            event_max_attempts=int(config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"]),
            events_keep_days=int(config["LEADCAPTURE_EVENTS_KEEP_DAYS"]),
            discount_code=extension.discount_code,
            send_email=handoff.email if (handoff := handoff_of(app)) else None,
            config=config,
            webhooks=DeliveryRules.of(config),
            deliver_webhook=handoff.webhook if handoff else None,
        )


def run_sweep(
    session: DBSession,
    settings: SweepSettings | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run one sweep; ``settings`` default to the current app's."""
    settings = settings or SweepSettings.of(current_app, session)  # type: ignore[arg-type]
    now = now or datetime.now(UTC)
    total = SweepResult()
    # Events a failure kept back are handled first: a kept cart change may make a cart
    # abandonable, a kept order may take one out of the sweep.
    total.events = retry_events(session, now=now, max_attempts=settings.event_max_attempts)
    # The last batch (the only one, most runs), the lost carts and the old events are
    # one transaction: a run with nothing to do is three short ones, this among them.
    while True:
        batch = abandon_batch(
            session,
            now=now,
            idle_minutes=settings.idle_minutes,
            steps=settings.steps if settings.recovery_emails else None,
            batch_size=settings.batch_size,
        )
        total.abandoned += batch.abandoned
        total.leads_created += batch.leads_created
        total.cart_ids += batch.cart_ids
        if progress and batch.abandoned:
            carts = ngettext("%(num)d cart abandoned", "%(num)d carts abandoned", total.abandoned)
            leads = ngettext("%(num)d new lead", "%(num)d new leads", total.leads_created)
            progress(f"{carts}, {leads}")
        if batch.abandoned < settings.batch_size:
            break
        session.commit()
    total.lost = mark_lost(session, now=now, lost_after_days=settings.lost_after_days)
    prune_events(session, now=now, keep_days=settings.events_keep_days)
    prune_webhooks(session, now=now, keep_days=settings.webhooks.keep_days)
    session.commit()
    if settings.recovery_emails:
        rules = RecoveryRules(
            now=now,
            steps=settings.steps,
            cooldown_days=settings.cooldown_days,
            discount_code=settings.discount_code,
        )
        total.written = write_due_emails(session, rules, batch_size=settings.batch_size)
    config = settings.config
    if settings.send_email is not None:
        hand_off_waiting(session, config, settings.send_email, rules=send_rules(config))
    else:
        total.sending = send_waiting(session, config, now=now, rules=send_rules(config))
    total.emails = total.sending.sent
    if settings.deliver_webhook is not None:
        hand_off_webhooks(session, settings.deliver_webhook)
    else:
        total.webhooks = deliver_waiting(session, settings.webhooks, now=now)
    return total
