from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from ..constants import MAX_SOURCE
from .base import Base, UTCDateTime, utcnow


class Source(Base):
    """A lead source the owner added (the built-in ones are
    :class:`~leadcapture.constants.LeadSource` and stay as they are). A retired source
    is no longer offered for new leads; the leads that have it keep it."""

    __tablename__ = "lc_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_SOURCE), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))
