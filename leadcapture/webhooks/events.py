"""The events a webhook subscribes to, each made from one of the plug-in's outbound
signals: an event is posted exactly when its signal is sent, with what it carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import Signal

from .. import serialize, signals
from ..i18n import N_

#: Every event an endpoint may choose, with what staff read beside it.
EVENTS: dict[str, str] = {
    "lead.created": N_("A lead is created"),
    "lead.status_changed": N_("A lead's status changes"),
    "cart.abandoned": N_("Carts are abandoned (one event per sweep batch)"),
    "cart.recovered": N_("An order wins back an abandoned cart"),
    "lead.converted": N_("A lead becomes a customer"),
    "lead.merged": N_("A duplicate lead is merged into another"),
}


def _lead_created(lead: Any, **_: Any) -> tuple[str, dict[str, Any]]:
    return "lead.created", {"lead": serialize.lead(lead)}


def _status_changed(
    lead: Any, old_status: str | None, new_status: str, **_: Any
) -> tuple[str, dict[str, Any]]:
    return "lead.status_changed", {
        "lead": serialize.lead(lead),
        "old_status": old_status,
        "new_status": new_status,
    }


def _carts_abandoned(
    cart_ids: Any, created_lead_ids: Any, changed_lead_ids: Any, new_status: str, **_: Any
) -> tuple[str, dict[str, Any]]:
    return "cart.abandoned", {
        "cart_ids": list(cart_ids),
        "created_lead_ids": list(created_lead_ids),
        "changed_lead_ids": list(changed_lead_ids),
        "new_status": new_status,
    }


def _cart_recovered(
    lead: Any, cart_ids: Any, order_id: str, total: Any, currency: str, **_: Any
) -> tuple[str, dict[str, Any]]:
    return "cart.recovered", {
        "lead": serialize.lead(lead),
        "cart_ids": list(cart_ids),
        "order_id": order_id,
        "total": str(total),
        "currency": currency,
    }


def _lead_converted(lead: Any, customer: Any, **_: Any) -> tuple[str, dict[str, Any]]:
    return "lead.converted", {
        "lead": serialize.lead(lead),
        "customer": serialize.customer_summary(customer),
    }


def _lead_merged(
    lead: Any, merged_id: int, merged_name: str, **_: Any
) -> tuple[str, dict[str, Any]]:
    return "lead.merged", {
        "lead": serialize.lead(lead),
        "merged_id": merged_id,
        "merged_name": merged_name,
    }


_MAKERS: dict[Signal, Callable[..., tuple[str, dict[str, Any]]]] = {
    signals.lead_created: _lead_created,
    signals.lead_status_changed: _status_changed,
    signals.cart_abandoned: _carts_abandoned,
    signals.cart_recovered: _cart_recovered,
    signals.lead_converted: _lead_converted,
    signals.lead_merged: _lead_merged,
}


def makes_event(signal: Signal) -> bool:
    """Does sending ``signal`` make a webhook event?"""
    return signal in _MAKERS


def event_of(signal: Signal, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The webhook event (name, data) a signal's sending makes (one that
    :func:`makes_event`)."""
    return _MAKERS[signal](**arguments)
