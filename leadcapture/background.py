"""Work off the request path, on the shop's Celery.

By default the plug-in handles a captured event in the request, right after the shop's
commit, and the sweep sends the emails it wrote: nothing else runs, no broker is needed.
:func:`use_celery` hands that work to tasks on the host's Celery app instead:

- an inbound event, written in the shop's transaction, is handled by the task
  ``leadcapture.handle_events`` sent after the commit: one task for the events of
  ``LEADCAPTURE_HANDOFF_WINDOW_SECONDS`` in a web process (:class:`~.handoff.Coalesced`);
- a webhook's delivery is posted by ``leadcapture.deliver_webhook``, sent after the
  commit that wrote it, which tries again at the delivery's next time when it fails;
- an email written to the outbox (recovery, order confirmation) is sent by
  ``leadcapture.send_email``, which backs off and tries again on an SMTP failure and
  keeps to ``LEADCAPTURE_EMAIL_RATE_LIMIT`` per SMTP server, counted in the plug-in's
  rate-limit storage (so shared by every worker when that is Redis);
- the sweep, the retry, the reminders, the lead scores and the mailbox run as beat jobs, every
  ``LEADCAPTURE_BEAT_SECONDS`` of each, so no cron is needed.

The tables stay the source of truth. A task the broker loses leaves its event
``pending`` or its email waiting, and the next ``leadcapture.retry`` takes it; a worker
killed in the middle of a task leaves its transaction rolled back (and the task, acked
late, is delivered again); an event or an email is claimed with ``FOR UPDATE SKIP
LOCKED`` or a lease, so each is handled once whoever asks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask

from .constants import EmailStatus
from .events.store import retry as retry_events
from .followups import remind
from .handoff import KEY, Coalesced, Handoff, handoff_of
from .mail.imap import fetch_mail
from .mail.sending import FIRST_DELAY, hand_off_waiting, rules_from, send_one
from .models import WebhookDelivery
from .models.base import utcnow
from .ratelimit import within_rate_limit
from .scoring import score_leads
from .sweep import run_sweep
from .webhooks.delivery import DeliveryRules, deliver_one
from .webhooks.delivery import hand_off_waiting as hand_off_webhooks

#: What a worker does with a task whose process died: deliver it again (the tables make
#: a second run harmless), and only take it off the queue once it has run. And each task
#: is the host's Celery app's alone (``shared``): by default Celery adds a task to every
#: Celery app of the process, and with two shops one's task ran the other's closure, on
#: the other's database.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "shared": False}
#: Events one round of ``handle_events`` takes.
DRAIN_BATCH = 1000


def use_celery(celery: Any, app: Flask) -> None:
    """Register the plug-in's tasks on ``celery`` (the host's Celery app), make ``app``
    hand its events and emails to them, and add the beat jobs to ``celery``'s schedule.
    Call it where the host makes both apps, in the web process and the worker alike."""
    extension = app.extensions["leadcapture"]
    config = app.config

    def in_app(work: Callable[[], Any]) -> Any:
        with app.app_context():
            try:
                return work()
            finally:
                extension.db.session.remove()

    @celery.task(name="leadcapture.handle_events", **RELIABLE)
    def handle_events() -> int:
        """Every event that waits, oldest first, each in its own transaction, a thousand
        at a time until fewer are left (a backlog the broker's outage left, say)."""

        def work() -> int:
            handled = 0
            while True:
                batch = retry_events(
                    extension.session,
                    limit=DRAIN_BATCH,
                    max_attempts=int(config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"]),
                )
                handled += batch
                if batch < DRAIN_BATCH:
                    return handled

        return int(in_app(work))

    @celery.task(name="leadcapture.send_email", bind=True, max_retries=None, **RELIABLE)
    def send_email(task: Any, email_id: int) -> str | None:
        def work() -> str | None:
            server = config.get("MAIL_SERVER") or "outbox"
            if not within_rate_limit(
                "smtp", config["LEADCAPTURE_EMAIL_RATE_LIMIT"], key=str(server)
            ):
                raise task.retry(countdown=5)
            outcome = send_one(extension.session, config, email_id, rules_from(config))
            if outcome == EmailStatus.FAILED:  # its tries are counted on the email itself
                delay = FIRST_DELAY.total_seconds() * 2**task.request.retries
                raise task.retry(countdown=delay)
            return str(outcome) if outcome is not None else None

        return in_app(work)  # type: ignore[no-any-return]

    @celery.task(name="leadcapture.deliver_webhook", bind=True, max_retries=None, **RELIABLE)
    def deliver_webhook(task: Any, delivery_id: int) -> str | None:
        def work() -> str | None:
            rules = DeliveryRules.of(config)
            outcome = deliver_one(extension.session, delivery_id, rules)
            if outcome == "waiting":  # its tries and its next time are on the delivery
                delivery = extension.session.get(WebhookDelivery, delivery_id)
                wait = (delivery.next_attempt_at - utcnow()).total_seconds() if delivery else 0
                raise task.retry(countdown=max(wait, 1))
            return outcome

        return in_app(work)  # type: ignore[no-any-return]

    @celery.task(name="leadcapture.sweep", **RELIABLE)
    def sweep() -> int:
        return int(in_app(lambda: run_sweep(extension.session).abandoned))

    @celery.task(name="leadcapture.retry", **RELIABLE)
    def retry() -> int:
        def work() -> int:
            session = extension.session
            handled = retry_events(
                session, max_attempts=int(config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"])
            )
            hand_off_emails(app)
            hand_off_webhooks(session, deliver_webhook.delay)
            return handled

        return int(in_app(work))

    @celery.task(name="leadcapture.remind", **RELIABLE)
    def remind_due() -> int:
        def work() -> int:
            count = remind(extension.session, today=date.today())
            extension.session.commit()
            return count

        return int(in_app(work))

    @celery.task(name="leadcapture.score", **RELIABLE)
    def score() -> int:
        def work() -> int:
            scored = score_leads(extension.session).scored
            extension.session.commit()
            return scored

        return int(in_app(work))

    @celery.task(name="leadcapture.fetch_mail", **RELIABLE)
    def fetch() -> int:
        return int(in_app(lambda: fetch_mail(extension.session, config).seen))

    app.extensions[KEY] = Handoff(
        event=Coalesced(
            lambda countdown: handle_events.apply_async(countdown=countdown),
            float(config["LEADCAPTURE_HANDOFF_WINDOW_SECONDS"]),
        ),
        email=lambda email_id: send_email.delay(email_id),
        webhook=lambda delivery_id: deliver_webhook.delay(delivery_id),
    )
    seconds = dict(config["LEADCAPTURE_BEAT_SECONDS"])
    if not config.get("LEADCAPTURE_IMAP_HOST"):
        seconds.pop("fetch_mail", None)
    jobs = {
        "sweep": sweep,
        "retry": retry,
        "remind": remind_due,
        "score": score,
        "fetch_mail": fetch,
    }
    schedule = dict(celery.conf.beat_schedule or {})
    for job, every in seconds.items():
        schedule[f"leadcapture.{job}"] = {"task": jobs[job].name, "schedule": float(every)}
    celery.conf.beat_schedule = schedule


def hand_off_emails(app: Flask) -> int:
    """Queue a ``send_email`` task for each email that waits."""
    handoff = handoff_of(app)
    if handoff is None:
        return 0
    session = app.extensions["leadcapture"].session
    return hand_off_waiting(session, app.config, handoff.email, rules=rules_from(app.config))
