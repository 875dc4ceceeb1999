"""Notes and logged communications on a lead's history, and what they do to its status."""

from __future__ import annotations

from typing import Any

from . import fields, history
from .constants import HistoryKind
from .errors import ValidationError
from .history import record
from .i18n import gettext
from .leads import apply_trigger
from .models import HistoryEntry, Lead
from .status import Trigger
from .transactions import DBSession

MEDIA = ("email", "call")
DIRECTIONS = ("sent", "received")
#: The history's line for each medium and direction.
SAID = {
    ("email", "sent"): history.EMAIL_LOGGED,
    ("email", "received"): history.EMAIL_RECEIVED,
    ("call", "sent"): history.CALL_MADE,
    ("call", "received"): history.CALL_TAKEN,
}


def add_note(session: DBSession, lead: Lead, text: Any, *, by: str | None = None) -> HistoryEntry:
    body = fields.text("body", text, max_length=20_000, required=True, multiline=True) or ""
    return record(session, lead=lead, kind=HistoryKind.NOTE, subject=body[:120], body=body, by=by)


def log_communication(
    session: DBSession,
    lead: Lead,
    *,
    medium: str,
    direction: str,
    subject: str,
    body: str | None = None,
    by: str | None = None,
) -> HistoryEntry:
    """A call or email, to the lead (``sent``: Replied) or from it (``received``: Open)."""
    if medium not in MEDIA:
        raise ValidationError.single("medium", gettext("Must be email or call."))
    if direction not in DIRECTIONS:
        raise ValidationError.single("direction", gettext("Must be sent or received."))
    title = fields.text("subject", subject, max_length=200, required=True) or ""
    text = fields.text("body", body, max_length=20_000, multiline=True)
    if medium == "call":
        kind = HistoryKind.CALL
    else:
        kind = HistoryKind.EMAIL_SENT if direction == "sent" else HistoryKind.EMAIL_RECEIVED
    entry = record(
        session,
        lead=lead,
        kind=kind,
        subject=SAID[medium, direction] % {"subject": title},
        body=text,
        data={"medium": medium, "direction": direction},
        by=by,
    )
    trigger = Trigger.COMMUNICATION_SENT if direction == "sent" else Trigger.EMAIL_RECEIVED
    apply_trigger(session, lead, trigger, by=by)
    return entry
