from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class MailMessage(Base):
    """A message taken from the mailbox, by its Message-ID: the row is the claim that
    makes each message count once, however many ``fetch-mail`` runs see it."""

    __tablename__ = "lc_mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(240))
    #: What became of it: ``lead_created``, ``history`` or ``skipped``.
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(240))
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="SET NULL"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
