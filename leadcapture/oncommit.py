"""Outbound signals wait for the commit of the transaction that caused them.

A domain function queues a signal on its session with :func:`send_on_commit`; it is sent
once the outermost transaction has committed, and dropped if it rolls back. Sending
happens when the transaction has fully ended, so receivers may use the session again.
Each queued call runs on its own: one that raises (a host's receiver with a bug) is
logged and the others still run; the commit behind them stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blinker import Signal
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .transactions import DBSession

log = logging.getLogger("leadcapture")

_PENDING = "leadcapture.pending_signals"
_READY = "leadcapture.ready_signals"
_ANNOUNCED = "leadcapture.announced_signals"


def call_after_commit(session: DBSession, work: Callable[[], Any]) -> None:
    """Call ``work`` once the outermost transaction has committed (never if it rolls back)."""
    session.info.setdefault(_PENDING, []).append(work)


def send_on_commit(session: DBSession, signal: Signal, **kwargs: Any) -> None:
    """Queue ``signal`` to be sent, with the current app as sender, after the commit."""
    sender = current_app._get_current_object()  # type: ignore[attr-defined]
    session.info.setdefault(_ANNOUNCED, []).append((signal, kwargs))
    call_after_commit(session, lambda: signal.send(sender, **kwargs))


def take_announced(session: Session) -> list[tuple[Signal, dict[str, Any]]]:
    """The signals queued since the last call, for what must be written in the same
    transaction as their cause (the webhooks' deliveries, :mod:`.webhooks.queue`)."""
    return session.info.pop(_ANNOUNCED, [])  # type: ignore[no-any-return]


@event.listens_for(Session, "after_commit")
def _commit_seen(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    ready: list[Callable[[], Any]] = session.info.pop(_READY, [])
    session.info.pop(_PENDING, None)
    session.info.pop(_ANNOUNCED, None)
    for work in ready:
        try:
            work()
        except Exception:
            log.exception("leadcapture: a call after the commit failed; the commit stands")
