"""Notes and logged communications on a lead's history, and what they do to its status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import fields, history
from .constants import HistoryKind, LeadStatus
from .errors import ValidationError
from .history import record
from .i18n import gettext
from .leads import apply_trigger
from .mail.outgoing import queue_email
from .models import Email, HistoryEntry, Lead
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


def email_lead(
    session: DBSession,
    lead: Lead,
    *,
    subject: Any,
    text: Any,
    by: str,
    key: Any = None,
) -> Email:
    """A staff user's email to the lead, written into the outbox: sent after the commit
    (:func:`~leadcapture.send_queued`) and retried like every email; the caller commits.
    Once it is sent, its line on the lead's history is ``by``'s and the lead is
    ``Replied``, as for an email logged by hand.

    ``key`` (the form's, or an API client's) makes sending twice write once: a key that
    wrote an email gives that email back, also when two requests carry it at once.
    """
    form_key = fields.text("key", key, max_length=64)
    if form_key is not None:
        known = _written_with(session, form_key)
        if known is not None:
            if known.lead_id != lead.id:
                raise ValidationError.single("key", gettext("Used for another email."))
            return known
    if lead.status == LeadStatus.DO_NOT_CONTACT:
        raise ValidationError.single("to", gettext("This lead is Do Not Contact: no email."))
    if not lead.email:
        raise ValidationError.single("to", gettext("This lead has no email address."))
    body = fields.text("text", text, max_length=20_000, required=True, multiline=True) or ""
    address = lead.email
    try:
        # In a SAVEPOINT of its own, begun before the email is added (beginning one
        # flushes what is pending), so a key another request wrote first undoes it alone.
        with session.begin_nested():
            email = queue_email(session, to=address, subject=subject, text_body=body, lead=lead)
            email.sent_by, email.form_key = str(by), form_key
            session.flush()
    except IntegrityError:  # its key, written a moment ago by a request that raced this one
        known = _written_with(session, form_key or "")
        if known is None:
            raise
        return known
    return email


def _written_with(session: DBSession, form_key: str) -> Email | None:
    return session.scalars(select(Email).where(Email.form_key == form_key)).first()
