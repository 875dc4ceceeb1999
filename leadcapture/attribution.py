"""Where a visit came from: a campaign link's ``utm_source``, ``utm_medium`` and
``utm_campaign``, and the site that referred it — kept for the visit in the host's
session, and carried onto the cart, the sign-up and the order the visit makes, as
Odoo's UTM tracking does. So every lead and every conversion names its campaign.

A landing with UTM values replaces what the visit held (the latest campaign counts for
the cart); a referrer from another site is kept when the visit holds nothing yet. A
lead keeps the first campaign it came from: later visits fill its campaign only while
it is empty (anonymous input adds, never overwrites).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import has_request_context, request, session

from .constants import MAX_UTM
from .fields import has_control

KEYS = ("utm_source", "utm_medium", "utm_campaign")
#: The lead and cart columns a visit's values go to.
COLUMNS = (*KEYS, "referrer")
SESSION_KEY = "leadcapture_visit"


def clean(value: Any) -> str | None:
    """A value as kept: text, trimmed, at most :data:`MAX_UTM` characters, no control
    characters; else ``None``."""
    if not isinstance(value, str):
        return None
    value = value.strip()[:MAX_UTM]
    return value if value and not has_control(value, multiline=False) else None


def cleaned(values: Any) -> dict[str, str]:
    """The known, usable values of a visit (a dict a host or a signal gave)."""
    if not isinstance(values, dict):
        return {}
    return {key: value for key in COLUMNS if (value := clean(values.get(key)))}


def _external_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    host = urlsplit(referrer).hostname
    return clean(referrer) if host and host != request.host.split(":")[0] else None


def remember_visit() -> None:
    """A ``before_request`` hook: keep a landing's campaign for the rest of the visit."""
    if request.method != "GET":
        return
    found = {key: value for key in KEYS if (value := clean(request.args.get(key)))}
    referrer = _external_referrer()
    if found:
        session[SESSION_KEY] = {**found, **({"referrer": referrer} if referrer else {})}
    elif referrer and SESSION_KEY not in session:
        session[SESSION_KEY] = {"referrer": referrer}


def current_visit() -> dict[str, str]:
    """What the visit came from, or nothing outside a request."""
    if not has_request_context():
        return {}
    return cleaned(session.get(SESSION_KEY))
