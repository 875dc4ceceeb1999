from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..constants import MAX_EMAIL, MAX_NAME, MAX_PHONE, MAX_UTM, LeadStatus
from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .address import Address
    from .customer import Contact, Customer
    from .history import HistoryEntry


class Lead(Base):
    """A potential customer: a person, or an organization when ``is_organization`` is set."""

    __tablename__ = "lc_leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The human id, ``LEAD-00001``; given from the key right after the first flush.
    name: Mapped[str | None] = mapped_column(String(32), unique=True)
    lead_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    company_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    is_organization: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL), unique=True)
    phone: Mapped[str | None] = mapped_column(String(MAX_PHONE))
    gender: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.LEAD, index=True)
    source: Mapped[str | None] = mapped_column(String(40), index=True)
    lead_type: Mapped[str | None] = mapped_column(String(40))
    market_segment: Mapped[str | None] = mapped_column(String(MAX_NAME))
    industry: Mapped[str | None] = mapped_column(String(MAX_NAME))
    #: Who made the lead: the web user for a sign-up, the staff user for one made by hand.
    owner: Mapped[str | None] = mapped_column(String(64))
    #: The shop account this lead belongs to (its sign-up); one lead per web user.
    web_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)
    next_contact_date: Mapped[date | None] = mapped_column(Date)
    next_contact_by: Mapped[str | None] = mapped_column(String(64))
    #: The ``next_contact_date`` whose reminder was given (so ``remind`` acts once).
    reminded_for: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    #: How likely the lead is to buy, 0–100, the facts that weighed most, and when
    #: (:mod:`leadcapture.scoring`); 0 and ``None`` until the first scoring run, so an
    #: unscored lead sorts last on the plain index.
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The language the lead reads (one of ``LEADCAPTURE_LANGUAGES``), from the shop.
    language: Mapped[str | None] = mapped_column(String(10))
    #: The campaign the lead first came from (a link's utm_source, utm_medium, utm_campaign)
    #: and the site that referred it (:mod:`leadcapture.attribution`).
    utm_source: Mapped[str | None] = mapped_column(String(MAX_UTM))
    utm_medium: Mapped[str | None] = mapped_column(String(MAX_UTM))
    utm_campaign: Mapped[str | None] = mapped_column(String(MAX_UTM), index=True)
    referrer: Mapped[str | None] = mapped_column(String(MAX_UTM))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship(back_populates="lead", uselist=False)
    addresses: Mapped[list[Address]] = relationship(
        back_populates="lead", order_by="Address.id", foreign_keys="Address.lead_id"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="lead", order_by="Contact.id", foreign_keys="Contact.lead_id"
    )
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="lead",
        order_by="HistoryEntry.id.desc()",
        foreign_keys="HistoryEntry.lead_id",
    )

    __table_args__ = (
        Index("ix_lc_leads_created_at_id", "created_at", "id"),
        Index("ix_lc_leads_status_created_at_id", "status", "created_at", "id"),
        Index("ix_lc_leads_source_created_at_id", "source", "created_at", "id"),
        Index("ix_lc_leads_assigned_to_created_at_id", "assigned_to", "created_at", "id"),
        Index("ix_lc_leads_next_contact", "next_contact_date", "next_contact_by"),
        Index("ix_lc_leads_score_id", "score", "id"),
        #: The dashboard's conversion by source, counted from the index alone.
        Index("ix_lc_leads_source_status", "source", "status"),
        #: A lead's possible duplicates: the same phone, or the same name.
        Index("ix_lc_leads_phone", "phone"),
        Index("ix_lc_leads_lead_name", "lead_name"),
        #: A merged lead's id is never another lead's (on SQLite, which reuses the
        #: largest id otherwise; migration lc0026).
        {"sqlite_autoincrement": True},
    )

    @property
    def display_name(self) -> str:
        return self.lead_name or self.company_name or self.email or self.name or ""

    def __repr__(self) -> str:
        return f"<Lead {self.name or self.id} {self.email!r} {self.status}>"


class LeadMerge(Base):
    """A lead merged into another (:mod:`leadcapture.merging`): its id and human id stay
    known, so a link to it leads to the lead it became part of."""

    __tablename__ = "lc_lead_merges"

    #: The merged lead's id, no longer in ``lc_leads``.
    lead_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(32))
    #: The lead it became part of (the one a later merge made it part of, in turn).
    into_id: Mapped[int] = mapped_column(ForeignKey("lc_leads.id", ondelete="CASCADE"), index=True)
    merged_by: Mapped[str | None] = mapped_column(String(64))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
