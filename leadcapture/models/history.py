from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..constants import SystemEvent
from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .customer import Customer
    from .lead import Lead

#: The entries that count a web user's sign-up (a new lead, or one linked to its account):
#: a partial index holds exactly these, so the funnel counts sign-ups, not all history.
SIGNUPS = f"event IN ('{SystemEvent.SIGNED_UP}', '{SystemEvent.LINKED}')"


class HistoryEntry(Base):
    """One line of a lead's history: a note, a communication, or a system event.

    On conversion the lead's entries are linked to the customer too, so the history
    reads the same from either side.
    """

    __tablename__ = "lc_history"
    __table_args__ = (
        Index(
            "ix_lc_history_signups",
            "event",
            sqlite_where=text(SIGNUPS),
            postgresql_where=text(SIGNUPS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_customers.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    event: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(240))
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[Lead | None] = relationship(back_populates="history", foreign_keys=[lead_id])
    customer: Mapped[Customer | None] = relationship(
        back_populates="history", foreign_keys=[customer_id]
    )
