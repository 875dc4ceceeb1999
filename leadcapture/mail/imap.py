"""``flask leads fetch-mail``: read the new messages of an IMAP mailbox onto leads.

Settings: ``LEADCAPTURE_IMAP_HOST`` (unset: no mailbox), ``_PORT`` (993), ``_SSL``
(True; False for plain IMAP, then ``_STARTTLS`` upgrades it), ``_USER``, ``_PASSWORD``,
``_MAILBOX`` ("INBOX"), ``LEADCAPTURE_MAIL_MAX_BYTES`` (a larger message is taken by its
header only). A message is marked seen once its lead's transaction has committed; one
that fails stays unseen, so the next run tries it again.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..transactions import DBSession, in_transaction
from .intake import parse_message, take_message

logger = logging.getLogger(__name__)

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The mailbox cannot be read (not set up, unreachable, refused the login)."""


@dataclass
class FetchResult:
    seen: int = 0
    leads_created: int = 0
    on_history: int = 0
    skipped: int = 0
    taken_before: int = 0
    failed: int = 0


def _connect(config: Any) -> imaplib.IMAP4:
    host = config["LEADCAPTURE_IMAP_HOST"]
    if not host:
        raise MailboxError("No mailbox: set LEADCAPTURE_IMAP_HOST (and _USER, _PASSWORD).")
    port = config["LEADCAPTURE_IMAP_PORT"]
    timeout = config["LEADCAPTURE_IMAP_TIMEOUT"]
    try:
        if config["LEADCAPTURE_IMAP_SSL"]:
            return imaplib.IMAP4_SSL(host, port, timeout=timeout)
        imap = imaplib.IMAP4(host, port, timeout=timeout)
        if config["LEADCAPTURE_IMAP_STARTTLS"]:
            imap.starttls(ssl.create_default_context())
        return imap
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise MailboxError(f"Cannot reach the mailbox at {host}:{port}: {exc}") from None


def _fetch(imap: imaplib.IMAP4, uid: str, what: str) -> tuple[bytes, bytes]:
    """The message part asked for. The answer may start with flag changes another
    connection made (``* 1 FETCH (FLAGS (\\Seen))``, sent unasked while a second run marks
    messages): the part is the first item that carries content."""
    status, data = imap.uid("FETCH", uid, what)
    part = next((item for item in data or [] if isinstance(item, tuple)), None)
    if status != "OK" or part is None:
        raise imaplib.IMAP4.error(f"FETCH {uid!r} {what}: {status}")
    meta, content = part
    return meta, content


def fetch_mail(
    session: DBSession, config: Any, *, progress: Callable[[str], None] | None = None
) -> FetchResult:
    """Take every unseen message of the mailbox; see the module's notes."""
    result = FetchResult()
    max_bytes = config["LEADCAPTURE_MAIL_MAX_BYTES"]
    imap = _connect(config)
    try:
        try:
            imap.login(
                config["LEADCAPTURE_IMAP_USER"] or "", config["LEADCAPTURE_IMAP_PASSWORD"] or ""
            )
            status, _ = imap.select(config["LEADCAPTURE_IMAP_MAILBOX"])
            if status != "OK":
                raise MailboxError(f"No mailbox {config['LEADCAPTURE_IMAP_MAILBOX']!r}.")
            status, found = imap.uid("SEARCH", "UNSEEN")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"The mailbox refused: {exc}") from None
        uids = found[0].decode().split() if found and found[0] else []
        for uid in uids:
            result.seen += 1
            try:
                meta, header = _fetch(imap, uid, "(RFC822.SIZE BODY.PEEK[HEADER])")
                size_match = _SIZE.search(meta)
                size = int(size_match.group(1)) if size_match else len(header)
                raw = header if size > max_bytes else _fetch(imap, uid, "(BODY.PEEK[])")[1]
                inbound = parse_message(raw, size=size, max_bytes=max_bytes)
                outcome = in_transaction(session, partial(take_message, session, inbound))
                imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            except (TimeoutError, imaplib.IMAP4.abort, ConnectionError):
                raise MailboxError("The mailbox connection broke off; run again.") from None
            except Exception:  # one bad message must not stop the others; it stays unseen
                logger.exception("fetch-mail: message %s failed; it is left for the next run", uid)
                result.failed += 1
                continue
            if outcome is None:
                result.taken_before += 1
            elif outcome == "lead_created":
                result.leads_created += 1
            elif outcome == "history":
                result.on_history += 1
            else:
                result.skipped += 1
            if progress is not None and result.seen % 100 == 0:
                # every hundredth message: the total is always plural
                progress(f"{result.seen} of {len(uids)} messages read")
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return result
