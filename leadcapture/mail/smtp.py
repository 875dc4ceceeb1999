"""Sending email over SMTP with the host's ``MAIL_*`` settings (Flask-Mail's names).

``MAIL_SERVER`` (unset: no SMTP; messages stay in the back office's outbox),
``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS), ``MAIL_USE_SSL``, ``MAIL_USERNAME``,
``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``, ``MAIL_TIMEOUT`` (seconds, 10).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any


def smtp_configured(config: dict[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def build(
    config: dict[str, Any],
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str,
    unsubscribe_url: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "shop@localhost"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="leadcapture")
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    return message


def send(config: dict[str, Any], message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; raises ``OSError``/``SMTPException`` on failure."""
    host = config["MAIL_SERVER"]
    timeout = config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, config.get("MAIL_PORT", 465), timeout=timeout)
    else:
        smtp = smtplib.SMTP(host, config.get("MAIL_PORT", 25), timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
