from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Erasure(Base):
    """That a person's data was erased, when, at whose request, and how many records it
    touched. It names the person only by a digest of the email (SHA-256), so staff can
    tell that an address was erased without the address being kept."""

    __tablename__ = "lc_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_digest: Mapped[str] = mapped_column(String(64), index=True)
    #: Who asked: a staff user's id, ``shopper`` (the account page) or ``unsubscribe``.
    requested_by: Mapped[str] = mapped_column(String(64))
    #: Records touched, by kind: ``{"leads": 1, "addresses": 2, …}``.
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
