"""The public web form: a visitor's details and message become a lead (source Web Form,
or the source the embedding page names from the allowed list); the same email again
updates that lead and adds the message to its history."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from . import fields, history
from .constants import MAX_NAME, HistoryKind, SystemEvent
from .errors import ValidationError
from .history import record
from .leads import capture_lead
from .models import Lead
from .transactions import DBSession

MAX_MESSAGE = 5_000

FORM_FIELDS = {
    "lead_name": partial(fields.text, max_length=MAX_NAME, required=True),
    "email": partial(fields.email, required=True),
    "phone": fields.phone,
    "company_name": partial(fields.text, max_length=MAX_NAME),
    "message": partial(fields.text, max_length=MAX_MESSAGE, multiline=True),
}


def submit_web_form(
    session: DBSession, data: dict[str, Any], *, sources: Sequence[str]
) -> tuple[Lead, bool]:
    """Capture a web form's submission; the caller commits. Raises
    :class:`ValidationError` naming each bad field, before anything is written."""
    source = data.get("source") or sources[0]
    errors: dict[str, list[str]] = {}
    if source not in sources:
        errors["source"] = [f"Must be one of: {', '.join(sources)}."]
    try:
        cleaned = fields.clean({name: data.get(name) for name in FORM_FIELDS}, FORM_FIELDS)
    except ValidationError as error:
        errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    message = cleaned.pop("message")
    lead, created = capture_lead(session, source=source, **cleaned)
    record(
        session,
        lead=lead,
        kind=HistoryKind.SYSTEM,
        event=SystemEvent.WEB_FORM,
        subject=history.WEB_FORM % {"source": source, "message": message.splitlines()[0][:150]}
        if message
        else history.WEB_FORM_EMPTY % {"source": source},
        body=message,
        data={"source": source, "company_name": cleaned.get("company_name")},
    )
    return lead, created
