"""Where an app sends the work that may leave the request (see :mod:`leadcapture.background`).

Kept per app, in ``app.extensions``: one ``LeadCapture`` object may serve several apps,
and only those given to ``use_celery`` hand their work off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

KEY = "leadcapture.handoff"


@dataclass(frozen=True)
class Handoff:
    """``event(id)`` and ``email(id)`` each queue a task."""

    event: Callable[[int], Any]
    email: Callable[[int], Any]


def handoff_of(app: Flask) -> Handoff | None:
    """The app's handoff; ``None``: its work is done inline."""
    return app.extensions.get(KEY)
