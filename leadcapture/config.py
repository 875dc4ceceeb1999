"""The ``LEADCAPTURE_*`` settings, their defaults, and a strict reader."""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

from flask import Flask

PREFIX = "LEADCAPTURE_"

#: Every setting the plug-in reads, with its default (without the ``LEADCAPTURE_`` prefix).
DEFAULTS: dict[str, Any] = {
    # Which parts the app mounts: the shopper's address pages, the staff back office (with
    # its JSON API) and the public web form. The links in emails are always mounted.
    "PORTAL": True,
    "BACKOFFICE": True,
    "WEBFORM": True,
    # The name of the CLI group: `flask leads sweep`, or another if "leads" is taken.
    "CLI_GROUP": "leads",
    # A template of the host's for the plug-in's pages to extend (it must have the blocks
    # "title", "head" and "content"); None: the plug-in's own plain page. (A host may
    # instead put its own leadcapture/base.html in its templates folder.)
    "BASE_TEMPLATE": None,
    # Where the shopper's own pages (the address web form) are mounted.
    "PORTAL_URL_PREFIX": "/account",
    # Where the links in emails (restore a cart, unsubscribe) are mounted.
    "LINKS_URL_PREFIX": "/leadcapture",
    # Where the staff back office is mounted.
    "BACKOFFICE_URL_PREFIX": "/backoffice",
    # How many leads a back-office page lists.
    "PAGE_SIZE": 50,
    # A cart with items and an email, idle this long, is abandoned (0: every idle cart now).
    # A first value, as are the days until lost and the consent notice: the owner may
    # change them on the back office's Settings page.
    "ABANDONED_AFTER_MINUTES": 60,
    # Send recovery emails; carts abandoned while this is off never get any.
    "RECOVERY_EMAILS": True,
    # When the recovery emails go out, in hours after abandonment. This and the discount
    # below are first values: once the owner saves a step on the back office's Recovery
    # emails page, the steps kept there rule.
    "RECOVERY_SCHEDULE_HOURS": (1, 24, 72),
    # A single-use code of this percent in the recovery emails from the given step on,
    # made by the host's ``discount_code`` callable (0: no codes).
    "RECOVERY_DISCOUNT_PERCENT": 0,
    "RECOVERY_DISCOUNT_FROM_STEP": 3,
    # One series of recovery emails per address in this many days, however many carts
    # name it (anyone may type anyone's email into a cart).
    "RECOVERY_COOLDOWN_DAYS": 7,
    # A run that sends an email holds it this long; a run killed meanwhile leaves it to the
    # next run once this has passed. Longer than one SMTP conversation may take.
    "EMAIL_LEASE_SECONDS": 300,
    # With Celery (``leadcapture.background.use_celery``): emails sent per SMTP server,
    # counted in the rate-limit storage (Redis: shared by every worker).
    "EMAIL_RATE_LIMIT": "60 per minute",
    # With Celery: one task handles the events a web process writes in this many seconds
    # (it starts twice that after the first), instead of one task per event.
    "HANDOFF_WINDOW_SECONDS": 0.25,
    # With Celery: every how many seconds beat runs each job ("fetch_mail" only with an
    # IMAP host). No cron is needed then.
    "BEAT_SECONDS": {
        "sweep": 300,
        "retry": 600,
        "remind": 3600,
        "score": 86400,
        "fetch_mail": 300,
    },
    # Tries of one email before it stays failed on the outbox page.
    "EMAIL_MAX_ATTEMPTS": 5,
    # This many SMTP failures in a row stop a run's sending; the rest waits for the next.
    "EMAIL_STOP_AFTER_FAILURES": 3,
    # An abandoned cart with no order after this many days is lost.
    "CART_LOST_AFTER_DAYS": 30,
    # How long a restore link and an unsubscribe link work.
    "RESTORE_LINK_MAX_AGE_DAYS": 14,
    "UNSUBSCRIBE_LINK_MAX_AGE_DAYS": 365,
    # Where links in emails point when no request tells (a CLI sweep); e.g. https://shop.example
    "BASE_URL": "http://127.0.0.1:5000",
    # What a guest reads under the checkout's email field, for a shop that saves it as it
    # is typed (``leadcapture.consent_notice()``).
    "CONSENT_NOTICE": (
        "We save your email as you type it, for this order and to remind you of your cart"
        " if you leave before ordering."
    ),
    # The languages of the plug-in's shopper pages and emails, the default first; each
    # needs a catalog in leadcapture/translations (the package ships "en" and "pt"). A
    # lead's language comes from the shop's signals ("language"); a page's from the
    # host's Flask-Babel locale selector, else the browser's Accept-Language.
    "LANGUAGES": ("en", "pt"),
    # The shop's name in emails.
    "SHOP_NAME": "our shop",
    # How many carts one sweep statement takes at a time.
    "SWEEP_BATCH_SIZE": 500,
    # Where rate-limit counts live: "memory://" (one process) or "redis://host:6379/0"
    # (shared by every worker; needs the redis extra).
    "RATELIMIT_STORAGE_URI": "memory://",
    # Submissions of the public web form per client address.
    "WEBFORM_RATE_LIMIT": "5 per minute",
    # The sources an embedding page may name (hidden field "source"); the first is the default.
    "WEBFORM_SOURCES": ("Web Form", "Campaign", "Advertisement", "Exhibition", "Mass Mailing"),
    # Sites allowed to post the web form (their Origin, e.g. "https://blog.example");
    # None: any site. The shop's own origin is always allowed.
    "WEBFORM_ORIGINS": None,
    # The Content-Security-Policy frame-ancestors of the web form's pages ("*": any site).
    "WEBFORM_FRAME_ANCESTORS": "*",
    # The mailbox `flask leads fetch-mail` reads (IMAP); no host: no mailbox.
    "IMAP_HOST": None,
    "IMAP_PORT": 993,
    "IMAP_SSL": True,
    "IMAP_STARTTLS": False,
    "IMAP_USER": None,
    "IMAP_PASSWORD": None,
    "IMAP_MAILBOX": "INBOX",
    "IMAP_TIMEOUT": 30,
    # A larger message is taken by its header only (the lead and subject, not the body).
    "MAIL_MAX_BYTES": 10 * 1024 * 1024,
    # Handled inbound events (the outbox of lead capture) are kept this long, then pruned.
    "EVENTS_KEEP_DAYS": 7,
    # A captured event that failed this many times (each try later than the last) is dead:
    # shown to staff with Retry and Discard, never tried again by itself. Refused input
    # (a ValidationError) is dead at once: trying again cannot fix it.
    "EVENT_MAX_ATTEMPTS": 8,
    # Outbound webhooks (the back office's Webhooks page): a delivery that failed this many
    # times (each try later than the last, up to 12 hours apart) is given up and shown
    # with Resend; an endpoint has this many seconds to answer; delivered ones stay in
    # the log this many days.
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    "WEBHOOK_LOG_KEEP_DAYS": 30,
    # Let webhooks go to private, loopback and link-local addresses, and over plain http:
    # for development and tests only; otherwise an address inside the shop's network is
    # refused, so that registering a webhook is no way into it.
    "WEBHOOKS_ALLOW_PRIVATE": False,
    # The largest spreadsheet the back office's import page takes, in bytes.
    "IMPORT_MAX_BYTES": 50 * 1024 * 1024,
}


