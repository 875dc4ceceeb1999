"""The kept inbound events: none is lost, and none breaks the shop.

Each inbound signal is first written down as an :class:`InboundEvent`. Sent inside the
shop's transaction (before its commit), the event is written in that transaction (in a
SAVEPOINT, so a failure to write it never fails the shop's commit), so it exists exactly
when the shop's order or account does; sent outside one, the plug-in
commits it first. Then it is handled in a transaction of its own, after the shop's
commit. If handling fails, the error is logged, the event stays ``pending`` with the
error and a later time to try again, and ``flask leads retry`` (or the next sweep)
handles it. Handling and marking ``done`` commit together, and a handler takes its
event with ``FOR UPDATE SKIP LOCKED``: each event is handled once.

A failure retrying cannot fix is not retried for ever: an event whose input the domain
refuses (:class:`ValidationError`) is ``dead`` at once, and one that failed
``max_attempts`` times is ``dead`` then. Staff see dead events on the back office's
outbox page and retry (:func:`revive`) or discard (:func:`discard`) them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from ..constants import MAX_EMAIL
from ..errors import ValidationError
from ..fields import has_control, normalized_email
from ..models import InboundEvent
from ..models.base import UTCDateTime, utcnow
from ..models.event import DEAD, PENDING
from ..oncommit import call_after_commit
from ..transactions import DBSession, core, in_transaction

log = logging.getLogger("leadcapture")

#: kind → the domain function that handles it; filled by :mod:`leadcapture.events.receivers`.
HANDLERS: dict[str, Callable[..., Any]] = {}
#: How long to wait before trying a failed event again: doubles each time, up to a day.
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(days=1)
#: Tries before an event is dead (``LEADCAPTURE_EVENT_MAX_ATTEMPTS`` in an app).
MAX_ATTEMPTS = 8


def _encode(value: Any) -> Any:
    """Signal arguments as JSON: times tagged so they come back, anything else JSON has
    no type for (decimals, ids) as text — so writing the event can never fail the shop's
    commit."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


_WROTE = "leadcapture.transaction_wrote"


@sa_event.listens_for(Session, "after_flush")
def _wrote(session: Session, context: Any) -> None:
    session.info[_WROTE] = True


@sa_event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_WROTE, None)


def _carries_writes(session: DBSession) -> bool:
    """Is the session in a transaction that writes (the shop's, before its commit)?"""
    inner = session() if isinstance(session, scoped_session) else session
    return inner.in_transaction() and bool(
        inner.info.get(_WROTE) or inner.new or inner.dirty or inner.deleted
    )


def capture(
    session: DBSession,
    kind: str,
    payload: dict[str, Any],
    *,
    max_attempts: int = MAX_ATTEMPTS,
    handoff: Callable[[int], Any] | None = None,
) -> None:
    """Write the event down — in the shop's transaction when the signal comes inside one
    that writes — and, once that has committed, handle it or give its id to ``handoff``
    (a background task; see :mod:`leadcapture.background`). Never raises: the shop's
    request goes on."""
    try:
        values = {"kind": kind, "payload": _encode(payload), **_keys(payload)}
        if _carries_writes(session):
            # If the event cannot be written (the plug-in's tables are missing, say),
            # that is undone alone and the shop's commit goes on: on PostgreSQL, where a
            # failed statement aborts the transaction, in a SAVEPOINT; SQLite undoes a
            # failed statement by itself, and a SAVEPOINT there would cost the request
            # as much again as the INSERT. The shop's own changes are flushed first,
            # outside it (core() does).
            connection = core(session)
            if connection.dialect.name == "sqlite":
                kept = _write(connection, values)
            elif connection.dialect.driver == "psycopg":
                kept = _write_guarded(connection, values)
            else:
                with connection.begin_nested():
                    kept = _write(connection, values)
            call_after_commit(session, lambda: _next(session, kept, max_attempts, handoff))
            return
        kept = _write_committed(session, values)
    except Exception:
        log.exception("leadcapture: could not keep the %s event %r", kind, payload)
        return
    _next(session, kept, max_attempts, handoff)


def _write(connection: Connection, values: dict[str, Any]) -> int:
    """Insert a pending event; its id, kept now (read after the commit, it would cost a
    SELECT). A Core INSERT, built once: the ORM's flush of an object, and its SAVEPOINT,
    would be most of what the event costs the shop's request."""
    return int(connection.execute(_insert_event(), values).scalar_one())


