"""Contacts of a lead (several for an organization), linked to its customer if it has one."""

from __future__ import annotations

from functools import partial
from typing import Any

from . import fields, history
from .constants import MAX_NAME
from .history import record
from .models import Contact, Lead
from .transactions import DBSession

CONTACT_FIELDS: dict[str, Any] = {
    "full_name": partial(fields.text, max_length=MAX_NAME, required=True),
    "email": fields.email,
    "phone": fields.phone,
}


def add_contact(
    session: DBSession, lead: Lead, data: dict[str, Any], *, by: str | None = None
) -> Contact:
    cleaned = fields.clean({name: data.get(name) for name in CONTACT_FIELDS}, CONTACT_FIELDS)
    contact = Contact(lead=lead, customer=lead.customer, is_primary=not lead.contacts, **cleaned)
    session.add(contact)
    record(session, lead=lead, subject=history.CONTACT_ADDED % {"name": contact.full_name}, by=by)
    return contact


def update_contact(
    session: DBSession, contact: Contact, data: dict[str, Any], *, by: str | None = None
) -> Contact:
    cleaned = fields.clean({name: data.get(name) for name in CONTACT_FIELDS}, CONTACT_FIELDS)
    for name, value in cleaned.items():
        setattr(contact, name, value)
    if contact.lead is not None:
        said = history.CONTACT_CHANGED % {"name": contact.full_name}
        record(session, lead=contact.lead, subject=said, by=by)
    return contact
