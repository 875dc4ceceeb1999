"""The sweep: idle carts become abandoned, their emails become leads, set-based.

Each step is one SQL statement over a batch of carts (UPDATE … RETURNING, multi-row
INSERT … ON CONFLICT), never a loop over ORM objects. A cart is claimed by the UPDATE
that moves it out of ``active``: two sweeps at once each claim different carts, and the
partial index on :data:`SWEEPABLE` keeps the work to the carts that went idle.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)

from . import history, signals
from .bulk import insert_leads_of_carts
from .cartstates import CartMove, ends, starts
from .constants import HistoryKind, LeadSource, LeadStatus, SystemEvent
from .i18n import gettext, ngettext
from .jsonrows import json_values
from .mail.sending import SendResult
from .models import Customer, HistoryEntry, Lead, TrackedCart
from .models.base import UTCDateTime
from .models.cart import SWEEPABLE
from .oncommit import send_on_commit
from .recovery import not_to_email
from .recovery_steps import Step, due_at, next_active
from .status import CART_ABANDONED_MOVES_FROM, Trigger, automatic_status
from .transactions import DBSession, core
from .webhooks.delivery import DeliveryResult

__all__ = ["SWEEPABLE", "SweepResult", "abandon_batch", "mark_lost"]


@dataclass
class SweepResult:
    abandoned: int = 0
    leads_created: int = 0
    lost: int = 0
    #: Recovery emails written this run, and emails delivered (``sending.sent``).
    written: int = 0
    emails: int = 0
    events: int = 0
    sending: SendResult = field(default_factory=SendResult)
    webhooks: DeliveryResult = field(default_factory=DeliveryResult)
    cart_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return gettext(
            "%(abandoned)s, %(leads)s, %(lost)s lost, %(written)s; %(sending)s",
            abandoned=ngettext("%(num)d cart abandoned", "%(num)d carts abandoned", self.abandoned),
            leads=ngettext("%(num)d new lead", "%(num)d new leads", self.leads_created),
            lost=self.lost,
            written=ngettext(
                "%(num)d recovery email written", "%(num)d recovery emails written", self.written
            ),
            sending=self.sending,
        )


def schedule_case(steps: tuple[Step, ...] | None) -> Any:
    """``next_email_at`` for a cart abandoned at the ``now`` parameter: its next step
    turned on (a cart abandoned again after shopping on keeps the steps it had). The due
    moments are parameters (:func:`schedule_values`), so the statement is built once."""
    if not steps:
        return None
    whens = [
        (TrackedCart.emails_sent == after, bindparam(f"due_{after}", type_=UTCDateTime()))
        for after in _scheduled(steps)
    ]
    return case(*whens, else_=None) if whens else None


def schedule_values(now: datetime, steps: tuple[Step, ...] | None) -> dict[str, datetime]:
    """The parameters of :func:`schedule_case` for carts abandoned ``now``."""
    return {
        f"due_{after}": due
        for after in _scheduled(steps or ())
        if (due := due_at(steps or (), after, now))
    }


def _scheduled(steps: tuple[Step, ...]) -> list[int]:
    """The counts of emails sent after which a step follows."""
    if not steps:
        return []
    return [a for a in range(max(s.step for s in steps)) if next_active(steps, a) is not None]


def _snapshot(dialect: str) -> tuple[Any, Any]:
    """The abandoned cart's history entry, as SQL over ``lc_carts``: its subject
    ("Cart abandoned: 2 items, 17.00 EUR", the words of ``history.CART_ABANDONED`` and
    ``CART_ABANDONED_ONE``, which the back office reads back) and its data (the lines
    and the total)."""
    if dialect == "postgresql":
        total: Any = cast(TrackedCart.total, String)
        lines: Any = TrackedCart.lines
        make = func.json_build_object
    else:
        total = func.printf("%.2f", TrackedCart.total)
        lines = func.json(TrackedCart.lines)
        make = func.json_object
    items = case(
        (TrackedCart.item_count == 1, literal("1 item", String())),
        else_=cast(TrackedCart.item_count, String) + literal(" items", String()),
    )
    subject = (
        literal("Cart abandoned: ", String())
        + items
        + literal(", ", String())
        + total
        + literal(" ")
        + TrackedCart.currency
    )
    data = make(
        literal_column("'cart_id'"),
        TrackedCart.id,
        literal_column("'lines'"),
        lines,
        literal_column("'total'"),
        total,
        literal_column("'currency'"),
        TrackedCart.currency,
        literal_column("'item_count'"),
        TrackedCart.item_count,
    )
    return subject, data


def _history_of_new_leads(
    session: DBSession, lead_ids: list[int], new_status: LeadStatus, now: datetime
) -> None:
    """ "Lead created" and "Status set" for every new lead, in two statements."""
    statement = _new_lead_entry(session.get_bind().dialect.name)
    for entry in (
        history.created(LeadSource.ABANDONED_CART),
        history.status_changed(None, new_status),
    ):
        core(session).execute(
            statement,
            {
                "lead_ids": json.dumps(lead_ids),
                "event": str(entry["event"]),
                "subject": entry["subject"],
                "data": entry.get("data"),
                "now": now,
            },
        )


@functools.cache
def _new_lead_entry(dialect: str) -> Any:
    """One history entry (its event, subject and data parameters) for each new lead."""
    return insert(HistoryEntry).from_select(
        ["lead_id", "kind", "event", "subject", "data", "created_at"],
        select(
            Lead.id,
            literal(HistoryKind.SYSTEM.value),
            bindparam("event", type_=String()),
            bindparam("subject", type_=String()),
            bindparam("data", type_=JSON()),
            bindparam("now", type_=UTCDateTime()),
        ).where(Lead.id.in_(json_values(dialect, "lead_ids", Integer()))),
    )


def abandon_batch(
    session: DBSession,
    *,
    now: datetime,
    idle_minutes: int,
    steps: Sequence[Step] | None,
    batch_size: int,
) -> SweepResult:
    """Abandon up to ``batch_size`` idle carts, make or reuse their leads; caller commits.

    A fixed number of statements per batch, whatever its size: nothing is loaded into
    the ORM and nothing is written row by row (but the history of the few known leads
    whose status moves)."""
    result = SweepResult()
    schedule = tuple(steps) if steps else None
    claimed = (
        core(session)
        .execute(
            _claim(schedule),
            {
                "cutoff": now - timedelta(minutes=idle_minutes),
                "batch_size": batch_size,
                "now": now,
                **schedule_values(now, schedule),
            },
        )
        .all()
    )
    if not claimed:
        return result
    cart_ids = sorted(row.id for row in claimed)
    emails = sorted({row.email for row in claimed})
    result.abandoned = len(claimed)
    result.cart_ids = cart_ids

    new_status = automatic_status(None, Trigger.CART_ABANDONED)
    created_ids = insert_leads_of_carts(
        session,
        cart_ids,
        source=LeadSource.ABANDONED_CART.value,
        status=new_status.value,
        now=now,
    )
    result.leads_created = len(created_ids)
    if created_ids:
        _history_of_new_leads(session, created_ids, new_status, now)

    dialect = session.get_bind().dialect.name
    statements = _batch_statements(dialect)
    connection = core(session)
    moved = connection.execute(statements.moving, {"emails": json.dumps(emails)}).all()
    if moved:
        connection.execute(
            statements.move,
            {
                "lead_ids": json.dumps([row.id for row in moved]),
                "status": new_status.value,
                "now": now,
            },
        )
        connection.execute(
            insert(HistoryEntry),
            [
                _entry(row.id, None, now, **history.status_changed(row.status, new_status))
                for row in moved
            ],
        )
    carts = {"cart_ids": json.dumps(cart_ids)}
    connection.execute(statements.link, carts)
    connection.execute(statements.stop_emails, carts)
    connection.execute(statements.cart_history, {**carts, "now": now})
    send_on_commit(
        session,
        signals.cart_abandoned,
        cart_ids=cart_ids,
        created_lead_ids=created_ids,
        changed_lead_ids=sorted(row.id for row in moved),
        new_status=new_status.value,
    )
    return result


@dataclass(frozen=True)
class _BatchStatements:
    """What a batch runs after its claim, built once per dialect: each takes its carts,
    leads or emails as one JSON array."""

    moving: Any
    move: Any
    link: Any
    stop_emails: Any
    cart_history: Any


@functools.cache
def _batch_statements(dialect: str) -> _BatchStatements:
    carts = TrackedCart.id.in_(json_values(dialect, "cart_ids", Integer()))
    leads = Lead.id.in_(json_values(dialect, "lead_ids", Integer()))
    lead_of_cart = select(Lead.id).where(Lead.email == TrackedCart.email).scalar_subquery()
    customer_of_cart = (
        select(Customer.id)
        .join(Lead, Customer.lead_id == Lead.id)
        .where(Lead.email == TrackedCart.email)
        .scalar_subquery()
    )
    subject, data = _snapshot(dialect)
    return _BatchStatements(
        # The known leads whose status the abandonment moves, locked in one order by
        # every sweep: no deadlock.
        moving=select(Lead.id, Lead.status)
        .where(
            Lead.email.in_(json_values(dialect, "emails")),
            Lead.status.in_([s.value for s in CART_ABANDONED_MOVES_FROM]),
        )
        .order_by(Lead.id)
        .with_for_update(),
        move=update(Lead)
        .where(leads)
        .values(status=bindparam("status"), updated_at=bindparam("now", type_=UTCDateTime())),
        link=update(TrackedCart)
        .where(carts)
        .values(lead_id=lead_of_cart, customer_id=customer_of_cart),
        # No recovery email for a lead that must not be written to, or that has bought.
        stop_emails=update(TrackedCart)
        .where(carts, TrackedCart.lead_id.in_(not_to_email()))
        .values(next_email_at=None),
        cart_history=insert(HistoryEntry).from_select(
            ["lead_id", "customer_id", "kind", "event", "subject", "data", "created_at"],
            select(
                TrackedCart.lead_id,
                TrackedCart.customer_id,
                literal(HistoryKind.SYSTEM.value),
                literal(SystemEvent.CART_ABANDONED.value),
                subject,
                data,
                bindparam("now", type_=UTCDateTime()),
            ).where(carts),
        ),
    )


@functools.lru_cache(maxsize=32)
def _claim(steps: tuple[Step, ...] | None) -> Any:
    """The UPDATE that claims a batch of idle carts, built once per set of steps (the
    owner's edits make new ones: the oldest are let go)."""
    candidates = (
        select(TrackedCart.id)
        .where(text(SWEEPABLE), TrackedCart.last_activity_at <= bindparam("cutoff"))
        .order_by(TrackedCart.last_activity_at)
        .limit(bindparam("batch_size"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(TrackedCart)
        .where(TrackedCart.id.in_(candidates.scalar_subquery()))
        .where(TrackedCart.state.in_(starts(CartMove.IDLE)))
        .values(
            state=ends(CartMove.IDLE),
            abandoned_at=bindparam("now", type_=UTCDateTime()),
            next_email_at=schedule_case(steps),
        )
        .returning(TrackedCart.id, TrackedCart.email)
    )


def _entry(
    lead_id: int | None,
    customer_id: int | None,
    now: datetime,
    event: SystemEvent,
    subject: str,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "customer_id": customer_id,
        "kind": HistoryKind.SYSTEM.value,
        "event": event.value,
        "subject": subject,
        "data": data,
        "created_at": now,
    }


def _state_among(states: Sequence[str]) -> Any:
    """``state`` among ``states``; one state as ``=``, which the partial index on
    abandoned carts serves (an ``IN`` of one made SQLite scan every cart)."""
    return TrackedCart.state == states[0] if len(states) == 1 else TrackedCart.state.in_(states)


@functools.cache
def _lose() -> Any:
    return (
        update(TrackedCart)
        .where(
            _state_among(starts(CartMove.TIMED_OUT)),
            TrackedCart.abandoned_at <= bindparam("before"),
        )
        .values(
            state=ends(CartMove.TIMED_OUT),
            lost_at=bindparam("now", type_=UTCDateTime()),
            next_email_at=None,
        )
        .returning(
            TrackedCart.id,
            TrackedCart.lead_id,
            TrackedCart.customer_id,
            TrackedCart.total,
            TrackedCart.currency,
        )
    )


def mark_lost(session: DBSession, *, now: datetime, lost_after_days: int) -> int:
    """Abandoned carts with no order after ``lost_after_days`` are lost; caller commits."""
    lost = (
        core(session)
        .execute(_lose(), {"before": now - timedelta(days=lost_after_days), "now": now})
        .all()
    )
    if lost:
        session.execute(
            insert(HistoryEntry),
            [
                _entry(
                    row.lead_id,
                    row.customer_id,
                    now,
                    SystemEvent.CART_LOST,
                    f"Cart lost: {row.total} {row.currency} never ordered",
                    {"cart_id": row.id},
                )
                for row in lost
            ],
        )
    return len(lost)
