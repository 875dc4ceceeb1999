"""The automatic status rules of PRODUCT.md §3, as pure functions.

Staff may set any status by hand; these rules say what an *event* does to a lead.
They never move a lead out of ``Converted``, and out of ``Do Not Contact`` only to
``Converted``.
"""

from __future__ import annotations

from enum import StrEnum

from .constants import LeadStatus


class Trigger(StrEnum):
    CREATED = "created"
    SIGNED_UP = "signed_up"
    CART_ABANDONED = "cart_abandoned"
    CONTACT_DATE_REACHED = "contact_date_reached"
    COMMUNICATION_SENT = "communication_sent"
    EMAIL_RECEIVED = "email_received"
    OPPORTUNITY_MADE = "opportunity_made"
    QUOTATION_MADE = "quotation_made"
    QUOTATION_LOST = "quotation_lost"
    RECOVERY_LINK_CLICKED = "recovery_link_clicked"
    UNSUBSCRIBED = "unsubscribed"
    ORDER_PLACED = "order_placed"


TARGETS: dict[Trigger, LeadStatus] = {
    Trigger.CREATED: LeadStatus.LEAD,
    Trigger.SIGNED_UP: LeadStatus.OPEN,
    Trigger.CART_ABANDONED: LeadStatus.OPEN,
    Trigger.CONTACT_DATE_REACHED: LeadStatus.OPEN,
    Trigger.COMMUNICATION_SENT: LeadStatus.REPLIED,
    Trigger.EMAIL_RECEIVED: LeadStatus.OPEN,
    Trigger.OPPORTUNITY_MADE: LeadStatus.OPPORTUNITY,
    Trigger.QUOTATION_MADE: LeadStatus.QUOTATION,
    Trigger.QUOTATION_LOST: LeadStatus.LOST_QUOTATION,
    Trigger.RECOVERY_LINK_CLICKED: LeadStatus.INTERESTED,
    Trigger.UNSUBSCRIBED: LeadStatus.DO_NOT_CONTACT,
    Trigger.ORDER_PLACED: LeadStatus.CONVERTED,
}

#: An abandoned cart reopens only a lead that waits for action or has been answered.
CART_ABANDONED_MOVES_FROM = frozenset({LeadStatus.LEAD, LeadStatus.REPLIED})


def automatic_status(current: LeadStatus | None, trigger: Trigger) -> LeadStatus:
    """The status a lead in ``current`` has after ``trigger`` (``None``: a new lead)."""
    target = TARGETS[trigger]
    if current is None:
        return target
    if current == LeadStatus.CONVERTED:
        return current
    if current == LeadStatus.DO_NOT_CONTACT and target != LeadStatus.CONVERTED:
        return current
    if trigger == Trigger.CART_ABANDONED and current not in CART_ABANDONED_MOVES_FROM:
        return current
    return target
