"""Recovery emails for abandoned carts, the restore link, and unsubscribing.

A step is claimed by a conditional UPDATE (``emails_sent`` from n to n + 1) before its
email is written, and ``(cart_id, step)`` is unique on the email table: concurrent sweeps
never send a step twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy import select, update

from . import mail, tokens
from .constants import CartState, EmailStatus, HistoryKind, LeadStatus, SystemEvent
from .history import record
from .leads import apply_trigger
from .models import Email, Lead, TrackedCart
from .models.base import utcnow
from .status import Trigger
from .transactions import DBSession

log = logging.getLogger("leadcapture")

#: ``discount_code(cart, step) -> str | None``: the host's single-use code for a step.
DiscountCallable = Callable[[TrackedCart, int], "str | None"]


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL: the request's host inside a request, else ``LEADCAPTURE_BASE_URL``."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["LEADCAPTURE_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def restore_url(cart: TrackedCart, step: int) -> str:
    token = tokens.make(tokens.RESTORE, {"cart": cart.id, "step": step})
    return external_url("leadcapture_links.restore", token=token)


def unsubscribe_url(lead: Lead) -> str:
    token = tokens.make(tokens.UNSUBSCRIBE, {"lead": lead.id})
    return external_url("leadcapture_links.unsubscribe", token=token)


def may_email(lead: Lead | None) -> bool:
    """Never to Do Not Contact, and not once the lead has bought (converted)."""
    return (
        lead is not None
        and lead.status not in (LeadStatus.DO_NOT_CONTACT, LeadStatus.CONVERTED)
        and lead.customer is None
    )


def _claim(session: DBSession, cart_id: int, sent: int, next_at: datetime | None) -> bool:
    claimed = session.execute(
        update(TrackedCart)
        .where(
            TrackedCart.id == cart_id,
            TrackedCart.emails_sent == sent,
            TrackedCart.state == CartState.ABANDONED,
            TrackedCart.next_email_at.is_not(None),
        )
        .values(emails_sent=sent + 1, next_email_at=next_at)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def render_email(name: str, context: dict[str, Any]) -> str:
    """Render ``leadcapture/email/<name>`` (a host overrides it by path) without the
    web pages' context processors: an email knows no request or signed-in user."""
    template = current_app.jinja_env.get_template(f"leadcapture/email/{name}")
    return template.render(**context)


def write_recovery_email(
    session: DBSession, cart: TrackedCart, lead: Lead, step: int, discount_code: str | None
) -> Email:
    config = current_app.config
    context = {
        "shop_name": config["LEADCAPTURE_SHOP_NAME"],
        "lead": lead,
        "cart": cart,
        "step": step,
        "restore_url": restore_url(cart, step),
        "unsubscribe_url": unsubscribe_url(lead),
        "discount_code": discount_code,
    }
    email = Email(
        cart_id=cart.id,
        lead_id=lead.id,
        step=step,
        to=cart.email or lead.email or "",
        subject=render_email("recovery_subject.txt", context).strip(),
        text_body=render_email("recovery.txt", context),
        html_body=render_email("recovery.html", context),
        discount_code=discount_code,
        status=EmailStatus.OUTBOX,
    )
    session.add(email)
    session.flush()
    record(
        session,
        lead=lead,
        kind=HistoryKind.EMAIL_SENT,
        subject=f"Recovery email {step} to {email.to}: {email.subject}",
        body=email.text_body,
        data={
            "email_id": email.id,
            "cart_id": cart.id,
            "step": step,
            "discount_code": discount_code,
        },
    )
    return email


def deliver(session: DBSession, email: Email, unsubscribe: str | None) -> None:
    """Send over SMTP when configured, else leave it in the outbox; caller commits."""
    config = current_app.config
    if not mail.smtp_configured(config):
        email.status = EmailStatus.OUTBOX
        return
    message = mail.build(
        config,
        to=email.to,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        unsubscribe_url=unsubscribe,
    )
    try:
        mail.send(config, message)
    except Exception as exc:  # an SMTP outage must not stop the sweep
        log.exception("leadcapture: recovery email %s could not be sent", email.id)
        email.status = EmailStatus.FAILED
        email.error = f"{type(exc).__name__}: {exc}"
    else:
        email.status = EmailStatus.SENT


def _send_step(
    session: DBSession,
    cart_id: int,
    already: int,
    abandoned_at: datetime | None,
    schedule_hours: tuple[float, ...],
    discount_code: DiscountCallable | None,
) -> int:
    """Claim, write and send one cart's next email; returns 1 if one went out."""
    step = already + 1
    next_at = (
        abandoned_at + timedelta(hours=schedule_hours[step])
        if abandoned_at is not None and step < len(schedule_hours)
        else None
    )
    if not _claim(session, cart_id, already, next_at):
        session.rollback()
        return 0
    cart = session.get(TrackedCart, cart_id)
    assert cart is not None
    lead = session.get(Lead, cart.lead_id) if cart.lead_id else None
    if lead is None or not may_email(lead) or cart.checked_out_at is not None:
        cart.emails_sent = already
        cart.next_email_at = None
        session.commit()
        return 0
    code = discount_code(cart, step) if discount_code else None
    email = write_recovery_email(session, cart, lead, step, code)
    link = unsubscribe_url(lead)
    session.commit()
    deliver(session, email, link)
    session.commit()
    return 1


