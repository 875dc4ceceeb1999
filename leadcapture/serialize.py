"""The JSON shapes of the API (README, "JSON API")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .models import Address, Contact, Customer, Email, HistoryEntry, Lead, TrackedCart
from .recovery_report import RecoveryReport


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def customer_summary(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "id": customer.id,
        "name": customer.name,
        "customer_name": customer.customer_name,
        "customer_type": customer.customer_type,
    }


def address(a: Address) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "address_type": a.address_type,
        "address_line1": a.address_line1,
        "address_line2": a.address_line2,
        "city": a.city,
        "state": a.state,
        "pincode": a.pincode,
        "country": a.country,
        "phone": a.phone,
        "email": a.email,
    }


def contact(c: Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "full_name": c.full_name,
        "email": c.email,
        "phone": c.phone,
        "user_id": c.user_id,
        "is_primary": c.is_primary,
    }


def history_entry(e: HistoryEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "event": e.event,
        "subject": e.subject,
        "body": e.body,
        "data": e.data,
        "created_by": e.created_by,
        "created_at": iso(e.created_at),
    }


def lead(lead: Lead, *, detail: bool = False) -> dict[str, Any]:
    """A lead; ``detail`` adds its addresses, contacts and history (newest first)."""
    shape: dict[str, Any] = {
        "id": lead.id,
        "name": lead.name,
        "lead_name": lead.lead_name,
        "company_name": lead.company_name,
        "is_organization": lead.is_organization,
        "email": lead.email,
        "phone": lead.phone,
        "gender": lead.gender,
        "status": lead.status,
        "source": lead.source,
        "lead_type": lead.lead_type,
        "market_segment": lead.market_segment,
        "industry": lead.industry,
        "owner": lead.owner,
        "assigned_to": lead.assigned_to,
        "next_contact_date": iso(lead.next_contact_date),
        "next_contact_by": lead.next_contact_by,
        "utm_source": lead.utm_source,
        "utm_medium": lead.utm_medium,
        "utm_campaign": lead.utm_campaign,
        "referrer": lead.referrer,
        "language": lead.language,
        "score": lead.score if lead.scored_at else None,
        "score_reasons": lead.score_reasons,
        "customer": customer_summary(lead.customer),
        "created_at": iso(lead.created_at),
        "updated_at": iso(lead.updated_at),
    }
    if detail:
        shape["notes"] = lead.notes
        shape["addresses"] = [address(a) for a in lead.addresses]
        shape["contacts"] = [contact(c) for c in lead.contacts]
        shape["history"] = [history_entry(e) for e in lead.history]
    return shape


def cart(c: TrackedCart) -> dict[str, Any]:
    return {
        "id": c.id,
        "email": c.email,
        "lead_id": c.lead_id,
        "customer_id": c.customer_id,
        "state": c.state,
        "lines": c.lines,
        "item_count": c.item_count,
        "total": str(c.total),
        "currency": c.currency,
        "last_activity_at": iso(c.last_activity_at),
        "abandoned_at": iso(c.abandoned_at),
        "emails_sent": c.emails_sent,
        "link_opened": c.link_opened_at is not None,
        "recovered_value": str(c.recovered_value) if c.recovered_value is not None else None,
    }


def customer(c: Customer) -> dict[str, Any]:
    return {
        **(customer_summary(c) or {}),
        "lead_id": c.lead_id,
        "created_at": iso(c.created_at),
        "contacts": [contact(x) for x in c.contacts],
        "addresses": [address(a) for a in c.addresses],
    }


def customer_detail(c: Customer) -> dict[str, Any]:
    """A customer with its history (its lead's, linked at the conversion, and what came
    after), newest first; a list of customers leaves the history out."""
    return {**customer(c), "history": [history_entry(e) for e in c.history]}


def amounts(values: dict[str, Decimal]) -> dict[str, str]:
    """Money by currency, as the API writes every amount: a string with two decimals."""
    return {currency: f"{value:.2f}" for currency, value in sorted(values.items())}


def recovery(report: RecoveryReport) -> dict[str, Any]:
    return {
        "from": iso(report.start),
        "to": iso(report.end),
        "abandoned": report.abandoned,
        "recoverable": amounts(report.recoverable),
        "recovered": report.recovered,
        "recovered_value": amounts(report.recovered_value),
        "rate": report.rate,
        "emails_sent": report.emails_sent,
        "links_opened": report.links_opened,
        "by_email": [
            {
                "step": figures.step,
                "sent": figures.sent,
                "opened": figures.opened,
                "recovered": figures.recovered,
                "recovered_value": amounts(figures.recovered_value),
            }
            for figures in report.by_step
        ],
    }


def written_email(email: Email) -> dict[str, Any]:
    """An email a staff user wrote to a lead: where it is (``outbox``, ``sent`` …)."""
    return {
        "id": email.id,
        "lead_id": email.lead_id,
        "to": email.to,
        "subject": email.subject,
        "status": email.status,
        "sent_at": iso(email.sent_at),
        "sent_by": email.sent_by,
    }
