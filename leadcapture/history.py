"""Writing a lead's history: notes, communications and system events."""

from __future__ import annotations

from typing import Any

from .constants import HistoryKind, SystemEvent
from .models import Customer, HistoryEntry, Lead
from .transactions import DBSession


def created(source: Any) -> dict[str, Any]:
    """What a lead's history says when it is made, however it is made (one by one, or a
    sweep's batch): ``event`` and ``subject`` for :func:`record` or a bulk insert."""
    return {"event": SystemEvent.CREATED, "subject": f"Lead created from {source}"}


def status_changed(old: Any, new: Any) -> dict[str, Any]:
    """What a lead's history says when its status changes (``old`` None: a new lead)."""
    return {
        "event": SystemEvent.STATUS_CHANGED,
        "subject": f"Status changed from {old} to {new}" if old else f"Status set to {new}",
        "data": {"old": str(old) if old else None, "new": str(new)},
    }


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
