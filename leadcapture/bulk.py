"""Set-based writes of many leads at once, shared by the sweep and the import:
:func:`insert_named_leads`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, literal, select, text, true, update

from .assignment import next_assignees, rule_for
from .leads import lead_name_for, lead_name_sql
from .models import Lead, TrackedCart
from .models.base import UTCDateTime
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
    rules of their source, a sales user. Without a rule for the source, one statement
    names them all."""
    by_source: dict[str | None, list[int]] = {}
    for lead_id, source in created:
        by_source.setdefault(source, []).append(lead_id)
    dialect = session.get_bind().dialect.name
    for source, ids in by_source.items():
        assignees = next_assignees(session, source, len(ids))
        if not any(assignees):
            session.execute(
                update(Lead)
                .where(Lead.id.in_(ids))
                .values(name=lead_name_sql(Lead.id, dialect))
                .execution_options(synchronize_session=False)
            )
            continue
        session.execute(
            update(Lead),
            [
                {"id": i, "name": lead_name_for(i), "assigned_to": who}
                for i, who in zip(ids, assignees, strict=True)
            ],
        )


def insert_leads_of_carts(
    session: DBSession, cart_ids: list[int], *, source: str, status: str, now: datetime
) -> list[int]:
    """One new lead per email of these carts that no lead has yet, named and assigned,
    in a few statements whatever their number; returns the new leads' ids. The lead's
    name is left unknown: it is shown by its email, never by an invented name."""
    dialect = session.get_bind().dialect.name
    # In the order of the emails, as every sweep writes them: two sweeps inserting some
    # of the same emails wait for each other in turn instead of deadlocking.
    emails = (
        select(TrackedCart.email)
        .where(TrackedCart.id.in_(cart_ids), TrackedCart.email.is_not(None))
        .distinct()
        .order_by(TrackedCart.email)
        .subquery()
    )
    constants = (
        literal(source),
        literal(status),
        literal(False),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    )
    columns = ["email", "source", "status", "is_organization", "created_at", "updated_at"]
    rule = rule_for(session, source)
    named = dialect == "postgresql" and (rule is None or not rule.users)
    if named:  # the ids from the sequence first: each lead written once, with its name
        numbered = select(
            func.nextval(func.pg_get_serial_sequence("lc_leads", "id")).label("id"),
            emails.c.email,
        ).subquery()
        rows = select(
            numbered.c.id, lead_name_sql(numbered.c.id, dialect), numbered.c.email, *constants
        ).order_by(numbered.c.email)
        columns = ["id", "name", *columns]
    else:
        rows = select(emails.c.email, *constants).where(true()).order_by(emails.c.email)
    statement = (
        upsert(session, cast(Table, Lead.__table__))
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Lead.id)
    )
    created = sorted(session.scalars(statement))
    if not named:
        _name_and_assign(session, ((lead_id, source) for lead_id in created))
    return created


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
        row.update(id=lead_id, name=lead_name_for(lead_id))
        by_source.setdefault(row["source"], []).append(row)
    for source, group in by_source.items():
        for row, who in zip(group, next_assignees(session, source, len(group)), strict=True):
            row["assigned_to"] = who
    return insert_new_leads(session, rows)
