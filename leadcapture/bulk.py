"""Set-based writes of many leads at once, shared by the sweep and the import."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from .assignment import next_assignees
from .leads import NAME_PREFIX
from .models import Lead
from .transactions import DBSession


def insert_new_leads(session: DBSession, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert leads whose email is new, in one statement; an existing (or concurrently
    made) lead of the same email wins the conflict. Returns ``(id, email)`` rows."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(Lead)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Lead.id, Lead.email)
    )
    return list(session.execute(statement))


def name_and_assign(session: DBSession, created: Iterable[tuple[int, str | None]]) -> None:
    """Give new leads (``(id, source)`` pairs) their human id and, by the assignment
    rules of their source, a sales user."""
    by_source: dict[str | None, list[int]] = {}
    for lead_id, source in created:
        by_source.setdefault(source, []).append(lead_id)
    for source, ids in by_source.items():
        assignees = next_assignees(session, source, len(ids))
        session.execute(
            update(Lead),
            [
                {"id": i, "name": f"{NAME_PREFIX}{i:05d}", "assigned_to": who}
                for i, who in zip(ids, assignees, strict=True)
            ],
        )
