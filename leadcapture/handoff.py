"""Where an app sends the work that may leave the request (see :mod:`leadcapture.background`).

Kept per app, in ``app.extensions``: one ``LeadCapture`` object may serve several apps,
and only those given to ``use_celery`` hand their work off."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

KEY = "leadcapture.handoff"

log = logging.getLogger("leadcapture")


@dataclass(frozen=True)
class Handoff:
    """``event(id)``, ``email(id)`` and ``webhook(id)`` each queue a task."""

    event: Callable[[int], Any]
    email: Callable[[int], Any]
    webhook: Callable[[int], Any] | None = None


def handoff_of(app: Flask) -> Handoff | None:
    """The app's handoff; ``None``: its work is done inline."""
    return app.extensions.get(KEY)


class Coalesced:
    """Calls ``publish(countdown)`` for the first event of each ``window`` seconds in this
    process, and not for the others: one task then handles every event that waits.

    The task is due ``2 × window`` after it was published, so it starts after every
    commit of its window, even on a worker whose clock is up to ``window`` ahead; an
    event it misses all the same (a clock further off, a lost task) is the next
    retry's. Under load a web process publishes a few tasks a second, however many
    events it writes.

    The publish runs on a thread of the process's own, never in the request: talking
    to the broker costs a request more than writing its event. A publish that fails
    (the broker is down) is logged and its events wait for the next window or retry,
    as those of a lost task do."""

    def __init__(self, publish: Callable[[float], Any], window: float) -> None:
        self.publish = publish
        self.window = window
        self._until = 0.0
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, event_id: int) -> None:
        moment = time.monotonic()
        with self._lock:
            if moment < self._until:
                return
            self._until = moment + self.window
            if self._thread is None or not self._thread.is_alive():  # or a forked process
                self._thread = threading.Thread(
                    target=self._publishing, name="leadcapture-handoff", daemon=True
                )
                self._thread.start()
        self._due.set()

    def _publishing(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            try:
                self.publish(2 * self.window)
            except Exception:
                log.exception("leadcapture: could not hand events to the broker; a retry will")
