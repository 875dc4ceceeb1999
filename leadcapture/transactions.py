"""One unit of work, one transaction: commit on success, retry a lost race, else roll back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, scoped_session

T = TypeVar("T")

#: What the domain functions take: a session, or Flask-SQLAlchemy's ``db.session``.
DBSession = Session | scoped_session[Any]

#: How often a unit of work runs again after losing a race (a unique key taken by a
#: concurrent request, a deadlock, or a busy SQLite file).
RETRIES = 3


def current_session() -> DBSession:
    """The host's session, as given to ``LeadCapture(db=...)``."""
    return current_app.extensions["leadcapture"].session  # type: ignore[no-any-return]


def core(session: DBSession) -> Connection:
    """The session's connection, for a statement built once and run as Core: what the
    session holds is flushed first, as the ORM's own execute would. A statement run
    this way costs a fifth of one built and run through the ORM each time, which is
    most of what a sweep with nothing to do costs."""
    session.flush()
    return session.connection()


def upsert(session: DBSession, table: Table) -> Any:
    """An INSERT into ``table`` that takes ``ON CONFLICT`` clauses, on PostgreSQL and on
    SQLite alike (their dialects' own ``insert``)."""
    return upsert_for(session.get_bind().dialect.name, table)


def upsert_for(dialect: str, table: Table) -> Any:
    """:func:`upsert` for a dialect by name."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def in_transaction(session: DBSession, work: Callable[[], T]) -> T:
    """Run ``work`` and commit; on a lost race, roll back and run it again."""
    for attempt in range(1, RETRIES + 1):
        try:
            result = work()
            session.commit()
            return result
        except (IntegrityError, OperationalError):
            session.rollback()
            if attempt == RETRIES:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
