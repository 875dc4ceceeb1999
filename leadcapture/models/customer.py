from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..constants import MAX_EMAIL, MAX_NAME, MAX_PHONE
from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .address import Address
    from .history import HistoryEntry
    from .lead import Lead


class Customer(Base):
    """Someone who has given the shop business; made once from a lead on conversion."""

    __tablename__ = "lc_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(32), unique=True)
    customer_name: Mapped[str] = mapped_column(String(MAX_NAME))
    customer_type: Mapped[str] = mapped_column(String(20))
    #: The lead it was made from; unique, so a lead converts to one customer only.
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="SET NULL"), unique=True
    )
    #: Indexed for the dashboard's conversions of a range of days.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    lead: Mapped[Lead | None] = relationship(back_populates="customer")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", order_by="Contact.id", foreign_keys="Contact.customer_id"
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", order_by="Address.id", foreign_keys="Address.customer_id"
    )
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="customer",
        order_by="HistoryEntry.id.desc()",
        foreign_keys="HistoryEntry.customer_id",
    )


class Contact(Base):
    """A person of a customer (or of a lead before conversion).

    The contact made at checkout carries the web user's id: it links the customer to
    the shop account.
    """

    __tablename__ = "lc_contacts"
    __table_args__ = (UniqueConstraint("customer_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(MAX_NAME))
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    phone: Mapped[str | None] = mapped_column(String(MAX_PHONE))
    user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_customers.id", ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer | None] = relationship(
        back_populates="contacts", foreign_keys=[customer_id]
    )
    lead: Mapped[Lead | None] = relationship(back_populates="contacts", foreign_keys=[lead_id])
