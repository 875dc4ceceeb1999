"""Email from the mailbox onto leads: a message from an unknown sender makes a lead
(source Email), one from a known lead — or a contact of a customer — lands on that
lead's history and sets it Open (docs/rules.md §1).

Each message is taken once, by its Message-ID: the claim is a row in
``lc_mail_messages`` inserted with ON CONFLICT DO NOTHING in the same transaction as the
lead's changes, so two overlapping runs cannot both take it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any, cast

from sqlalchemy import Table, select

from .. import fields, history
from ..constants import MAX_NAME, HistoryKind, LeadSource, SystemEvent
from ..errors import ValidationError
from ..history import record
from ..leads import apply_trigger, capture_lead, find_by_email
from ..models import Contact, Lead, MailMessage
from ..status import Trigger
from ..transactions import DBSession, upsert

MAX_BODY = 20_000


@dataclass
class Inbound:
    """What the plug-in reads of one message."""

    message_id: str
    sender: str | None
    sender_name: str | None
    subject: str
    body: str | None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    automatic: bool = False
    not_read: str | None = None


class _Text(HTMLParser):
    """The text of an HTML body, without its scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _printable(text: str, limit: int) -> str:
    """``text`` without control characters (newlines and tabs kept), cut at ``limit``."""
    kept = "".join(c for c in text if c in "\n\t" or c.isprintable())
    return kept[:limit]


def parse_message(raw: bytes, *, size: int | None = None, max_bytes: int | None = None) -> Inbound:
    """Read a message (or only its header, when it was larger than ``max_bytes``)."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]
    try:
        message_id = str(message.get("Message-ID") or "").strip()
    except (ValueError, IndexError):
        message_id = ""
    if not message_id or len(message_id) > 255:
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    sender, sender_name = _sender(message)
    try:
        subject = _printable(str(message.get("Subject") or ""), 200).strip()
    except (ValueError, IndexError):
        subject = ""
    inbound = Inbound(
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        subject=subject or "(no subject)",
        body=None,
        automatic=str(message.get("Auto-Submitted") or "no").lower() != "no",
    )
    if max_bytes is not None and size is not None and size > max_bytes:
        inbound.not_read = f"The message ({size:,} bytes) is larger than the {max_bytes:,} read."
        return inbound
    inbound.body, inbound.attachments = _body(message)
    return inbound


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    try:
        header = message.get("From")
        addresses: list[Any] = list(getattr(header, "addresses", ()))
        if not addresses:
            addresses = [
                HeaderAddress(display_name=name, addr_spec=addr)
                for name, addr in getaddresses([str(header or "")])
                if addr
            ]
    except (ValueError, IndexError, TypeError):
        return None, None
    if not addresses:
        return None, None
    first = addresses[0]
    name = _printable(first.display_name or "", MAX_NAME).strip() or None
    return first.addr_spec or None, name


def _body(message: EmailMessage) -> tuple[str | None, list[dict[str, Any]]]:
    attachments = []
    for attached in message.iter_attachments():
        payload = attached.get_payload(decode=True) or b""
        attachments.append(
            {
                "filename": _printable(attached.get_filename() or "", 200) or None,
                "content_type": attached.get_content_type(),
                "size": len(payload) if isinstance(payload, bytes) else 0,
            }
        )
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None, attachments
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken part
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return None, attachments
    if part.get_content_type() == "text/html":
        content = html_text(content)
    return _printable(content, MAX_BODY).strip() or None, attachments


def _claim(session: DBSession, inbound: Inbound) -> int | None:
    """Take the message: the id of its new row, or ``None`` if it was taken before."""
    statement = (
        upsert(session, cast(Table, MailMessage.__table__))
        .values(
            message_id=inbound.message_id,
            sender=(inbound.sender or "")[:254] or None,
            subject=inbound.subject[:240],
            outcome="skipped",
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(MailMessage.id)
    )
    return session.execute(statement).scalar()


def _known_lead(session: DBSession, email: str) -> Lead | None:
    lead = find_by_email(session, email, for_update=True)
    if lead is not None:
        return lead
    contact = session.scalars(
        select(Contact).where(Contact.email == email).order_by(Contact.id).limit(1)
    ).first()
    if contact is None:
        return None
    if contact.lead is not None:
        return contact.lead
    return contact.customer.lead if contact.customer is not None else None


def take_message(session: DBSession, inbound: Inbound) -> str | None:
    """Put one message on its lead; the caller commits. Returns the outcome
    (``lead_created``, ``history`` or ``skipped``), or ``None`` if it was taken before."""
    claimed = _claim(session, inbound)
    if claimed is None:
        return None
    row = session.get(MailMessage, claimed)
    assert row is not None
    try:
        email = fields.email("sender", inbound.sender, required=True)
    except ValidationError:
        row.reason = "No valid sender address."
        return row.outcome
    if inbound.automatic:
        row.reason = "An automatic message (Auto-Submitted)."
        return row.outcome
    assert email is not None
    lead = _known_lead(session, email)
    if lead is None:
        name = inbound.sender_name
        try:
            fields.text("lead_name", name, max_length=MAX_NAME)
        except ValidationError:
            name = None
        lead, _ = capture_lead(
            session, source=LeadSource.EMAIL, email=email, lead_name=name or email.split("@")[0]
        )
        row.outcome = "lead_created"
    else:
        row.outcome = "history"
    record(
        session,
        lead=lead,
        kind=HistoryKind.EMAIL_RECEIVED,
        event=SystemEvent.EMAIL_RECEIVED,
        subject=history.EMAIL_RECEIVED % {"subject": inbound.subject},
        body=inbound.body if inbound.not_read is None else inbound.not_read,
        data={
            "message_id": inbound.message_id,
            "from": email,
            "attachments": inbound.attachments,
            "not_read": inbound.not_read,
        },
    )
    if row.outcome == "history":
        apply_trigger(session, lead, Trigger.EMAIL_RECEIVED, anonymous=True)
    row.lead_id = lead.id
    return row.outcome
