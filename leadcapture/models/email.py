from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..constants import MAX_EMAIL
from .base import Base, UTCDateTime, moment_indexes, utcnow

#: The emails a send run may take: waiting, failed for a later try, or claimed by a run
#: whose lease may have run out (it was killed). A partial index holds exactly these.
UNSENT = "status IN ('outbox', 'sending', 'failed')"


class Email(Base):
    """An email the plug-in wrote: written first (``outbox``), then claimed for a while
    (``sending``, until ``lease_until``), then ``sent`` — or ``failed`` for a later try.

    ``(cart_id, step)`` is unique, so a recovery step is written once, whatever races; the
    lease lets the next run take an email whose sender was killed mid-way.
    """

    __tablename__ = "lc_emails"
    __table_args__ = (
        UniqueConstraint("cart_id", "step"),
        Index(
            "ix_lc_emails_unsent",
            "next_attempt_at",
            "id",
            sqlite_where=text(UNSENT),
            postgresql_where=text(UNSENT),
        ),
        #: The recovery report's days (:mod:`leadcapture.recovery_report`).
        *moment_indexes("lc_emails", "sent_at", "link_opened_at"),
    )

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
    #: When an unsent email may be tried (again).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    #: Until when the run that claimed it (``sending``) holds it.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The same on every try, so a mail system can tell a message sent twice by a crash.
    message_id: Mapped[str | None] = mapped_column(String(255))
    #: The unsubscribe link in the body, sent again as the List-Unsubscribe header: one
    #: message, one link (a link made at sending time would carry another timestamp).
    unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    #: When the restore link of this email (a recovery step's) was first opened: which
    #: email of a series brought the shopper back.
    link_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The staff user who wrote it to a lead from the back office (None: the plug-in or
    #: the host wrote it): its history line is theirs, and it counts as their email.
    sent_by: Mapped[str | None] = mapped_column(String(64))
    #: The key of the form (or API request) that wrote it: a second sending finds it.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class RecoverySeries(Base):
    """Who is getting a series of recovery emails: one series per address per cooldown,
    however many carts name the address (a stranger may type anyone's email)."""

    __tablename__ = "lc_recovery_series"

    email: Mapped[str] = mapped_column(String(MAX_EMAIL), primary_key=True)
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("lc_carts.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
