"""The signature on each post: HMAC-SHA256, keyed with the endpoint's secret, over the
timestamp, a dot and the body; ``docs/webhooks.md`` shows a receiver checking it."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Leadcapture-Signature"


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: ``t=<unix seconds>,v1=<hex digest>``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
