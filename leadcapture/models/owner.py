"""What the shop owner changes in the back office without a deploy: the recovery emails
and a few settings. Until the owner saves, the app's ``LEADCAPTURE_*`` config rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class RecoveryStep(Base):
    """One recovery email of the series, as the owner wrote it. ``body`` is plain text
    with placeholders (see :mod:`leadcapture.recovery_content`)."""

    __tablename__ = "lc_recovery_steps"

    #: The step's number, 1 for the first email; a step is turned off, never deleted, so
    #: the numbers of emails already sent keep their meaning.
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Hours after the cart was abandoned.
    delay_hours: Mapped[float] = mapped_column(Float)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    code: Mapped[bool] = mapped_column(Boolean, default=False)
    code_percent: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class RecoveryStepText(Base):
    """A step's subject and body in one more of the shop's languages, as the owner wrote
    them. A language without one gets the step's own text: the built-in text translated,
    or the owner's words as they wrote them (:meth:`leadcapture.recovery_steps.Step.words`)."""

    __tablename__ = "lc_recovery_step_texts"

    step: Mapped[int] = mapped_column(
        ForeignKey("lc_recovery_steps.step", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class OwnerSetting(Base):
    """One setting the owner changed; its absence means the config's value."""

    __tablename__ = "lc_owner_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
