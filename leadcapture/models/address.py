from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..constants import MAX_ADDRESS_LINE, MAX_CITY, MAX_EMAIL, MAX_PHONE, MAX_PINCODE
from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .customer import Customer
    from .lead import Lead


class Address(Base):
    """An address named ``<Lead Name>-<Address Type>``, linked to a lead and its customer."""

    __tablename__ = "lc_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address_type: Mapped[str] = mapped_column(String(20))
    address_line1: Mapped[str] = mapped_column(String(MAX_ADDRESS_LINE))
    address_line2: Mapped[str | None] = mapped_column(String(MAX_ADDRESS_LINE))
    city: Mapped[str] = mapped_column(String(MAX_CITY))
    state: Mapped[str | None] = mapped_column(String(MAX_CITY))
    pincode: Mapped[str | None] = mapped_column(String(MAX_PINCODE))
    country: Mapped[str] = mapped_column(String(MAX_CITY))
    phone: Mapped[str | None] = mapped_column(String(MAX_PHONE))
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_leads.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("lc_customers.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lead: Mapped[Lead | None] = relationship(back_populates="addresses", foreign_keys=[lead_id])
    customer: Mapped[Customer | None] = relationship(
        back_populates="addresses", foreign_keys=[customer_id]
    )