def _write_committed(session: DBSession, values: dict[str, Any]) -> int:
    """Insert a pending event and commit it, when the shop's transaction wrote nothing
    (a guest's cart lives in the cookie): on PostgreSQL with psycopg the INSERT and the
    COMMIT go to the server as one message, one round trip where two would be a fifth of
    a guest's add-to-cart. SQLAlchemy's commit after it finds the server's transaction
    over and sends nothing. A session bound to a connection its host holds in a
    transaction of its own (a test's, say) commits the usual way, so that stays open."""
    connection = core(session)
    if (
        connection.dialect.driver != "psycopg"
        or not isinstance(session.get_bind(), Engine)
        or connection.in_nested_transaction()
    ):
        return in_transaction(session, lambda: _write(connection, values))
    try:
        kept = _in_one_message(connection, _INSERT_AND_COMMIT, values)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return kept


def _write_guarded(connection: Connection, values: dict[str, Any]) -> int:
    """Insert a pending event in the shop's transaction on PostgreSQL with psycopg, in a
    SAVEPOINT of its own so that a failure to write it is undone alone: the SAVEPOINT,
    the INSERT and the RELEASE go to the server as one message. SQLAlchemy's own nested
    transaction is three round trips, and measured alone costs the request about three
    times the wall time and four times the CPU of this (bench/RESULTS.md)."""
    try:
        return _in_one_message(connection, _GUARDED_INSERT, values)
    except Exception:
        _in_one_message(connection, _UNDO_GUARDED, None)
        raise


def _in_one_message(connection: Connection, sql: str, values: dict[str, Any] | None) -> int:
    """Run ``sql`` — statements around the event's INSERT — as one message, its values
    bound on the client (the server takes several statements in one message only so);
    returns the id the INSERT gave (``-1`` for statements without one)."""
    from psycopg import ClientCursor
    from psycopg.types.json import Json

    row = values and {
        **values,
        "payload": Json(values["payload"]),
        "now": UTCDateTime().process_bind_param(utcnow(), connection.dialect),
    }
    with ClientCursor(connection.connection.driver_connection) as cursor:  # type: ignore[arg-type]
        cursor.execute(sql, row)
        while cursor.description is None:  # the SAVEPOINT's result, then the INSERT's
            if not cursor.nextset():
                return -1
        return int(cursor.fetchone()[0])  # type: ignore[index]


_INSERT = (
    "INSERT INTO lc_inbound_events"
    " (kind, payload, state, attempts, created_at, next_attempt_at, cart_key, email)"
    " VALUES (%(kind)s, %(payload)s, 'pending', 0, %(now)s, %(now)s, %(cart_key)s, %(email)s)"
    " RETURNING id"
)
_INSERT_AND_COMMIT = _INSERT + "; COMMIT"
_GUARDED_INSERT = f"SAVEPOINT lc_event; {_INSERT}; RELEASE SAVEPOINT lc_event"
_UNDO_GUARDED = "ROLLBACK TO SAVEPOINT lc_event; RELEASE SAVEPOINT lc_event"


@functools.cache
def _insert_event() -> Any:
    return insert(InboundEvent).values(state="pending", attempts=0).returning(InboundEvent.id)


def _next(
    session: DBSession, event_id: int, max_attempts: int, handoff: Callable[[int], Any] | None
) -> None:
    """Handle the committed event now, or hand it off. A handoff that fails (the broker
    is down) leaves the event pending for the next retry."""
    if handoff is None:
        handle(session, event_id, max_attempts=max_attempts)
        return
    try:
        handoff(event_id)
    except Exception:
        log.exception("leadcapture: event %s could not be handed off; a retry takes it", event_id)


def _keys(payload: dict[str, Any]) -> dict[str, str | None]:
    """The cart and email an event names, as columns: an order's event stops the cart's
    recovery emails while it waits, whatever its state (see :mod:`leadcapture.recovery`)."""

    def column(value: Any, length: int) -> str | None:
        """The value as a column keeps it; what no database stores (NUL) is left out,
        so keeping the event can never fail the shop's commit."""
        text = str(value)[:length] if value is not None else None
        return None if text is None or has_control(text, multiline=False) else text

    email = payload.get("email")
    return {
        "cart_key": column(payload.get("cart_id"), 64),
        "email": column(normalized_email(email) if isinstance(email, str) else None, MAX_EMAIL),
    }


