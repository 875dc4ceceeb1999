from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..constants import MAX_EMAIL
from .base import Base, UTCDateTime, utcnow


class Email(Base):
    """An email the plug-in wrote: sent over SMTP, or kept in the outbox when none is set.

    ``(cart_id, step)`` is unique, so a recovery step goes out once, whatever races.
    """

    __tablename__ = "lc_emails"
    __table_args__ = (UniqueConstraint("cart_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_carts.id", ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int | None] = mapped_column(Integer)
    to: Mapped[str] = mapped_column(String(MAX_EMAIL))
    subject: Mapped[str] = mapped_column(String(240))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    discount_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    #: How many times a failed send was tried again.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
