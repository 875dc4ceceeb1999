"""The automatic status rules of docs/rules.md §1, as pure functions.

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

#: Leads that get no email from the plug-in: they asked for none, or they have bought.
NO_EMAIL_STATUSES = frozenset({LeadStatus.DO_NOT_CONTACT, LeadStatus.CONVERTED})

#: An abandoned cart reopens only a lead that waits for action or has been answered.
CART_ABANDONED_MOVES_FROM = frozenset({LeadStatus.LEAD, LeadStatus.REPLIED})


#: How far along a lead is. What comes from an anonymous source (the web form, the
#: mailbox, a sign-up or guest checkout with a known email) never moves a lead down this
#: scale: ``Open`` and ``Replied`` are one step (the conversation going back and forth).
PROGRESS: dict[LeadStatus, int] = {
    LeadStatus.LEAD: 0,
    LeadStatus.OPEN: 1,
    LeadStatus.REPLIED: 1,
    LeadStatus.INTERESTED: 2,
    LeadStatus.OPPORTUNITY: 3,
    LeadStatus.QUOTATION: 4,
    LeadStatus.LOST_QUOTATION: 4,
    LeadStatus.CONVERTED: 5,
    LeadStatus.DO_NOT_CONTACT: 5,
}


def automatic_status(
    current: LeadStatus | None, trigger: Trigger, *, anonymous: bool = False
) -> LeadStatus:
    """The status a lead in ``current`` has after ``trigger`` (``None``: a new lead);
    ``anonymous``: the event comes from someone who may not be the lead (it only moves
    the lead forward)."""
    target = TARGETS[trigger]
    if current is None:
        return target
    if anonymous and PROGRESS[target] < PROGRESS[current]:
        return current
    if current == LeadStatus.CONVERTED:
        return current
    if current == LeadStatus.DO_NOT_CONTACT and target != LeadStatus.CONVERTED:
        return current
    if trigger == Trigger.CART_ABANDONED and current not in CART_ABANDONED_MOVES_FROM:
        return current
    return target
