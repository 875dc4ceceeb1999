"""The sweep: idle carts become abandoned, their emails become leads, set-based.

Each step is one SQL statement over a batch of carts (UPDATE … RETURNING, multi-row
INSERT … ON CONFLICT), never a loop over ORM objects. A cart is claimed by the UPDATE
that moves it out of ``active``: two sweeps at once each claim different carts, and the
partial index on :data:`SWEEPABLE` keeps the work to the carts that went idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, insert, literal, select, text, update

from . import history, signals
from .bulk import insert_named_leads
from .cartstates import CartMove, ends, starts
from .constants import HistoryKind, LeadSource, LeadStatus, SystemEvent
from .mail.sending import SendResult
from .models import Customer, HistoryEntry, Lead, TrackedCart
from .models.base import UTCDateTime
from .models.cart import SWEEPABLE
from .oncommit import send_on_commit
from .recovery import not_to_email
from .recovery_steps import Step, due_at
from .status import CART_ABANDONED_MOVES_FROM, Trigger, automatic_status
from .transactions import DBSession

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
    cart_ids: list[int] = field(default_factory=list)


def schedule_case(now: datetime, steps: Sequence[Step] | None) -> Any:
    """``next_email_at`` for a cart abandoned ``now``: its next step turned on (a cart
    abandoned again after shopping on keeps the steps it had)."""
    if not steps:
        return None
    whens = [
        (TrackedCart.emails_sent == after, literal(due, UTCDateTime()))
        for after in range(0, max(s.step for s in steps))
        if (due := due_at(steps, after, now)) is not None
    ]
    return case(*whens, else_=None) if whens else None


def _snapshot_subject(row: Any) -> str:
    return f"Cart abandoned: {row.item_count} item(s), {row.total} {row.currency}"


def abandon_batch(
    session: DBSession,
    *,
    now: datetime,
    idle_minutes: int,
    steps: Sequence[Step] | None,
    batch_size: int,
) -> SweepResult:
    """Abandon up to ``batch_size`` idle carts, make or reuse their leads; caller commits."""
    result = SweepResult()
    cutoff = now - timedelta(minutes=idle_minutes)
    candidates = (
        select(TrackedCart.id)
        .where(text(SWEEPABLE), TrackedCart.last_activity_at <= cutoff)
        .order_by(TrackedCart.last_activity_at)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    claimed = list(
        session.execute(
            update(TrackedCart)
            .where(TrackedCart.id.in_(candidates.scalar_subquery()))
            .where(TrackedCart.state.in_(starts(CartMove.IDLE)))
            .values(
                state=ends(CartMove.IDLE),
                abandoned_at=now,
                next_email_at=schedule_case(now, steps),
            )
            .returning(
                TrackedCart.id,
                TrackedCart.email,
                TrackedCart.lines,
                TrackedCart.total,
                TrackedCart.currency,
                TrackedCart.item_count,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return result
    cart_ids = [row.id for row in claimed]
    emails = sorted({row.email for row in claimed})
    result.abandoned = len(claimed)
    result.cart_ids = cart_ids

    new_status = automatic_status(None, Trigger.CART_ABANDONED)
    created = insert_named_leads(
        session,
        [
            {
                "email": email,
                "lead_name": None,  # unknown: shown by its email, never an invented name
                "source": LeadSource.ABANDONED_CART.value,
                "status": new_status.value,
                "is_organization": False,
                "created_at": now,
                "updated_at": now,
            }
            for email in emails
        ],
    )
    created_ids = [row.id for row in created]
    result.leads_created = len(created_ids)

    moved = list(
        session.execute(
            select(Lead.id, Lead.status)
            .where(
                Lead.email.in_(emails),
                Lead.status.in_([s.value for s in CART_ABANDONED_MOVES_FROM]),
            )
            .with_for_update()
        )
    )
    if moved:
        session.execute(
            update(Lead)
            .where(Lead.id.in_([row.id for row in moved]))
            .values(status=new_status.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    lead_of_cart = select(Lead.id).where(Lead.email == TrackedCart.email).scalar_subquery()
    customer_of_cart = (
        select(Customer.id)
        .join(Lead, Customer.lead_id == Lead.id)
        .where(Lead.email == TrackedCart.email)
        .scalar_subquery()
    )
    linked = {
        row.id: row
        for row in session.execute(
            update(TrackedCart)
            .where(TrackedCart.id.in_(cart_ids))
            .values(lead_id=lead_of_cart, customer_id=customer_of_cart)
            .returning(TrackedCart.id, TrackedCart.lead_id, TrackedCart.customer_id)
            .execution_options(synchronize_session=False)
        )
    }
    # No recovery email for a lead that must not be written to, or that has bought.
    session.execute(
        update(TrackedCart)
        .where(
            TrackedCart.id.in_(cart_ids),
            TrackedCart.lead_id.in_(not_to_email()),
        )
        .values(next_email_at=None)
        .execution_options(synchronize_session=False)
    )

    entries: list[dict[str, Any]] = []
    for lead_id in created_ids:
        entries.append(_entry(lead_id, None, now, **history.created(LeadSource.ABANDONED_CART)))
        entries.append(_entry(lead_id, None, now, **history.status_changed(None, new_status)))
    for row in moved:
        entries.append(_entry(row.id, None, now, **history.status_changed(row.status, new_status)))
    for row in claimed:
        link = linked[row.id]
        entries.append(
            _entry(
                link.lead_id,
                link.customer_id,
                now,
                SystemEvent.CART_ABANDONED,
                _snapshot_subject(row),
                {
                    "cart_id": row.id,
                    "lines": row.lines,
                    "total": str(row.total),
                    "currency": row.currency,
                    "item_count": row.item_count,
                },
            )
        )
    session.execute(insert(HistoryEntry), entries)
    _announce(session, cart_ids, created_ids, moved, new_status)
    return result


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


def _announce(
    session: DBSession,
    cart_ids: list[int],
    created_ids: list[int],
    moved: list[Any],
    new_status: LeadStatus,
) -> None:
    """Queue the outbound signals; the objects are read in one query per kind."""
    carts = session.scalars(select(TrackedCart).where(TrackedCart.id.in_(cart_ids))).all()
    lead_ids = {c.lead_id for c in carts} | set(created_ids) | {row.id for row in moved}
    leads = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.id.in_(lead_ids)))}
    customer_ids = {c.customer_id for c in carts if c.customer_id}
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    }
    for lead_id in created_ids:
        send_on_commit(session, signals.lead_created, lead=leads[lead_id])
        send_on_commit(
            session,
            signals.lead_status_changed,
            lead=leads[lead_id],
            old_status=None,
            new_status=new_status.value,
        )
    for row in moved:
        send_on_commit(
            session,
            signals.lead_status_changed,
            lead=leads[row.id],
            old_status=row.status,
            new_status=new_status.value,
        )
    for cart in carts:
        send_on_commit(
            session,
            signals.cart_abandoned,
            cart=cart,
            lead=leads.get(cart.lead_id) if cart.lead_id else None,
            customer=customers.get(cart.customer_id) if cart.customer_id else None,
        )


def mark_lost(session: DBSession, *, now: datetime, lost_after_days: int) -> int:
    """Abandoned carts with no order after ``lost_after_days`` are lost; caller commits."""
    lost = list(
        session.execute(
            update(TrackedCart)
            .where(
                TrackedCart.state.in_(starts(CartMove.TIMED_OUT)),
                TrackedCart.abandoned_at <= now - timedelta(days=lost_after_days),
            )
            .values(state=ends(CartMove.TIMED_OUT), lost_at=now, next_email_at=None)
            .returning(
                TrackedCart.id,
                TrackedCart.lead_id,
                TrackedCart.customer_id,
                TrackedCart.total,
                TrackedCart.currency,
            )
            .execution_options(synchronize_session=False)
        )
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
