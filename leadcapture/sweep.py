"""One sweep: abandon idle carts, mark old ones lost, send the recovery emails due.

Safe to run from any number of hosts at once: every step claims its rows atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app

from .abandonment import SweepResult, abandon_batch, mark_lost
from .events.store import prune as prune_events
from .events.store import retry as retry_events
from .mail.sending import rules_from as send_rules
from .mail.sending import send_waiting
from .recovery import RecoveryRules, write_due_emails
from .transactions import DBSession


def run_sweep(
    session: DBSession,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> SweepResult:
    config = current_app.config
    extension = current_app.extensions["leadcapture"]
    now = now or datetime.now(UTC)
    schedule = tuple(config["LEADCAPTURE_RECOVERY_SCHEDULE_HOURS"])
    recovery_on = bool(config["LEADCAPTURE_RECOVERY_EMAILS"])
    batch_size = int(config["LEADCAPTURE_SWEEP_BATCH_SIZE"])
    total = SweepResult()
    # Events a failure kept back are handled first: a kept cart change may make a cart
    # abandonable, a kept order may take one out of the sweep.
    total.events = retry_events(
        session, now=now, max_attempts=int(config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"])
    )
    while True:
        batch = abandon_batch(
            session,
            now=now,
            idle_minutes=int(config["LEADCAPTURE_ABANDONED_AFTER_MINUTES"]),
            schedule_hours=schedule if recovery_on else None,
            batch_size=batch_size,
        )
        session.commit()
        total.abandoned += batch.abandoned
        total.leads_created += batch.leads_created
        total.cart_ids += batch.cart_ids
        if progress and batch.abandoned:
            progress(f"abandoned {total.abandoned} cart(s), {total.leads_created} new lead(s)")
        if batch.abandoned < batch_size:
            break
    total.lost = mark_lost(
        session, now=now, lost_after_days=int(config["LEADCAPTURE_CART_LOST_AFTER_DAYS"])
    )
    session.commit()
    if recovery_on:
        rules = RecoveryRules(
            now=now,
            schedule_hours=schedule,
            cooldown_days=float(config["LEADCAPTURE_RECOVERY_COOLDOWN_DAYS"]),
            discount_code=extension.discount_code,
        )
        total.written = write_due_emails(session, rules, batch_size=batch_size)
    total.sending = send_waiting(session, config, now=now, rules=send_rules(config))
    total.emails = total.sending.sent
    prune_events(session, now=now, keep_days=int(config["LEADCAPTURE_EVENTS_KEEP_DAYS"]))
    session.commit()
    return total
