"""The ``LEADCAPTURE_*`` settings, their defaults, and a strict reader."""

from __future__ import annotations

from typing import Any

from flask import Flask

PREFIX = "LEADCAPTURE_"

#: Every setting the plug-in reads, with its default (without the ``LEADCAPTURE_`` prefix).
DEFAULTS: dict[str, Any] = {
    # Where the shopper's own pages (the address web form) are mounted.
    "PORTAL_URL_PREFIX": "/account",
    # Where the staff back office is mounted.
    "BACKOFFICE_URL_PREFIX": "/backoffice",
    # How many leads a back-office page lists.
    "PAGE_SIZE": 50,
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