def _handle_now(session: DBSession, event_id: int) -> bool:
    event = session.scalars(
        select(InboundEvent)
        .where(InboundEvent.id == event_id, text(PENDING))
        .with_for_update(skip_locked=True)
    ).first()
    if event is None:  # handled already, or being handled by another process
        return False
    HANDLERS[event.kind](session, **_decode(event.payload))
    event.state = "done"
    event.handled_at = utcnow()
    event.last_error = None
    return True


def _note_failure(
    session: DBSession, event_id: int, error: BaseException, max_attempts: int
) -> tuple[str, str]:
    """Note the failure on the event: a later try, or ``dead``. Returns its kind and state."""
    event = session.get(InboundEvent, event_id, with_for_update=True)
    if event is None or event.state != "pending":
        return "?", "?"
    event.attempts += 1
    event.last_error = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, ValidationError) or event.attempts >= max_attempts:
        event.state = "dead"
    else:
        delay = min(FIRST_DELAY * 2 ** (event.attempts - 1), MAX_DELAY)
        event.next_attempt_at = utcnow() + delay
    return event.kind, event.state


def handle(session: DBSession, event_id: int, *, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Handle one pending event; ``True`` if it was handled now. A failure is logged and
    noted on the event: for a later try, or ``dead`` when trying again cannot help."""
    try:
        return in_transaction(session, lambda: _handle_now(session, event_id))
    except Exception as error:
        kind, state = "?", "?"
        try:
            kind, state = in_transaction(
                session, partial(_note_failure, session, event_id, error, max_attempts)
            )
        except Exception:
            log.exception("leadcapture: could not note the failure of event %s", event_id)
        log.error(
            "leadcapture: %s failed (event %s); %s",
            HANDLERS.get(kind, handle).__name__,
            event_id,
            "it is dead: staff see it on the outbox page"
            if state == "dead"
            else "it is kept for a retry",
            exc_info=error,
        )
        return False


def handle_waiting(
    session: DBSession, *, kind: str, email: str, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Handle now the pending events of ``kind`` for ``email``, for a page that needs
    their result at once while a background worker lags; one the worker holds is
    skipped. Returns how many were handled here."""
    ids = session.scalars(
        select(InboundEvent.id)
        .where(
            text(PENDING),
            InboundEvent.kind == kind,
            InboundEvent.email == normalized_email(email),
        )
        .order_by(InboundEvent.id)
    ).all()
    return sum(handle(session, event_id, max_attempts=max_attempts) for event_id in ids)


@functools.cache
def _due_events() -> Any:
    return (
        select(InboundEvent.id)
        .where(text(PENDING), InboundEvent.next_attempt_at <= bindparam("moment"))
        .order_by(InboundEvent.next_attempt_at, InboundEvent.id)
        .limit(bindparam("limit"))
    )


def retry(
    session: DBSession,
    *,
    now: datetime | None = None,
    limit: int = 1000,
    max_attempts: int = MAX_ATTEMPTS,
) -> int:
    """Handle the pending events whose time has come, oldest first; returns how many
    were handled now (``flask leads retry``; the sweep calls it too)."""
    moment = now or datetime.now(UTC)
    ids = core(session).execute(_due_events(), {"moment": moment, "limit": limit}).scalars().all()
    session.rollback()  # end the read; each event gets its own transaction
    return sum(handle(session, event_id, max_attempts=max_attempts) for event_id in ids)


def revive(session: DBSession, event_id: int, *, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Staff's "Retry" of a dead event: its tries start again, and it is handled now."""
    revived = session.execute(
        update(InboundEvent)
        .where(InboundEvent.id == event_id, text(DEAD))
        .values(state="pending", attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return bool(revived) and handle(session, event_id, max_attempts=max_attempts)


def discard(session: DBSession, event_id: int) -> bool:
    """Staff's "Discard" of a dead event: kept as ``discarded`` until pruned; the caller
    commits."""
    discarded = session.execute(
        update(InboundEvent)
        .where(InboundEvent.id == event_id, text(DEAD))
        .values(state="discarded", handled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(discarded)


def prune(session: DBSession, *, now: datetime, keep_days: int) -> int:
    """Forget the events handled (or discarded) more than ``keep_days`` ago; the caller
    commits."""
    removed = core(session).execute(_prune(), {"cutoff": now - timedelta(days=keep_days)})
    return int(removed.rowcount)


@functools.cache
def _prune() -> Any:
    return delete(InboundEvent).where(
        InboundEvent.state.in_(["done", "discarded"]), InboundEvent.handled_at < bindparam("cutoff")
    )
