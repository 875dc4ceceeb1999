"""Writing a lead's history: notes, communications and system events.

A line the plug-in writes is kept in English, as the API, the CSV export and a search
read it; the back office shows it in its reader's language (:func:`shown`), with the
plug-in's own words in it (a status, a source) translated too.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .constants import HistoryKind, SystemEvent
from .i18n import N_, gettext
from .models import Customer, HistoryEntry, Lead
from .transactions import DBSession

CREATED = N_("Lead created from %(source)s")
STATUS_CHANGED = N_("Status changed from %(old)s to %(new)s")
STATUS_SET = N_("Status set to %(new)s")
CAPTURED_AGAIN = N_("Captured again from %(source)s")
SIGNED_UP = N_("Signed up on the shop")
SIGNED_UP_LINKED = N_("Signed up on the shop; lead linked")
CONVERTED = N_("Converted to customer %(customer)s (%(name)s)")
LINK_OPENED = N_("Recovery link of email %(step)s opened")
UNSUBSCRIBED = N_("Unsubscribed from emails")
RECOVERY_EMAIL_SENT = N_("Recovery email %(step)s to %(to)s: %(subject)s")
EMAIL_SENT = N_("Email to %(to)s: %(subject)s")
EMAIL_RECEIVED = N_("Email received: %(subject)s")
IMPORTED = N_("Lead imported from %(file)s, line %(line)s; status %(status)s")
UPDATED_FROM = N_("Updated from %(file)s, line %(line)s")
CONTACT_ADDED = N_("Contact %(name)s added")
CONTACT_CHANGED = N_("Contact %(name)s changed")
OPPORTUNITY_MADE = N_("Opportunity made: %(title)s")
QUOTATION_MADE = N_("Quotation %(id)s made: %(total)s %(currency)s")
QUOTATION_LOST_BECAUSE = N_("Quotation %(id)s lost: %(reason)s")
QUOTATION_LOST = N_("Quotation %(id)s lost")
EMAIL_LOGGED = N_("Email sent: %(subject)s")
CALL_MADE = N_("Call sent: %(subject)s")
CALL_TAKEN = N_("Call received: %(subject)s")
SIGN_UP_LEFT_OUT = N_("Left out of the sign-up: %(fields)s")
ORDER_LEFT_OUT = N_("Left out of order %(order)s: %(fields)s")
ORDER_PLACED = N_("Order %(order)s placed: %(total)s %(currency)s")
RECOVERED_WITH_LINK = N_(
    "Cart recovered by order %(order)s: %(total)s %(currency)s, the recovery link was used"
)
RECOVERED_WITHOUT_LINK = N_(
    "Cart recovered by order %(order)s: %(total)s %(currency)s, without the link"
)
CART_ABANDONED_ONE = N_("Cart abandoned: 1 item, %(total)s %(currency)s")
CART_ABANDONED = N_("Cart abandoned: %(count)s items, %(total)s %(currency)s")
#: The line as sweeps wrote it before 2026-11-25, still read back.
CART_ABANDONED_BEFORE = N_("Cart abandoned: %(count)s item(s), %(total)s %(currency)s")
ADDRESS_ADDED = N_("Address %(name)s added")
ADDRESS_CHANGED = N_("Address %(name)s changed")
WEB_FORM_EMPTY = N_("Web form (%(source)s): no message")
WEB_FORM = N_("Web form (%(source)s): %(message)s")
FOLLOW_UP_BY_OPENED = N_(
    "Follow-up due %(date)s (by %(by)s); status changed from %(old)s to %(new)s"
)
FOLLOW_UP_OPENED = N_("Follow-up due %(date)s; status changed from %(old)s to %(new)s")
FOLLOW_UP_BY = N_("Follow-up due %(date)s (by %(by)s)")
FOLLOW_UP = N_("Follow-up due %(date)s")
FOLLOW_UP_DONE_NEXT = N_("Follow-up of %(date)s done; the next on %(next)s")
FOLLOW_UP_DONE = N_("Follow-up of %(date)s done")
MERGED = N_("%(merged)s (%(name)s) merged into this lead")
#: What every line of an erased person's history reads (:mod:`leadcapture.personal_data`).
ERASED = N_("Erased")
#: Every line above, the longer of two that could read alike first.
SAID = (
    CREATED,
    STATUS_CHANGED,
    STATUS_SET,
    CAPTURED_AGAIN,
    SIGNED_UP,
    SIGNED_UP_LINKED,
    CONVERTED,
    LINK_OPENED,
    UNSUBSCRIBED,
    RECOVERY_EMAIL_SENT,
    EMAIL_SENT,
    EMAIL_RECEIVED,
    IMPORTED,
    UPDATED_FROM,
    CONTACT_ADDED,
    CONTACT_CHANGED,
    OPPORTUNITY_MADE,
    QUOTATION_MADE,
    QUOTATION_LOST_BECAUSE,
    QUOTATION_LOST,
    EMAIL_LOGGED,
    CALL_MADE,
    CALL_TAKEN,
    SIGN_UP_LEFT_OUT,
    ORDER_LEFT_OUT,
    ORDER_PLACED,
    RECOVERED_WITH_LINK,
    RECOVERED_WITHOUT_LINK,
    CART_ABANDONED_ONE,
    CART_ABANDONED,
    CART_ABANDONED_BEFORE,
    ADDRESS_ADDED,
    ADDRESS_CHANGED,
    WEB_FORM_EMPTY,
    WEB_FORM,
    FOLLOW_UP_BY_OPENED,
    FOLLOW_UP_OPENED,
    FOLLOW_UP_BY,
    FOLLOW_UP,
    FOLLOW_UP_DONE_NEXT,
    FOLLOW_UP_DONE,
    MERGED,
    ERASED,
)
#: The values that are the plug-in's fixed words (:mod:`leadcapture.words`).
WORD_VALUES = frozenset({"source", "old", "new", "status"})
_VALUE = re.compile(r"%\((\w+)\)s")


def shown(subject: str) -> str:
    """A history line in the reader's language: one the plug-in wrote from :data:`SAID`
    translated, its words too; anything else (a note, an email's subject) as written.
    Read from the kept text, so the lines written before a language was added show in
    it as well."""
    for text, pattern in _patterns():
        match = pattern.fullmatch(subject)
        if match is not None:
            values = {
                name: gettext(value) if name in WORD_VALUES else value
                for name, value in match.groupdict().items()
            }
            return gettext(text, **values)
    return subject


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    def pattern(text: str) -> re.Pattern[str]:
        parts = _VALUE.split(text)  # text, name, text, name, … text
        return re.compile(
            "".join(
                re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)"
                for n, part in enumerate(parts)
            ),
            re.S,
        )

    return tuple((text, pattern(text)) for text in SAID)


def created(source: Any) -> dict[str, Any]:
    """What a lead's history says when it is made, however it is made (one by one, or a
    sweep's batch): ``event`` and ``subject`` for :func:`record` or a bulk insert."""
    return {"event": SystemEvent.CREATED, "subject": CREATED % {"source": source}}


def status_changed(old: Any, new: Any) -> dict[str, Any]:
    """What a lead's history says when its status changes (``old`` None: a new lead)."""
    return {
        "event": SystemEvent.STATUS_CHANGED,
        "subject": STATUS_CHANGED % {"old": old, "new": new} if old else STATUS_SET % {"new": new},
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
