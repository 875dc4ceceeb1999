"""The host's own emails through the plug-in's outbox: an order confirmation, say.

They are written like the recovery emails (in the caller's transaction, so an order and
its confirmation commit together), shown on the back office's outbox page, sent under a
lease by the same runs (``flask leads retry``, the sweep) and retried the same way. With
no SMTP server set they wait in the outbox, where staff can read them.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

from flask import current_app, has_app_context
from markupsafe import escape

from .. import fields
from ..constants import EmailStatus
from ..errors import ValidationError
from ..handoff import handoff_of
from ..i18n import gettext
from ..models import Email, Lead
from ..transactions import DBSession
from . import smtp
from .sending import rules_from, send_one


def queue_email(
    session: DBSession,
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    lead: Lead | None = None,
) -> Email:
    """Write an email into the outbox; the caller commits. Without ``html_body`` the HTML
    part is the text, escaped. Raises :class:`~leadcapture.ValidationError` naming ``to``
    or ``subject``."""
    address = fields.email("to", to, required=True) or ""
    title = fields.text("subject", subject, max_length=240, required=True) or ""
    if not text_body.strip():
        raise ValidationError.single("text_body", gettext("An email needs a text."))
    email = Email(
        lead_id=lead.id if lead is not None else None,
        to=address,
        subject=title,
        text_body=text_body,
        html_body=html_body or f"<pre>{escape(text_body)}</pre>",
        status=EmailStatus.OUTBOX,
        message_id=make_msgid(domain="leadcapture"),
    )
    session.add(email)
    return email


def send_queued(session: DBSession, config: Any, email_id: int) -> EmailStatus | None:
    """Try to send one committed email now (after the request's commit, say) — or, with
    a background worker (:mod:`leadcapture.background`), hand it to a task; with no SMTP
    server set, or on a failure, it waits for the next run. Never raises."""
    if not smtp.smtp_configured(config):
        return None
    handoff = handoff_of(current_app) if has_app_context() else None
    try:
        if handoff is not None:
            handoff.email(email_id)
            return None
        return send_one(session, config, email_id, rules_from(config))
    except Exception:  # the next run sends it: nothing here may fail the caller
        session.rollback()
        return None