def send_due_emails(
    session: DBSession,
    *,
    now: datetime,
    schedule_hours: tuple[float, ...],
    batch_size: int,
    discount_code: DiscountCallable | None = None,
) -> int:
    """Write and send every recovery email that is due; commits per cart."""
    sent = 0
    after = 0  # keyset on the id: each due cart is looked at once per run
    while True:
        due = list(
            session.execute(
                select(TrackedCart.id, TrackedCart.emails_sent, TrackedCart.abandoned_at)
                .where(
                    TrackedCart.next_email_at <= now,
                    TrackedCart.state == CartState.ABANDONED,
                    TrackedCart.id > after,
                )
                .order_by(TrackedCart.id)
                .limit(batch_size)
            )
        )
        session.commit()
        if not due:
            return sent
        for cart_id, already, abandoned_at in due:
            after = cart_id
            try:
                sent += _send_step(
                    session, cart_id, already, abandoned_at, schedule_hours, discount_code
                )
            except Exception:  # one bad cart must not stop the others
                session.rollback()
                log.exception("leadcapture: recovery email for cart %s failed", cart_id)


#: How often a failed recovery email is tried again (by the sweep or ``flask leads retry``).
MAX_SEND_ATTEMPTS = 5


def resend_failed(session: DBSession, *, limit: int = 500) -> int:
    """Send again the recovery emails an SMTP outage failed; returns how many went out.

    Each try is claimed first by a conditional UPDATE of its count, so runs on several
    hosts never send one email twice; a lead that may no longer be written to (it
    unsubscribed, or its cart was bought meanwhile) gets none.
    """
    failed = session.execute(
        select(Email.id, Email.attempts)
        .where(Email.status == EmailStatus.FAILED, Email.attempts < MAX_SEND_ATTEMPTS)
        .order_by(Email.id)
        .limit(limit)
    ).all()
    session.commit()
    sent = 0
    for email_id, attempts in failed:
        claimed = session.execute(
            update(Email)
            .where(
                Email.id == email_id,
                Email.status == EmailStatus.FAILED,
                Email.attempts == attempts,
            )
            .values(attempts=attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:
            session.rollback()
            continue
        email = session.get(Email, email_id)
        assert email is not None
        lead = session.get(Lead, email.lead_id) if email.lead_id else None
        cart = session.get(TrackedCart, email.cart_id) if email.cart_id else None
        if lead is None or not may_email(lead) or (cart and cart.checked_out_at is not None):
            email.status = EmailStatus.CANCELLED
            email.error = "Not sent again: the lead may no longer be written to."
            session.commit()
            continue
        session.commit()
        deliver(session, email, unsubscribe_url(lead))
        session.commit()
        sent += email.status == EmailStatus.SENT
    return sent


def open_restore_link(
    session: DBSession, payload: dict[str, Any]
) -> tuple[TrackedCart, str | None]:
    """The shopper followed a recovery link: note it and make the lead Interested."""
    cart = session.get(TrackedCart, payload.get("cart"))
    if cart is None:
        raise LookupError("cart")
    step = payload.get("step")
    email = session.scalars(
        select(Email).where(Email.cart_id == cart.id, Email.step == step)
    ).first()
    first_time = cart.link_opened_at is None
    if first_time:
        cart.link_opened_at = utcnow()
    lead = session.get(Lead, cart.lead_id) if cart.lead_id else None
    if lead is not None:
        apply_trigger(session, lead, Trigger.RECOVERY_LINK_CLICKED)
        record(
            session,
            lead=lead,
            event=SystemEvent.RECOVERY_LINK_CLICKED,
            subject=f"Recovery link of email {step} opened",
            data={"cart_id": cart.id},
        )
    return cart, email.discount_code if email else None


def unsubscribe(session: DBSession, lead_id: Any) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError("lead")
    if lead.status != LeadStatus.DO_NOT_CONTACT:
        apply_trigger(session, lead, Trigger.UNSUBSCRIBED)
        record(
            session, lead=lead, event=SystemEvent.UNSUBSCRIBED, subject="Unsubscribed from emails"
        )
    session.execute(
        update(TrackedCart)
        .where(TrackedCart.lead_id == lead.id)
        .values(next_email_at=None)
        .execution_options(synchronize_session=False)
    )
    return lead
