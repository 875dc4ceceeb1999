"""Sending the emails the plug-in wrote, so that a crash at any point loses none.

An email is written first (``outbox``) and committed. A run then claims it for a while —
``sending`` until ``lease_until`` — commits that, talks to the SMTP server, and marks it
``sent`` together with the lead's history entry. A run killed before, during or after
the SMTP conversation leaves the email ``sending`` with a lease that runs out; the next
run takes it again. So no email is left unsent, and the history names only what the SMTP
server took. (A run killed after the server took the message but before the commit sends
it again: its Message-ID is the same both times, for the mail system to see.)

A failed try waits (``failed``) and is tried again later, up to ``max_attempts``; after
that it stays ``failed`` on the outbox page. Several failures in a row mean the server is
down: the run stops sending and leaves the rest for the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update

from .. import history
from ..constants import EmailStatus, HistoryKind, LeadStatus
from ..history import record
from ..i18n import gettext, ngettext
from ..leads import apply_trigger
from ..models import Email, Lead, TrackedCart
from ..models.base import utcnow
from ..models.email import UNSENT
from ..recovery import bought, may_email, unsubscribe_url
from ..status import Trigger
from ..transactions import DBSession
from . import smtp as mail

log = logging.getLogger("leadcapture")

#: How a send run is bounded: the claim's length, the tries of one email, and how many
#: failures in a row make it stop for this time.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
STOP_AFTER_FAILURES = 3
FIRST_DELAY = timedelta(minutes=5)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    #: The run stopped after failures in a row; ``left`` emails wait for the next one.
    stopped: bool = False
    left: int = 0

    def __str__(self) -> str:
        said = gettext(
            "%(sent)s, %(failed)s failed, %(cancelled)s cancelled",
            sent=ngettext("%(num)d email sent", "%(num)d emails sent", self.sent),
            failed=self.failed,
            cancelled=self.cancelled,
        )
        if self.stopped:
            said += ngettext(
                "; the SMTP server failed %(times)s times in a row, so sending stopped:"
                " %(num)d email left for the next run",
                "; the SMTP server failed %(times)s times in a row, so sending stopped:"
                " %(num)d emails left for the next run",
                self.left,
                times=STOP_AFTER_FAILURES,
            )
        return said


@dataclass(frozen=True)
class SendRules:
    lease: timedelta = LEASE
    max_attempts: int = MAX_ATTEMPTS
    stop_after_failures: int = STOP_AFTER_FAILURES


def waiting_ids(
    session: DBSession, rules: SendRules, *, now: datetime | None = None, limit: int = 1000
) -> list[int]:
    """The emails a send run may take now, oldest due first."""
    moment = utcnow()
    now = now or moment
    return list(
        session.scalars(
            select(Email.id)
            .where(
                text(UNSENT),
                Email.next_attempt_at <= max(now, moment),
                Email.attempts < rules.max_attempts,
                or_(Email.status != EmailStatus.SENDING, Email.lease_until < moment),
            )
            .order_by(Email.next_attempt_at, Email.id)
            .limit(limit)
        )
    )


def _claim(session: DBSession, email_id: int, rules: SendRules) -> datetime | None:
    """Take the email for this run until the lease's end; ``None`` if another run has it."""
    moment = utcnow()
    lease_until = moment + rules.lease
    claimed = session.execute(
        update(Email)
        .where(
            Email.id == email_id,
            Email.attempts < rules.max_attempts,
            or_(
                Email.status.in_([EmailStatus.OUTBOX, EmailStatus.FAILED]),
                (Email.status == EmailStatus.SENDING) & (Email.lease_until < moment),
            ),
        )
        .values(status=EmailStatus.SENDING, lease_until=lease_until, attempts=Email.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return lease_until if claimed else None


def _still_wanted(session: DBSession, email: Email) -> bool:
    """May it still go? A staff user's email unless its lead has become Do Not Contact
    meanwhile; the plug-in's own to a lead that may still be written to, for a cart not
    bought."""
    if email.lead_id is None:
        return True
    lead = session.get(Lead, email.lead_id)
    if email.sent_by is not None:
        return lead is not None and lead.status != LeadStatus.DO_NOT_CONTACT
    cart = session.get(TrackedCart, email.cart_id) if email.cart_id else None
    return may_email(session, lead) and not (cart is not None and bought(session, cart))


def _mark_sent(session: DBSession, email: Email) -> None:
    email.status = EmailStatus.SENT
    email.sent_at = utcnow()
    email.lease_until = None
    email.error = None
    lead = session.get(Lead, email.lead_id) if email.lead_id else None
    if lead is not None:
        said = {"to": email.to, "subject": email.subject}
        record(
            session,
            lead=lead,
            kind=HistoryKind.EMAIL_SENT,
            subject=history.RECOVERY_EMAIL_SENT % {"step": email.step, **said}
            if email.step
            else history.EMAIL_SENT % said,
            body=email.text_body,
            data={
                "email_id": email.id,
                "cart_id": email.cart_id,
                "step": email.step,
                "discount_code": email.discount_code,
            },
            by=email.sent_by,
        )
        if email.sent_by is not None:  # a staff user's email to the lead: Replied
            apply_trigger(session, lead, Trigger.COMMUNICATION_SENT, by=email.sent_by)


def send_one(
    session: DBSession, config: Any, email_id: int, rules: SendRules
) -> EmailStatus | None:
    """Claim, send and mark one email; returns what became of it (``None``: not ours)."""
    lease_until = _claim(session, email_id, rules)
    if lease_until is None:
        return None
    email = session.get(Email, email_id)
    assert email is not None
    if not _still_wanted(session, email):
        email.status = EmailStatus.CANCELLED
        email.error = "Not sent: the lead may no longer be written to, or the cart was bought."
        session.commit()
        return EmailStatus.CANCELLED
    unsubscribe = email.unsubscribe_url
    if unsubscribe is None and email.lead_id is not None:
        lead = session.get(Lead, email.lead_id)
        unsubscribe = unsubscribe_url(lead) if lead is not None else None
    message = mail.build(
        config,
        to=email.to,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        unsubscribe_url=unsubscribe,
        message_id=email.message_id,
    )
    session.commit()  # no transaction stays open while the SMTP server talks
    try:
        mail.send(config, message)
    except Exception as exc:
        log.warning("leadcapture: email %s could not be sent: %s", email_id, exc)
        email.status = EmailStatus.FAILED
        email.lease_until = None
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        email.next_attempt_at = utcnow() + FIRST_DELAY * 2 ** max(email.attempts - 1, 0)
        session.commit()
        return EmailStatus.FAILED
    _mark_sent(session, email)
    session.commit()
    return EmailStatus.SENT


def send_waiting(
    session: DBSession,
    config: Any,
    *,
    now: datetime | None = None,
    rules: SendRules | None = None,
    limit: int = 1000,
) -> SendResult:
    """Send the emails that wait (written, failed and due again, or claimed by a run
    that died); returns what was delivered. Without ``MAIL_SERVER`` they stay in the
    outbox."""
    result = SendResult()
    if not mail.smtp_configured(config):
        return result
    rules = rules or SendRules()
    ids = waiting_ids(session, rules, now=now, limit=limit)
    session.commit()
    in_a_row = 0
    for position, email_id in enumerate(ids):
        if in_a_row >= rules.stop_after_failures:
            result.stopped = True
            result.left = len(ids) - position
            log.error("leadcapture: SMTP failing; sending stopped, %s left", result.left)
            break
        try:
            outcome = send_one(session, config, email_id, rules)
        except Exception:  # one bad email must not stop the others
            session.rollback()
            log.exception("leadcapture: email %s could not be handled", email_id)
            continue
        if outcome == EmailStatus.SENT:
            result.sent += 1
            in_a_row = 0
        elif outcome == EmailStatus.FAILED:
            result.failed += 1
            in_a_row += 1
        elif outcome == EmailStatus.CANCELLED:
            result.cancelled += 1
    return result


def hand_off_waiting(
    session: DBSession, config: Any, send: Callable[[int], Any], *, rules: SendRules
) -> int:
    """Give each email that waits to ``send`` (a background task) instead of sending it
    here; returns how many. Without ``MAIL_SERVER`` they stay in the outbox. A task
    that is lost leaves its email waiting: the next call gives it again."""
    if not mail.smtp_configured(config):
        return 0
    ids = waiting_ids(session, rules)
    session.commit()
    for email_id in ids:
        send(email_id)
    return len(ids)


def rules_from(config: Any) -> SendRules:
    """The send rules an app's ``LEADCAPTURE_EMAIL_*`` settings give."""
    return SendRules(
        lease=timedelta(seconds=float(config["LEADCAPTURE_EMAIL_LEASE_SECONDS"])),
        max_attempts=int(config["LEADCAPTURE_EMAIL_MAX_ATTEMPTS"]),
        stop_after_failures=int(config["LEADCAPTURE_EMAIL_STOP_AFTER_FAILURES"]),
    )