def apply_defaults(app: Flask) -> None:
    """Fill in every missing setting and refuse unknown ``LEADCAPTURE_`` keys (typos)."""
    unknown = sorted(
        key for key in app.config if key.startswith(PREFIX) and key[len(PREFIX) :] not in DEFAULTS
    )
    if unknown:
        raise RuntimeError(f"Unknown Leadcapture settings: {', '.join(unknown)}")
    for key, value in DEFAULTS.items():
        app.config.setdefault(PREFIX + key, value)


def reference() -> list[tuple[str, list[str]]]:
    """The settings as this module explains them: ``(explanation, keys)`` for each run of
    keys under one comment in :data:`DEFAULTS`. The documentation's configuration page
    is made from it, so a setting is explained in one place: here."""
    source = inspect.getsource(sys.modules[__name__])
    body = source[source.index("DEFAULTS: dict") : source.index("\n}\n")]
    groups: list[tuple[str, list[str]]] = []
    comment: list[str] = []
    keys: list[str] = []
    for line in body.splitlines()[1:]:
        text = line.strip()
        if text.startswith("#"):
            if keys:
                groups.append((" ".join(comment), keys))
                comment, keys = [], []
            comment.append(text.lstrip("#").strip())
        elif found := re.match(r'"([A-Z0-9_]+)":', text):
            keys.append(found.group(1))
    groups.append((" ".join(comment), keys))
    return groups
