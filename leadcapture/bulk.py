"""Set-based writes of many leads at once, shared by the sweep and the import:
:func:`insert_named_leads`."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, String, Table, bindparam, func, literal, select, true, update

from . import jsonrows
from .assignment import next_assignees, rule_for
from .attribution import COLUMNS as CAMPAIGN
from .jsonrows import given_columns
from .leads import lead_name_for, lead_name_sql
from .models import Lead, TrackedCart
from .models.base import UTCDateTime
from .transactions import DBSession, core, upsert_for


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
    rule = rule_for(session, source)
    named = rule is None or not rule.users
    statement = _insert_of_carts(session.get_bind().dialect.name, named)
    parameters = {"cart_ids": json.dumps(cart_ids), "source": source, "status": status, "now": now}
    created = sorted(core(session).execute(statement, parameters).scalars())
    if not named:
        _name_and_assign(session, ((lead_id, source) for lead_id in created))
    return created


#: What a lead made from carts takes from them.
CARRIED = (*CAMPAIGN, "language")


@functools.lru_cache(maxsize=8)
def _insert_of_carts(dialect: str, named: bool) -> Any:
    """The INSERT of :func:`insert_leads_of_carts`, built once; ``named``: each lead
    written once, with its human id (no assignee to give it one by one)."""
    # In the order of the emails, as every sweep writes them: two sweeps inserting some
    # of the same emails wait for each other in turn instead of deadlocking.
    # A new lead takes its carts' campaign and language (any one cart's, for an email
    # several carts of the batch name).
    emails = (
        select(
            TrackedCart.email,
            *(func.max(getattr(TrackedCart, name)).label(name) for name in CARRIED),
        )
        .where(
            TrackedCart.id.in_(jsonrows.json_values(dialect, "cart_ids", Integer())),
            TrackedCart.email.is_not(None),
        )
        .group_by(TrackedCart.email)
        .order_by(TrackedCart.email)
        .subquery()
    )
    carried = [emails.c[name] for name in CARRIED]
    now = bindparam("now", type_=UTCDateTime())
    constants: tuple[Any, ...] = (
        bindparam("source", type_=String()),
        bindparam("status", type_=String()),
        literal(False),
        now,
        now,
    )
    columns = [
        "email",
        *CARRIED,
        "source",
        "status",
        "is_organization",
        "created_at",
        "updated_at",
    ]
    rows: Any
    if named:
        if dialect == "postgresql":  # the ids from the sequence first
            new_id: Any = func.nextval(func.pg_get_serial_sequence("lc_leads", "id"))
        else:  # the ids SQLite itself would give, written by this one statement
            new_id = select(func.coalesce(func.max(Lead.id), 0)).scalar_subquery()
            new_id = new_id + func.row_number().over(order_by=emails.c.email)
        numbered = select(new_id.label("id"), emails.c.email, *carried).subquery()
        numbered_carried = [numbered.c[name] for name in CARRIED]
        rows = select(
            numbered.c.id,
            lead_name_sql(numbered.c.id, dialect),
            numbered.c.email,
            *numbered_carried,
            *constants,
        )
        rows = rows.where(true()).order_by(numbered.c.email)
        columns = ["id", "name", *columns]
    else:
        rows = select(emails.c.email, *carried, *constants).where(true())
        rows = rows.order_by(emails.c.email)
    return (
        upsert_for(dialect, cast(Table, Lead.__table__))
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Lead.id)
    )


def insert_named_leads(
    session: DBSession, rows: list[dict[str, Any]], *, now: datetime
) -> list[Any]:
    """Insert new leads (rows of their fields' values, ``source`` always among them) with
    their human id and assignee, made ``now``, each written once, whole, by one statement
    whatever their number. Returns ``(id, email)`` tuples of the leads made (an email
    already known makes none), as the driver gives them: the ORM's rows of a thousand
    leads cost more than their INSERT's RETURNING."""
    if not rows:
        return []
    by_source: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    for source, group in by_source.items():
        assignees = next_assignees(session, source, len(group))
        if any(assignees):  # else the column is left to its default, NULL
            for row, who in zip(group, assignees, strict=True):
                row["assigned_to"] = who
    names = given_columns(rows)
    statement = _insert_named(session.get_bind().dialect.name, names)
    result = jsonrows.execute(session, statement, rows, names, created_at=now, updated_at=now)
    inserted: list[Any] = result.context.cursor.fetchall()
    result.close()
    return inserted


@functools.lru_cache(maxsize=16)
def _insert_named(dialect: str, names: tuple[str, ...]) -> Any:
    table = cast(Table, Lead.__table__)
    given = jsonrows.json_rows(dialect, jsonrows.types_of(table, names))
    if dialect == "postgresql":
        given = select(
            func.nextval(func.pg_get_serial_sequence("lc_leads", "id")).label("id"), *given.c
        ).subquery()
        new_id: Any = given.c.id
    else:  # the ids SQLite itself would give, written by this one statement under its lock
        new_id = (
            select(func.coalesce(func.max(Lead.id), 0)).scalar_subquery()
            + given.c[jsonrows.POSITION]
        )
    shared = ("created_at", "updated_at")
    return (
        upsert_for(dialect, table)
        .from_select(
            ["id", "name", *names, *shared],
            select(
                new_id,
                lead_name_sql(new_id, dialect),
                *(given.c[n] for n in names),
                *(jsonrows.constant(table, n) for n in shared),
            ).where(true()),  # SQLite: the ON CONFLICT below belongs to the INSERT
        )
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Lead.id, Lead.email)
    )
