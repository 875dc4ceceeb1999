"""Everything the plug-in holds about one person, found by email: exported as one JSON
document, or erased.

What an email names: the lead with that email, the customer it became (and any
customer with a contact of that email), their contacts, addresses, history, carts,
emails, the mail they sent, the opportunities and quotations made for them, the
captured events and webhook deliveries that name them, and their recovery series.

Erasing deletes what is only personal (addresses, contacts, captured events, webhook
deliveries, the recovery series) and anonymizes what the reports count: the lead, the
customer, their history and carts stay, with every name, email, phone, note and text
gone, so amounts, statuses and dates still add up. It is one transaction, logged in
:class:`~leadcapture.models.Erasure` by a digest of the email, and announced with the
``personal_data_erased`` signal so the shop erases what it holds too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update

from . import fields, history, serialize, signals
from .constants import EmailStatus
from .models import (
    Address,
    Contact,
    Customer,
    Email,
    Erasure,
    HistoryEntry,
    InboundEvent,
    Lead,
    MailMessage,
    Opportunity,
    Quotation,
    RecoverySeries,
    TrackedCart,
    WebhookDelivery,
)
from .models.base import utcnow
from .oncommit import send_on_commit
from .transactions import DBSession

#: What an erased name or text reads (a history line too, read in the staff's language).
ERASED = history.ERASED


@dataclass(frozen=True)
class Holdings:
    """The ids of what the plug-in holds about one email."""

    email: str
    leads: list[int]
    customers: list[int]
    carts: list[int]
    cart_keys: list[str]

    def is_empty(self) -> bool:
        return not (self.leads or self.customers or self.carts)


def email_digest(email: str) -> str:
    """How the erasure log names an address: its SHA-256, of the normalized email."""
    return hashlib.sha256(email.encode()).hexdigest()


def holdings(session: DBSession, email: Any) -> Holdings:
    """What is held about ``email`` (a :class:`ValidationError` on ``email`` if it is
    not one)."""
    address = fields.email("email", email, required=True)
    assert address is not None
    leads = list(session.scalars(select(Lead.id).where(func.lower(Lead.email) == address)))
    customers = list(
        session.scalars(
            select(Customer.id).where(
                or_(
                    Customer.lead_id.in_(leads),
                    Customer.id.in_(
                        select(Contact.customer_id).where(func.lower(Contact.email) == address)
                    ),
                )
            )
        )
    )
    carts = session.execute(
        select(TrackedCart.id, TrackedCart.cart_key).where(
            or_(
                func.lower(TrackedCart.email) == address,
                TrackedCart.lead_id.in_(leads),
                TrackedCart.customer_id.in_(customers),
            )
        )
    ).all()
    return Holdings(
        email=address,
        leads=leads,
        customers=customers,
        carts=[cart.id for cart in carts],
        cart_keys=[cart.cart_key for cart in carts],
    )


def _theirs(model: Any, held: Holdings, *, email_column: Any = None) -> Any:
    """The condition on ``model``'s rows that belong to the person."""
    conditions = []
    if hasattr(model, "lead_id"):
        conditions.append(model.lead_id.in_(held.leads))
    if hasattr(model, "customer_id"):
        conditions.append(model.customer_id.in_(held.customers))
    if email_column is not None:
        conditions.append(func.lower(email_column) == held.email)
    return or_(*conditions)


def export_person(session: DBSession, email: Any) -> dict[str, Any]:
    """Everything held about ``email``, as one JSON-ready document."""
    held = holdings(session, email)

    def rows(model: Any, condition: Any, shape: Any) -> list[dict[str, Any]]:
        found = session.scalars(select(model).where(condition).order_by(model.id))
        return [shape(row) for row in found]

    return {
        "email": held.email,
        "exported_at": utcnow().isoformat(),
        "leads": rows(Lead, Lead.id.in_(held.leads), serialize.lead),
        "customers": rows(Customer, Customer.id.in_(held.customers), serialize.customer),
        "contacts": rows(
            Contact, _theirs(Contact, held, email_column=Contact.email), serialize.contact
        ),
        "addresses": rows(
            Address, _theirs(Address, held, email_column=Address.email), serialize.address
        ),
        "history": rows(HistoryEntry, _theirs(HistoryEntry, held), serialize.history_entry),
        "carts": rows(TrackedCart, TrackedCart.id.in_(held.carts), serialize.cart),
        "emails": rows(
            Email,
            or_(_theirs(Email, held, email_column=Email.to), Email.cart_id.in_(held.carts)),
            _email,
        ),
        "mail_received": rows(
            MailMessage, _theirs(MailMessage, held, email_column=MailMessage.sender), _mail
        ),
        "opportunities": rows(Opportunity, _theirs(Opportunity, held), _opportunity),
        "quotations": rows(Quotation, _theirs(Quotation, held), _quotation),
    }


