"""Where the shop may send a browser back to after login: its own pages only."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None``.

    Browsers treat ``//host``, ``/\\host`` and ``\\\\host`` as other sites and drop tabs
    and newlines inside URLs, so only a single leading ``/`` followed by something that
    is not a slash or backslash passes, with no control characters or spaces around it.
    """
    if not target or target != target.strip():
        return None
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in target):
        return None
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
