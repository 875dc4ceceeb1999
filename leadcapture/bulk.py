"""Set-based writes of many leads at once, shared by the sweep and the import:
:func:`insert_named_leads`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, text, update

from .assignment import next_assignees
from .leads import NAME_PREFIX
from .models import Lead
from .transactions import DBSession, upsert


def insert_new_leads(session: DBSession, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert leads whose email is new, in one statement; an existing (or concurrently
    made) lead of the same email wins the conflict. Returns ``(id, email)`` rows."""
    if not rows:
        return []
    statement = (
        upsert(session, cast(Table, Lead.__table__))
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Lead.id, Lead.email)
    )
    # executemany on the table: SQLAlchemy batches it into multi-row INSERTs
    # ("insertmanyvalues") from one cached statement, instead of compiling one huge one.
    return list(session.execute(statement, rows))


def _name_and_assign(session: DBSession, created: Iterable[tuple[int, str | None]]) -> None:
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


def insert_named_leads(session: DBSession, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert new leads (rows with a ``source``) with their human id and assignee.

    On PostgreSQL the ids come from the table's sequence first, so each lead is written
    once, whole; elsewhere the leads are inserted, then named and assigned. Returns
    ``(id, email)`` rows of the leads made (an email already known makes none).
    """
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        inserted = insert_new_leads(session, rows)
        source_of = {row["email"]: row["source"] for row in rows}
        _name_and_assign(session, ((row.id, source_of[row.email]) for row in inserted))
        return inserted
    ids = session.scalars(
        text(
            "SELECT nextval(pg_get_serial_sequence('lc_leads', 'id')) FROM generate_series(1, :n)"
        ),
        {"n": len(rows)},
    ).all()
    by_source: dict[str | None, list[dict[str, Any]]] = {}
    for row, lead_id in zip(rows, ids, strict=True):
        row.update(id=lead_id, name=f"{NAME_PREFIX}{lead_id:05d}")
        by_source.setdefault(row["source"], []).append(row)
    for source, group in by_source.items():
        for row, who in zip(group, next_assignees(session, source, len(group)), strict=True):
            row["assigned_to"] = who
    return insert_new_leads(session, rows)
