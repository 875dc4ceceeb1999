"""CSV export of leads, filtered like the list, streamed a batch at a time.

A cell that a spreadsheet would read as a formula (it begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading ``'``, so that opening the
export never runs what a shopper typed into a form. Booleans are ``yes``/``no``, times
ISO 8601 in UTC with microseconds. The database writes each cell's text (:func:`cell`):
a million rows then cost their reading and ``csv.writer``, not a Python call per cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    String,
    TypeDecorator,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
)

from .errors import ValidationError
from .i18n import gettext
from .leadlist import FILTERS, lead_filters
from .leads import LEAD_FIELDS
from .models import Customer, Lead
from .transactions import DBSession, core

#: The human id, every lead field but the free-text notes, and the timestamps.
COLUMNS = ("name", *(n for n in LEAD_FIELDS if n != "notes"), "created_at", "updated_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Those as a character class of GLOB and regular expressions ("-" first: not a range).
_FORMULA_CLASS = "-" + "".join(c for c in FORMULA_STARTS if c != "-")
BATCH = 1000


def cell(column: Any, dialect: str) -> ColumnElement[Any]:
    """The text of ``column``'s cell, as SQL: formula-safe text, ``yes``/``no``, ISO times."""
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, Boolean):
        return case((column.is_(None), None), (column, "yes"), else_="no")
    if isinstance(kind, DateTime):
        if dialect == "postgresql":
            return func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
        return func.replace(column, " ", "T") + "+00:00"  # stored as naive UTC text
    if isinstance(kind, Date):
        return func.to_char(column, "YYYY-MM-DD") if dialect == "postgresql" else column
    text = type_coerce(column, String)
    if dialect == "postgresql":
        formula = text.regexp_match(f"^[{_FORMULA_CLASS}]")
    else:
        formula = text.op("GLOB")(f"[{_FORMULA_CLASS}]*")
    return case((formula, literal("'") + text), else_=text)


def check_params(params: dict[str, Any]) -> dict[str, Any]:
    """The filters of an export; refuses unknown parameters, naming them."""
    unknown = set(params) - FILTERS
    if unknown:
        raise ValidationError({name: [gettext("Unknown parameter.")] for name in sorted(unknown)})
    lead_filters(params)  # refuses bad values before the first byte is sent
    return params


def export_csv(session: DBSession, params: dict[str, Any]) -> Iterator[str]:
    """The CSV text of every lead matching ``params``, in pieces of :data:`BATCH` rows,
    read by keyset (``id > last``) so that no batch costs more than the first."""
    conditions = lead_filters(check_params(params))
    dialect = session.get_bind().dialect.name
    cells = [cell(getattr(Lead, name), dialect) for name in COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, "customer"])
    batch = (
        select(Lead.id, *cells, cell(Customer.name, dialect))
        .outerjoin(Customer, Customer.lead_id == Lead.id)
        .where(Lead.id > bindparam("last_id"), *conditions)
        .order_by(Lead.id)
        .limit(BATCH)
    )
    last_id = 0
    while True:
        # The database's rows as its driver gives them: every cell is text already (or an
        # id), so SQLAlchemy's result rows would only add a second of Python a million.
        result = core(session).execute(batch, {"last_id": last_id})
        rows = result.context.cursor.fetchall()
        result.close()
        writer.writerows(row[1:] for row in rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < BATCH:
            return
        last_id = rows[-1][0]
