"""Lead → Customer + Contact: ERPNext's "Make Customer", done once per lead."""

from __future__ import annotations

from sqlalchemy import select, update

from . import fields, history, signals
from .constants import MAX_NAME, CustomerType, SystemEvent
from .history import record
from .leads import apply_trigger
from .models import Address, Contact, Customer, HistoryEntry, Lead
from .oncommit import send_on_commit
from .status import Trigger
from .transactions import DBSession

NAME_PREFIX = "CUST-"


def _lock(session: DBSession, lead: Lead) -> Lead:
    """Re-read the lead under a row lock, so concurrent conversions queue up."""
    locked = session.scalars(
        select(Lead)
        .where(Lead.id == lead.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def ensure_contact(
    session: DBSession,
    customer: Customer,
    *,
    full_name: str,
    lead: Lead | None = None,
    user_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Contact:
    """The customer's contact for this web user (or email), made if missing."""
    for contact in customer.contacts:
        if user_id is not None and contact.user_id == user_id:
            return contact
        if user_id is None and email is not None and contact.email == email:
            return contact
    contact = Contact(
        customer=customer,
        lead=lead,
        user_id=user_id,
        full_name=full_name,
        email=email,
        phone=phone,
        is_primary=not customer.contacts,
    )
    session.add(contact)
    return contact


def _make_customer(session: DBSession, lead: Lead, person: str | None) -> Customer:
    """The customer of a lead: the company for an organization, else the person."""
    is_company = bool(lead.is_organization and lead.company_name)
    customer = Customer(
        customer_name=(lead.company_name if is_company else person) or lead.display_name,
        customer_type=CustomerType.COMPANY if is_company else CustomerType.INDIVIDUAL,
        lead=lead,
    )
    session.add(customer)
    session.flush()
    customer.name = f"{NAME_PREFIX}{customer.id:05d}"
    return customer


def link_to_customer(session: DBSession, lead_id: int, customer_id: int) -> None:
    """The lead's addresses, contacts and history that belong to no customer yet become
    its customer's too, so they read the same from either side."""
    for model in (Address, Contact, HistoryEntry):
        session.execute(
            update(model)
            .where(model.lead_id == lead_id, model.customer_id.is_(None))
            .values(customer_id=customer_id)
            .execution_options(synchronize_session="fetch")
        )


def convert_lead(
    session: DBSession,
    lead: Lead,
    *,
    customer_name: str | None = None,
    user_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    by: str | None = None,
) -> Customer:
    """Make the lead's customer and contact, link its addresses, contacts and history.

    Idempotent: a lead that has a customer keeps it (a new web user only adds a contact).
    The caller commits; everything here is one transaction.
    """
    lead = _lock(session, lead)
    person = fields.text("customer_name", customer_name, max_length=MAX_NAME) or lead.lead_name
    contact_email = fields.email("email", email) or lead.email
    contact_phone = fields.phone("phone", phone) or lead.phone
    user_id = user_id or lead.web_user_id
    customer = lead.customer
    made = customer is None
    if customer is None:
        customer = _make_customer(session, lead, person)
    ensure_contact(
        session,
        customer,
        full_name=person or customer.customer_name,
        lead=lead,
        user_id=user_id,
        email=contact_email,
        phone=contact_phone,
    )
    if not made:
        return customer
    link_to_customer(session, lead.id, customer.id)
    apply_trigger(session, lead, Trigger.ORDER_PLACED, by=by)
    record(
        session,
        lead=lead,
        customer=customer,
        event=SystemEvent.CONVERTED,
        subject=history.CONVERTED % {"customer": customer.name, "name": customer.customer_name},
        data={"customer_id": customer.id},
        by=by,
    )
    send_on_commit(session, signals.lead_converted, lead=lead, customer=customer)
    return customer
