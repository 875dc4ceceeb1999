"""Outbound webhooks: the endpoints staff register, and each delivery to one of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

#: Deliveries a run may still take: waiting, or claimed by a run that may have died.
UNDELIVERED = "state IN ('waiting', 'sending')"


class Webhook(Base):
    """An HTTPS endpoint that is sent the events it subscribes to, signed with its secret."""

    __tablename__ = "lc_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    #: The event names it is sent (:data:`leadcapture.webhooks.events.EVENTS`).
    events: Mapped[list[str]] = mapped_column(JSON)
    #: The HMAC-SHA256 key of its signatures, shown to staff to set up the receiver.
    secret: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(140))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))


class WebhookDelivery(Base):
    """One event for one endpoint: written in the transaction that caused the event, then
    posted by a run that leases it, tried again with backoff, and kept as the log."""

    __tablename__ = "lc_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("lc_webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    #: The same for every endpoint and every try of one event, for receivers to dedupe.
    event_id: Mapped[str] = mapped_column(String(36))
    #: The JSON posted, exactly as signed.
    body: Mapped[str] = mapped_column(Text)
    #: ``waiting`` (due at ``next_attempt_at``), ``sending`` (leased until
    #: ``lease_until``), ``delivered``, or ``failed``: given up, shown with Resend.
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The HTTP status of the last try; ``None`` if no answer came.
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(
            "ix_lc_webhook_deliveries_due",
            "next_attempt_at",
            "id",
            sqlite_where=text(UNDELIVERED),
            postgresql_where=text(UNDELIVERED),
        ),
        Index("ix_lc_webhook_deliveries_created_at", "created_at"),
    )
