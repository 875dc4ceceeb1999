"""Writing a lead's history: notes, communications and system events."""

from __future__ import annotations

from typing import Any

from .constants import HistoryKind, SystemEvent
from .models import Customer, HistoryEntry, Lead
from .transactions import DBSession


def record(
    session: DBSession,
    *,
    subject: str,
    lead: Lead | None = None,
    customer: Customer | None = None,
    kind: HistoryKind = HistoryKind.SYSTEM,
    event: SystemEvent | None = None,
    body: str | None = None,
    data: dict[str, Any] | None = None,
    by: str | None = None,
) -> HistoryEntry:
    if customer is None and lead is not None:
        customer = lead.customer
    entry = HistoryEntry(
        lead=lead,
        customer=customer,
        kind=kind,
        event=event,
        subject=subject[:240],
        body=body,
        data=data,
        created_by=by,
    )
    session.add(entry)
    return entry
