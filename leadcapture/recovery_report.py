"""The recovery report, as cart-recovery plug-ins show it: for a chosen range of days,
what was abandoned (recoverable revenue), what came back (recovered revenue and rate),
and what the emails did (sent, links opened), in all and email by email. Each figure is
one grouped query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from .dayranges import day_bounds
from .models import Email, TrackedCart
from .transactions import DBSession


@dataclass
class StepFigures:
    """What one email of the series did in the report's days: how many went, how many of
    their links were opened, and the carts (and their value) it was the last email before
    the order of."""

    step: int
    sent: int = 0
    opened: int = 0
    recovered: int = 0
    recovered_value: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class RecoveryReport:
    start: date
    end: date
    abandoned: int = 0
    recovered: int = 0
    recoverable: dict[str, Decimal] = field(default_factory=dict)
    recovered_value: dict[str, Decimal] = field(default_factory=dict)
    emails_sent: int = 0
    links_opened: int = 0
    by_step: list[StepFigures] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Recovered carts per abandoned cart, in per cent."""
        return round(100 * self.recovered / self.abandoned, 1) if self.abandoned else 0.0


def recovery_report(session: DBSession, start: date, end: date) -> RecoveryReport:
    """Carts abandoned in ``start``..``end`` (whole days, UTC), the value recovered and the
    emails sent and links opened in those days, in all and email by email."""
    since, until = day_bounds(start, end)
    report = RecoveryReport(start=start, end=end)
    abandoned_in = TrackedCart.abandoned_at.between(since, until)
    for currency, carts, value in session.execute(
        select(TrackedCart.currency, func.count(), func.coalesce(func.sum(TrackedCart.total), 0))
        .where(abandoned_in)
        .group_by(TrackedCart.currency)
    ):
        report.abandoned += carts
        report.recoverable[currency] = Decimal(value)
    for currency, carts, won in session.execute(
        select(
            TrackedCart.currency,
            func.count(),
            func.coalesce(func.sum(TrackedCart.recovered_value), 0),
        )
        .where(TrackedCart.recovered_at.between(since, until))
        .group_by(TrackedCart.currency)
    ):
        report.recovered += carts
        report.recovered_value[currency] = Decimal(won or 0)
    report.by_step = figures_by_step(session, since, until)
    report.emails_sent = sum(figures.sent for figures in report.by_step)
    report.links_opened = (
        session.scalar(
            select(func.count())
            .select_from(TrackedCart)
            .where(TrackedCart.link_opened_at.between(since, until))
        )
        or 0
    )
    return report


def figures_by_step(session: DBSession, since: datetime, until: datetime) -> list[StepFigures]:
    """Each recovery email's figures between ``since`` and ``until``, by its step. A
    recovered cart counts for the last email sent to it before its order (the one the
    shopper came back from)."""
    steps: dict[int, StepFigures] = {}

    def of(step: int | None) -> StepFigures:  # never None: the queries leave those out
        number = int(step or 0)
        return steps.setdefault(number, StepFigures(number))

    for step, sent in session.execute(
        select(Email.step, func.count())
        .where(Email.step.is_not(None), Email.sent_at.between(since, until))
        .group_by(Email.step)
    ):
        of(step).sent = sent
    for step, opened in session.execute(
        select(Email.step, func.count())
        .where(Email.step.is_not(None), Email.link_opened_at.between(since, until))
        .group_by(Email.step)
    ):
        of(step).opened = opened
    last_email = (
        select(Email.cart_id, func.max(Email.step).label("step"))
        .join(TrackedCart, TrackedCart.id == Email.cart_id)
        .where(
            TrackedCart.recovered_at.between(since, until),
            Email.step.is_not(None),
            Email.sent_at <= TrackedCart.recovered_at,
        )
        .group_by(Email.cart_id)
        .subquery()
    )
    for step, currency, carts, won in session.execute(
        select(
            last_email.c.step,
            TrackedCart.currency,
            func.count(),
            func.coalesce(func.sum(TrackedCart.recovered_value), 0),
        )
        .join(last_email, last_email.c.cart_id == TrackedCart.id)
        .group_by(last_email.c.step, TrackedCart.currency)
    ):
        figures = of(step)
        figures.recovered += carts
        figures.recovered_value[currency] = Decimal(won or 0)
    return [steps[step] for step in sorted(steps)]


def cart_emails(session: DBSession, cart_id: int) -> list[Email]:
    """The recovery emails of one cart, in the order they were written."""
    return list(session.scalars(select(Email).where(Email.cart_id == cart_id).order_by(Email.id)))
