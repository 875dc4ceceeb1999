from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..constants import MAX_EMAIL, MAX_UTM, CartState
from .base import Base, UTCDateTime, moment_indexes, utcnow

#: The carts a sweep may abandon: shopping, with items and an email. The partial index on
#: this predicate keeps the sweep's cost to the carts that went idle, not the whole table.
SWEEPABLE = "state = 'active' AND item_count > 0 AND email IS NOT NULL AND capture_declined = false"
#: The carts past shopping, which the cart page counts and adds up by state: a partial
#: index holds their figures, so the page reads them without the carts still in use.
PAST_SHOPPING = "state <> 'active'"


class TrackedCart(Base):
    """The plug-in's copy of a shop cart, as the shop last reported it, and its recovery."""

    __tablename__ = "lc_carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The shop's own id for the cart (a guest token or an account's cart id).
    cart_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL), index=True)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    state: Mapped[str] = mapped_column(
        String(20), default=CartState.ACTIVE, server_default=CartState.ACTIVE.value
    )
    #: The shopper said "no thanks" to email capture: the cart is never swept or mailed.
    capture_declined: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="SET NULL"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_customers.id", ondelete="SET NULL"), index=True
    )
    #: How many recovery emails went out, and when the next one is due (None: no more).
    emails_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_email_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The campaign of the visit that last changed it (a link's utm_source, utm_medium,
    #: utm_campaign) and the site that referred it (:mod:`leadcapture.attribution`).
    utm_source: Mapped[str | None] = mapped_column(String(MAX_UTM))
    utm_medium: Mapped[str | None] = mapped_column(String(MAX_UTM))
    utm_campaign: Mapped[str | None] = mapped_column(String(MAX_UTM))
    referrer: Mapped[str | None] = mapped_column(String(MAX_UTM))
    #: The language of the shopper who filled it, from the shop's cart_changed.
    language: Mapped[str | None] = mapped_column(String(10))
    link_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recovered_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(
            "ix_lc_carts_sweepable",
            "last_activity_at",
            sqlite_where=text(SWEEPABLE),
            postgresql_where=text(SWEEPABLE),
        ),
        Index(
            "ix_lc_carts_email_due",
            "next_email_at",
            sqlite_where=text("next_email_at IS NOT NULL"),
            postgresql_where=text("next_email_at IS NOT NULL"),
        ),
        #: The cart page's filter by state, newest first (:func:`~leadcapture.reports.cart_page`).
        Index("ix_lc_carts_state_id", "state", "id"),
        Index(
            "ix_lc_carts_abandoned",
            "abandoned_at",
            sqlite_where=text("state = 'abandoned'"),
            postgresql_where=text("state = 'abandoned'"),
        ),
        #: The cart page's figures (:func:`~leadcapture.reports.cart_totals`), read from
        #: the index alone.
        Index(
            "ix_lc_carts_past_shopping",
            "state",
            "currency",
            "total",
            sqlite_where=text(PAST_SHOPPING),
            postgresql_where=text(PAST_SHOPPING),
        ),
        #: The recovery report's days (:mod:`leadcapture.recovery_report`).
        *moment_indexes("lc_carts", "abandoned_at", "recovered_at", "link_opened_at"),
    )
