"""The customer list's search: a customer by its name or number, by its lead's name,
email, company or number, or by a contact's name or email.

Each of the three is served by a trigram index on PostgreSQL (migrations lc0008 and
lc0024 hold the same expressions), and each gives customer ids of its own, so the
database reads three indexes instead of every customer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union

from . import fields
from .leadlist import SEARCH_TEXT, containing, searched_text
from .models import Contact, Customer, Lead

CUSTOMER_TEXT = searched_text(Customer.customer_name, Customer.name)
CONTACT_TEXT = searched_text(Contact.full_name, Contact.email)


def customer_search(q: Any) -> Any:
    """The condition of the customers that ``q`` finds; ``None`` when ``q`` is blank."""
    text = fields.text("q", q, max_length=200)
    if not text:
        return None
    found: Any = union(
        select(Customer.id).where(containing(CUSTOMER_TEXT, text)),
        select(Customer.id)
        .join(Lead, Lead.id == Customer.lead_id)
        .where(containing(SEARCH_TEXT, text)),
        select(Contact.customer_id).where(
            Contact.customer_id.is_not(None), containing(CONTACT_TEXT, text)
        ),
    )
    return Customer.id.in_(found)
