"""Rate limits on public forms, per client address, in shared storage.

The storage is ``LEADCAPTURE_RATELIMIT_STORAGE_URI``: ``memory://`` (the default: one
process) or ``redis://host:port/db``, which every worker and host shares (install the
``redis`` extra). Behind a proxy, let the host apply ``werkzeug.middleware.proxy_fix``
so that ``request.remote_addr`` is the client's.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

_KEY = "leadcapture.ratelimiter"


def _limiter(app: Flask) -> RateLimiter:
    """One limiter per app, made on first use from the app's settings."""
    limiter: RateLimiter | None = app.extensions.get(_KEY)
    if limiter is None:
        storage = storage_from_string(app.config["LEADCAPTURE_RATELIMIT_STORAGE_URI"])
        limiter = app.extensions[_KEY] = MovingWindowRateLimiter(storage)
    return limiter


def within_rate_limit(scope: str, limit: str, *, key: str | None = None) -> bool:
    """Count one request against ``limit`` (e.g. ``"5 per minute"``) for ``scope``;
    ``False`` once over it. Counted per client address, or per ``key`` when given (a
    browser session's id, say). Public: a host may guard its own forms (login,
    registration) with the plug-in's storage."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    who = f"key:{key}" if key is not None else request.remote_addr or "unknown"
    return _limiter(app).hit(parse(limit), "leadcapture", scope, who)
