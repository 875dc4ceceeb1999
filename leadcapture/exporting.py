"""CSV export of leads, filtered like the list, streamed a batch at a time.

A cell that a spreadsheet would read as a formula (it begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading ``'``, so that opening the
export never runs what a shopper typed into a form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from .errors import ValidationError
from .leadlist import FILTERS, lead_filters
from .leads import LEAD_FIELDS
from .models import Customer, Lead
from .transactions import DBSession

#: The human id, every lead field but the free-text notes, and the timestamps.
COLUMNS = ("name", *(n for n in LEAD_FIELDS if n != "notes"), "created_at", "updated_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def safe_cell(value: Any) -> str:
    """The text of a cell, neutralized if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def check_params(params: dict[str, Any]) -> dict[str, Any]:
    """The filters of an export; refuses unknown parameters, naming them."""
    unknown = set(params) - FILTERS
    if unknown:
        raise ValidationError({name: ["Unknown parameter."] for name in sorted(unknown)})
    lead_filters(params)  # refuses bad values before the first byte is sent
    return params


def export_csv(session: DBSession, params: dict[str, Any]) -> Iterator[str]:
    """The CSV text of every lead matching ``params``, in pieces of :data:`BATCH` rows,
    read by keyset (``id > last``) so that no batch costs more than the first."""
    conditions = lead_filters(check_params(params))
    columns = [getattr(Lead, name) for name in COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, "customer"])
    last_id = 0
    while True:
        rows = session.execute(
            select(Lead.id, *columns, Customer.name)
            .outerjoin(Customer, Customer.lead_id == Lead.id)
            .where(Lead.id > last_id, *conditions)
            .order_by(Lead.id)
            .limit(BATCH)
        ).all()
        for row in rows:
            writer.writerow([safe_cell(value) for value in row[1:]])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < BATCH:
            return
        last_id = rows[-1][0]