def _email(e: Email) -> dict[str, Any]:
    return {
        "to": e.to,
        "subject": e.subject,
        "text_body": e.text_body,
        "status": e.status,
        "created_at": serialize.iso(e.created_at),
        "sent_at": serialize.iso(e.sent_at),
    }


def _mail(m: MailMessage) -> dict[str, Any]:
    return {
        "sender": m.sender,
        "subject": m.subject,
        "received_at": serialize.iso(m.received_at),
    }


def _opportunity(o: Opportunity) -> dict[str, Any]:
    return {"title": o.title, "amount": str(o.amount) if o.amount is not None else None}


def _quotation(q: Quotation) -> dict[str, Any]:
    return {"lines": q.lines, "currency": q.currency, "status": q.status}


def erase_person(session: DBSession, email: Any, *, requested_by: str) -> Erasure:
    """Erase what is held about ``email`` (see the module's docstring); the caller
    commits. Erasing an email nothing is held about still logs the request."""
    held = holdings(session, email)
    counts: dict[str, int] = {}

    def run(name: str, statement: Any) -> None:
        done = session.execute(statement.execution_options(synchronize_session=False))
        counts[name] = counts.get(name, 0) + int(done.rowcount)  # type: ignore[attr-defined]

    run("addresses", delete(Address).where(_theirs(Address, held, email_column=Address.email)))
    run("contacts", delete(Contact).where(_theirs(Contact, held, email_column=Contact.email)))
    run(
        "captured_events",
        delete(InboundEvent).where(
            or_(InboundEvent.email == held.email, InboundEvent.cart_key.in_(held.cart_keys))
        ),
    )
    run("recovery_series", delete(RecoverySeries).where(RecoverySeries.email == held.email))
    run(
        "webhook_deliveries",
        delete(WebhookDelivery).where(WebhookDelivery.body.contains(held.email, autoescape=True)),
    )
    run(
        "emails",
        update(Email)
        .where(or_(_theirs(Email, held, email_column=Email.to), Email.cart_id.in_(held.carts)))
        .values(to=ERASED, subject=ERASED, text_body="", html_body="", unsubscribe_url=None),
    )
    session.execute(
        update(Email)
        .where(Email.to == ERASED, Email.status.in_([EmailStatus.OUTBOX, EmailStatus.FAILED]))
        .values(status=EmailStatus.CANCELLED, error="Cancelled: the person's data was erased.")
        .execution_options(synchronize_session=False)
    )
    run(
        "mail_received",
        update(MailMessage)
        .where(_theirs(MailMessage, held, email_column=MailMessage.sender))
        .values(sender=None, subject=None, reason=None),
    )
    run(
        "history",
        update(HistoryEntry)
        .where(_theirs(HistoryEntry, held))
        .values(subject=ERASED, body=None, data=None),
    )
    run(
        "opportunities",
        update(Opportunity).where(_theirs(Opportunity, held)).values(title=ERASED),
    )
    run(
        "quotations",
        update(Quotation).where(_theirs(Quotation, held)).values(lost_reason=None),
    )
    for cart_id in held.carts:  # each its own key: the key is unique
        run(
            "carts",
            update(TrackedCart)
            .where(TrackedCart.id == cart_id)
            .values(email=None, user_id=None, cart_key=f"erased-{cart_id}", next_email_at=None),
        )
    run(
        "customers",
        update(Customer).where(Customer.id.in_(held.customers)).values(customer_name=ERASED),
    )
    run(
        "leads",
        update(Lead)
        .where(Lead.id.in_(held.leads))
        .values(
            lead_name=ERASED,
            email=None,
            phone=None,
            company_name=case((Lead.is_organization.is_(True), ERASED), else_=None),
            gender=None,
            notes=None,
            web_user_id=None,
        ),
    )
    erasure = Erasure(
        email_digest=email_digest(held.email),
        requested_by=requested_by,
        counts={name: count for name, count in counts.items() if count},
    )
    session.add(erasure)
    session.expire_all()  # the rows changed under the session's objects
    send_on_commit(session, signals.personal_data_erased, email=held.email)
    return erasure
