"""The plug-in's declarative base: its own metadata, so a host keeps its own ``db``.

The plug-in's tables live in :data:`metadata`, apart from the host's models; the host's
Flask-SQLAlchemy session works with both, and the plug-in's Alembic branch creates them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, MetaData, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def moment_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """An index on each moment column, holding only the rows where it is set: a report of
    a range of days reads the rows of those days, whatever the table holds."""
    return tuple(
        Index(
            f"ix_{table}_{column}",
            column,
            sqlite_where=text(f"{column} IS NOT NULL"),
            postgresql_where=text(f"{column} IS NOT NULL"),
        )
        for column in columns
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp kept in UTC on every database and always read back timezone-aware.

    SQLite has no time zones, so values are stored as naive UTC and tagged on the way out.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; leadcapture stores UTC-aware times only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata
