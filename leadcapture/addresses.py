"""Addresses of leads: naming ``<Lead Name>-<Address Type>`` and linking."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from sqlalchemy import func, or_, select

from . import fields, history
from .constants import (
    MAX_ADDRESS_LINE,
    MAX_CITY,
    MAX_PINCODE,
    AddressType,
    SystemEvent,
)
from .errors import ValidationError
from .history import record
from .i18n import gettext
from .models import Address, Lead
from .transactions import DBSession

ADDRESS_FIELDS: dict[str, Any] = {
    "address_type": partial(fields.choice, allowed=AddressType, required=True),
    "address_line1": partial(fields.text, max_length=MAX_ADDRESS_LINE, required=True),
    "address_line2": partial(fields.text, max_length=MAX_ADDRESS_LINE),
    "city": partial(fields.text, max_length=MAX_CITY, required=True),
    "state": partial(fields.text, max_length=MAX_CITY),
    "pincode": partial(fields.text, max_length=MAX_PINCODE),
    "country": partial(fields.text, max_length=MAX_CITY, required=True),
    "phone": fields.phone,
    "email": fields.email,
}


def clean_address(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole address; every required field must be there."""
    complete = {name: data.get(name) for name in ADDRESS_FIELDS}
    unknown = set(data) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
    return fields.clean(complete, ADDRESS_FIELDS)


def title_of(lead: Lead) -> str:
    """What an address of this lead is named after: the company, else the person."""
    if lead.is_organization and lead.company_name:
        return lead.company_name
    return lead.lead_name or lead.company_name or lead.email or lead.name or "Address"


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _queue_for_name(session: DBSession, base: str) -> None:
    """Transactions naming an address after the same ``base`` take turns (PostgreSQL's
    transaction-level advisory lock), so each reads the names the others committed: two
    orders under one name never pick the same ``-50``. SQLite writes one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(base.encode()).digest()[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(key)))


def address_name(session: DBSession, title: str, address_type: str) -> str:
    """``<title>-<type>``, or the first free ``-1``, ``-2`` … after it on a clash."""
    base = f"{title}-{address_type}"
    _queue_for_name(session, base)
    taken = set(
        session.scalars(
            select(Address.name).where(
                or_(Address.name == base, Address.name.like(_escape_like(base) + "-%", escape="\\"))
            )
        )
    )
    if base not in taken:
        return base
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def add_address(
    session: DBSession, lead: Lead, data: dict[str, Any], *, by: str | None = None
) -> Address:
    cleaned = clean_address(data)
    address = Address(
        name=address_name(session, title_of(lead), cleaned["address_type"]),
        lead=lead,
        customer=lead.customer,
        **cleaned,
    )
    session.add(address)
    session.flush()
    record(
        session,
        lead=lead,
        event=SystemEvent.ADDRESS_ADDED,
        subject=history.ADDRESS_ADDED % {"name": address.name},
        data={"address_id": address.id},
        by=by,
    )
    return address


def update_address(
    session: DBSession, address: Address, data: dict[str, Any], *, by: str | None = None
) -> Address:
    """Change an address's fields; its name stays, as other records may cite it."""
    cleaned = clean_address(data)
    for name, value in cleaned.items():
        setattr(address, name, value)
    if address.lead is not None:
        record(
            session,
            lead=address.lead,
            event=SystemEvent.ADDRESS_CHANGED,
            subject=history.ADDRESS_CHANGED % {"name": address.name},
            data={"address_id": address.id},
            by=by,
        )
    return address


def same_place(address: Address, cleaned: dict[str, Any]) -> bool:
    keys = ("address_type", "address_line1", "address_line2", "city", "pincode", "country")
    return all((getattr(address, k) or "") == (cleaned.get(k) or "") for k in keys)


def ensure_address(
    session: DBSession, lead: Lead, data: dict[str, Any], *, by: str | None = None
) -> Address:
    """The lead's address at this place and of this type, added if it has none yet."""
    cleaned = clean_address(data)
    for address in lead.addresses:
        if same_place(address, cleaned):
            return address
    return add_address(session, lead, cleaned, by=by)


def addresses_of_web_user(session: DBSession, user_id: str) -> list[Address]:
    return list(
        session.scalars(
            select(Address)
            .join(Lead, Address.lead_id == Lead.id)
            .where(Lead.web_user_id == str(user_id))
            .order_by(Address.id)
        )
    )


def address_of_web_user(session: DBSession, user_id: str, address_id: int) -> Address | None:
    """The address if it belongs to this web user's lead, else ``None`` (never another's)."""
    return session.scalars(
        select(Address)
        .join(Lead, Address.lead_id == Lead.id)
        .where(Lead.web_user_id == str(user_id), Address.id == address_id)
    ).first()
