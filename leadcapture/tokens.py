"""Signed, expiring tokens for links in emails, each bound to its purpose by its salt."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

RESTORE = "leadcapture.restore-cart"
UNSUBSCRIBE = "leadcapture.unsubscribe"

DAY = 24 * 3600


class TokenError(Exception):
    """A link that cannot be honoured; ``expired`` tells an old link from a forged one."""

    def __init__(self, expired: bool) -> None:
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, *, max_age_days: float | None) -> dict[str, Any]:
    """The token's payload; ``max_age_days=None`` for a token that does not expire (its
    purpose must then have a way to retire it)."""
    max_age = int(max_age_days * DAY) if max_age_days is not None else None
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError(expired=False) from None
    if not isinstance(payload, dict):
        raise TokenError(expired=False)
    return payload
