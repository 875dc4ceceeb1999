from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..constants import MAX_EMAIL
from .base import Base, UTCDateTime, utcnow

#: The retry's predicate and the pruning's; a partial index holds exactly these rows.
PENDING = "state = 'pending'"
DONE = "state = 'done'"
#: An event retrying cannot fix: refused input, or too many failed tries. Staff retry or
#: discard it; nothing tries it by itself.
DEAD = "state = 'dead'"


class InboundEvent(Base):
    """An inbound signal from the shop, kept until the plug-in has handled it (the outbox
    of lead capture): written with the shop's data, handled after, retried on failure."""

    __tablename__ = "lc_inbound_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The signal's name: ``user_registered``, ``cart_changed``, ``order_placed`` …
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``pending`` until handled, then ``done``; ``dead`` when retrying cannot fix it
    #: (staff then retry it or set it ``discarded``).
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The shop's cart and the email the event names, when it names them: an order's event
    #: stops recovery emails for them while it waits, whatever its state.
    cart_key: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL), index=True)

    __table_args__ = (
        Index(
            "ix_lc_inbound_events_pending",
            "next_attempt_at",
            "id",
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
        Index(
            "ix_lc_inbound_events_done",
            "handled_at",
            sqlite_where=text(DONE),
            postgresql_where=text(DONE),
        ),
    )
