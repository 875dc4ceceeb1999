"""Numbers for the dashboard and the API: the funnel, leads by source over time, and the
conversion rate by source, each one grouped query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, text

from .constants import CartState, LeadStatus
from .i18n import N_
from .models import Customer, HistoryEntry, InboundEvent, Lead, TrackedCart
from .models.cart import PAST_SHOPPING
from .models.event import DEAD
from .models.history import SIGNUPS
from .transactions import DBSession


def funnel(session: DBSession) -> list[tuple[str, int]]:
    """Sign-ups → leads → carts abandoned → recovered → converted."""
    signups = session.scalar(select(func.count()).select_from(HistoryEntry).where(text(SIGNUPS)))
    leads = session.scalar(select(func.count()).select_from(Lead))
    carts = session.execute(
        select(
            func.count(TrackedCart.abandoned_at),
            func.count(case((TrackedCart.state == CartState.RECOVERED, 1))),
        )
    ).one()
    converted = session.scalar(
        select(func.count()).select_from(Lead).where(Lead.status == LeadStatus.CONVERTED)
    )
    return [
        (N_("Sign-ups"), signups or 0),
        (N_("Leads"), leads or 0),
        (N_("Carts abandoned"), carts[0]),
        (N_("Recovered"), carts[1]),
        (N_("Converted"), converted or 0),
    ]


def _week_start(value: date) -> date:
    return value - timedelta(days=value.weekday())


def leads_by_source(
    session: DBSession, *, weeks: int = 8, today: date | None = None
) -> tuple[list[date], dict[str, list[int]]]:
    """New leads per source for each of the last ``weeks`` weeks (Monday first)."""
    today = today or datetime.now(UTC).date()
    first = _week_start(today) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    day = func.date(Lead.created_at)
    rows = session.execute(
        select(Lead.source, day, func.count())
        .where(Lead.created_at >= datetime.combine(first, datetime.min.time(), UTC))
        .group_by(Lead.source, day)
    ).all()
    series: dict[str, list[int]] = {}
    for source, when, n in rows:
        when = when if isinstance(when, date) else date.fromisoformat(str(when))
        index = (_week_start(when) - first).days // 7
        if 0 <= index < weeks:
            series.setdefault(source or "—", [0] * weeks)[index] += n
    return starts, dict(sorted(series.items()))


def conversion_by_source(session: DBSession) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            Lead.source, func.count(), func.count(case((Lead.status == LeadStatus.CONVERTED, 1)))
        )
        .group_by(Lead.source)
        .order_by(Lead.source)
    ).all()
    return [
        {
            "source": source or "—",
            "leads": total,
            "converted": won,
            "rate": round(100 * won / total, 1) if total else 0.0,
        }
        for source, total, won in rows
    ]


def dead_events(session: DBSession) -> int:
    """Captured events that could not be handled and wait for staff."""
    return session.scalar(select(func.count()).select_from(InboundEvent).where(text(DEAD))) or 0


@dataclass
class CartFigures:
    """How many carts are in a state, and what they are worth in each currency."""

    carts: int = 0
    value: dict[str, Decimal] = field(default_factory=dict)


#: The states a cart past shopping is in: what the cart page lists and filters by.
LISTED_STATES = tuple(state for state in CartState if state != CartState.ACTIVE)


@dataclass(frozen=True)
class CartRow:
    cart: TrackedCart
    #: Its lead's name as people read it (``None``: no lead, or a customer's cart).
    lead_name: str | None


def cart_page(
    session: DBSession, *, limit: int, state: str | None = None, before: int | None = None
) -> tuple[list[CartRow], int | None]:
    """A page of the carts past shopping, newest first: those in ``state`` if given,
    those older than cart ``before`` if given (a keyset page: as fast on the last page
    as on the first); and the ``before`` of the next page (``None``: this is the last)."""
    wanted = [TrackedCart.state == state] if state else [TrackedCart.state != CartState.ACTIVE]
    if before is not None:
        wanted.append(TrackedCart.id < before)
    found = session.execute(
        select(TrackedCart, Lead)
        .outerjoin(Lead, Lead.id == TrackedCart.lead_id)
        .where(*wanted)
        .order_by(TrackedCart.id.desc())
        .limit(limit + 1)
    ).all()
    rows = [CartRow(cart, lead.display_name if lead else None) for cart, lead in found[:limit]]
    return rows, rows[-1].cart.id if len(found) > limit else None


def cart_totals(session: DBSession) -> tuple[dict[str, CartFigures], dict[str, Decimal]]:
    """For each state past shopping, how many carts and their value in each currency;
    the value recovered, by currency."""
    figures: dict[str, CartFigures] = {}
    for state, currency, carts, value in session.execute(
        select(
            TrackedCart.state,
            TrackedCart.currency,
            func.count(),
            func.coalesce(func.sum(TrackedCart.total), 0),
        )
        .where(text(PAST_SHOPPING))
        .group_by(TrackedCart.state, TrackedCart.currency)
    ):
        entry = figures.setdefault(state, CartFigures())
        entry.carts += carts
        entry.value[currency] = Decimal(value)
    recovered = {
        currency: Decimal(value or 0)
        for currency, value in session.execute(
            select(TrackedCart.currency, func.sum(TrackedCart.recovered_value))
            .where(TrackedCart.recovered_at.is_not(None))
            .group_by(TrackedCart.currency)
        )
    }
    return figures, recovered


@dataclass
class Attributed:
    """One source's or campaign's figures for a date range."""

    key: tuple[str | None, ...]
    leads: int = 0
    converted: int = 0
    #: Recovered revenue, by currency.
    recovered: dict[str, Decimal] = field(default_factory=dict)


def attribution(session: DBSession, start: datetime, end: datetime, *, by: str) -> list[Attributed]:
    """Leads made, leads converted and cart revenue recovered from ``start`` to ``end``
    (each counted when it happened), by the lead's ``source`` or by its ``campaign``
    (utm_campaign, utm_source, utm_medium): three grouped queries, most leads first."""
    keys = (
        (Lead.source,) if by == "source" else (Lead.utm_campaign, Lead.utm_source, Lead.utm_medium)
    )
    rows: dict[tuple[Any, ...], Attributed] = {}

    def row(key: Any) -> Attributed:
        return rows.setdefault(tuple(key), Attributed(key=tuple(key)))

    made = select(*keys, func.count()).where(Lead.created_at >= start, Lead.created_at < end)
    for *key, count in session.execute(made.group_by(*keys)):
        row(key).leads = count
    converted = (
        select(*keys, func.count())
        .select_from(Customer)
        .join(Lead, Lead.id == Customer.lead_id)
        .where(Customer.created_at >= start, Customer.created_at < end)
        .group_by(*keys)
    )
    for *key, count in session.execute(converted):
        row(key).converted = count
    recovered = (
        select(*keys, TrackedCart.currency, func.sum(TrackedCart.recovered_value))
        .join(Lead, Lead.id == TrackedCart.lead_id)
        .where(TrackedCart.recovered_at >= start, TrackedCart.recovered_at < end)
        .group_by(*keys, TrackedCart.currency)
    )
    for *key, currency, value in session.execute(recovered):
        row(key).recovered[currency] = Decimal(value or 0)
    return sorted(rows.values(), key=lambda r: (-r.leads, -r.converted, str(r.key)))
