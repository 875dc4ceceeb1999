from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AssignmentRule(Base):
    """Who gets new leads: round-robin among ``users``, for one source or (None) for any."""

    __tablename__ = "lc_assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(40))
    users: Mapped[list[str]] = mapped_column(JSON)
    #: Where the round-robin stands: the index of the user who got the last lead.
    last_index: Mapped[int] = mapped_column(Integer, default=-1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
