"""Spreadsheet import: rows become leads, set-based, a chunk of rows per few statements.

A row whose email is already known — in the database or earlier in the file, in any
letter case — is merged into that lead (its non-empty values fill in or replace the
lead's), never doubled. A bad row is skipped and reported with its line and reason; the
good rows are imported. The whole file is one transaction: a file that cannot be read
to its end writes nothing. Rows are read as they are written, so memory stays flat.
"""

from __future__ import annotations

import functools
import json
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import (
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy import cast as sa_cast

from . import fields, history, signals
from .bulk import insert_named_leads
from .constants import HistoryKind, LeadSource, LeadStatus, SystemEvent
from .errors import ValidationError
from .i18n import gettext
from .jsonrows import POSITION, constant, execute, insert_rows, json_rows, json_values, shared
from .leads import LEAD_FIELDS, RECAPTURE_FIELDS
from .models import HistoryEntry, Lead
from .models.base import utcnow
from .oncommit import send_on_commit
from .spreadsheets import Sheet
from .transactions import DBSession, core

CHUNK = 1000
#: How many bad rows a report lists (all are counted).
MAX_REPORTED = 1000

#: The lead fields a spreadsheet may give: all but the staff's own (owner, assignee,
#: follow-up), which the import sets by its rules.
IMPORTED_FIELDS = tuple(
    name
    for name in LEAD_FIELDS
    if name not in ("owner", "assigned_to", "next_contact_date", "next_contact_by")
)
ROW_CLEANERS = {name: LEAD_FIELDS[name] for name in IMPORTED_FIELDS}
#: What a merged row may change on a known lead: the fields a repeated capture may.
MERGED_FIELDS = RECAPTURE_FIELDS
DEFAULT_STATUS: str = LeadStatus.LEAD.value
DEFAULT_SOURCE: str = LeadSource.IMPORT.value


@dataclass
class RowProblem:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    merged: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def skip(self, line: int, error: ValidationError) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_REPORTED:
            for name, messages in error.errors.items():
                self.problems.append(RowProblem(line, name, " ".join(messages)))


def clean_row(values: dict[str, str]) -> dict[str, Any]:
    """A row's lead fields, validated; raises :class:`ValidationError` naming the field."""
    given = {name: value for name, value in values.items() if value.strip()}
    first, last = given.pop("first_name", ""), given.pop("last_name", "")
    if "lead_name" not in given and (first or last):
        given["lead_name"] = f"{first.strip()} {last.strip()}".strip()
    mobile = given.pop("mobile_no", "")
    if "phone" not in given and mobile:
        given["phone"] = mobile
    row = fields.clean(given, ROW_CLEANERS)
    if not row.get("email"):
        raise ValidationError.single("email", gettext("Every row needs an email."))
    if not row.get("lead_name") and not row.get("company_name"):
        raise ValidationError.single(
            "lead_name", gettext("Give a person's name or a company name.")
        )
    if row.get("is_organization") and not row.get("company_name"):
        raise ValidationError.single(
            "company_name", gettext("An organization lead needs a company name.")
        )
    if not row.get("lead_name"):
        row["is_organization"] = True
    return row


def import_leads(
    session: DBSession, sheet: Sheet, *, filename: str, by: str | None = None
) -> ImportReport:
    """Import every row of ``sheet``; the caller commits (or rolls back on an error)."""
    report = ImportReport(ignored_columns=sheet.ignored)
    created_ids = array("q")  # 8 bytes a lead: the only thing that grows with the file
    merged_ids: set[int] = set()
    rows = iter(sheet.rows)
    while True:
        # A row's first line and its values apart, by email: a tuple holding a dict stays
        # in the garbage collector's sight, and a thousand of them a chunk, kept until it
        # is written, would make it sweep the whole process over and over.
        lines: dict[str, int] = {}
        pending: dict[str, dict[str, Any]] = {}
        read = report.rows
        for line, values in islice(rows, CHUNK):
            report.rows += 1
            try:
                row = clean_row(values)
            except ValidationError as error:
                report.skip(line, error)
                continue
            email = row["email"]
            earlier = pending.get(email)
            if earlier is None:
                lines[email] = line
            else:  # the lead is the first line's, filled in by this one
                report.merged += 1
                row = {**earlier, **row}
            pending[email] = row
        if report.rows == read:
            break
        created, merged = _write_chunk(session, pending, lines, filename=filename, by=by)
        created_ids.extend(created)
        merged_ids.update(merged)
        report.created += len(created)
        report.merged += len(merged)
    if created_ids or merged_ids:
        send_on_commit(
            session,
            signals.leads_imported,
            created_ids=created_ids,
            merged_ids=sorted(merged_ids),
            filename=filename,
        )
    return report


def _write_chunk(
    session: DBSession,
    pending: dict[str, dict[str, Any]],
    lines: dict[str, int],
    *,
    filename: str,
    by: str | None,
) -> tuple[list[int], list[int]]:
    if not pending:
        return [], []
    now = utcnow()
    known = _known(session, list(pending))
    fresh = [email for email in pending if email not in known]
    inserted = insert_named_leads(session, [_new_lead(pending[e], by) for e in fresh], now=now)
    created = {email: lead_id for lead_id, email in inserted}
    lost_races = [email for email in fresh if email not in created]
    if lost_races:  # made meanwhile by a concurrent capture: merge into those
        known.update(_known(session, lost_races))
    merged = {email: known[email] for email in pending if email in known}
    _merge(session, {known[e]: pending[e] for e in merged}, now)
    file = filename[:100]
    if created:
        execute(
            session,
            _created_history(session.get_bind().dialect.name),
            [
                {"lead_id": i, "line": lines[e], "status": pending[e]["status"]}
                for e, i in created.items()
            ],
            tuple(CREATED_HISTORY),
            file=file,
            kind=HistoryKind.SYSTEM.value,
            event=SystemEvent.CREATED.value,
            created_at=now,
            created_by=by,
        )
    history = cast(Table, HistoryEntry.__table__)
    entries = [
        e
        for email, i in merged.items()
        for e in _merged_entries(i, file, lines[email], pending[email])
    ]
    insert_rows(session, history, entries, created_at=now, created_by=by)
    return list(created.values()), list(merged.values())


def _known(session: DBSession, emails: list[str]) -> dict[str, int]:
    """The ids of the leads of these emails that exist."""
    dialect = session.get_bind().dialect.name
    connection = core(session)
    emails_json = json.dumps(emails)
    if dialect != "postgresql":
        return dict(connection.execute(_known_statement(dialect), {"emails": emails_json}).all())
    # The lookup runs once per chunk. After a few runs psycopg prepares it and PostgreSQL
    # may settle on a generic plan costed from the table's statistics, which cannot
    # count the rows this transaction has added: it would then scan a table the import
    # has grown. So it is planned each time for its values; only it: every statement
    # planned so (the foreign-key checks of each row written among them) cost the
    # import a third of its time.
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    known = dict(connection.execute(_known_statement(dialect), {"emails": emails_json}).all())
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = DEFAULT")
    return known


@functools.cache
def _known_statement(dialect: str) -> Any:
    return select(Lead.email, Lead.id).where(Lead.email.in_(json_values(dialect, "emails")))


def _new_lead(row: dict[str, Any], by: str | None) -> dict[str, Any]:
    """A new row made the values of its lead: its status and source defaulted, its
    owner the importing user."""
    row["status"] = row.get("status") or DEFAULT_STATUS
    row["source"] = row.get("source") or DEFAULT_SOURCE
    row["is_organization"] = bool(row.get("is_organization"))
    row["owner"] = by
    return row


def _merge(session: DBSession, rows: dict[int, dict[str, Any]], now: datetime) -> None:
    """Fill in or replace the merged fields a row gives, in one executemany UPDATE."""
    if not rows:
        return
    table = cast(Table, Lead.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("lead_id"))
        .values(
            {
                **{
                    name: func.coalesce(bindparam(f"new_{name}"), table.c[name])
                    for name in MERGED_FIELDS
                },
                "updated_at": now,
            }
        )
    )
    session.execute(
        statement,
        [
            {"lead_id": lead_id, **{f"new_{name}": row.get(name) for name in MERGED_FIELDS}}
            for lead_id, row in rows.items()
        ],
    )


#: What the history entry of a lead made by an import is written from, a row a lead.
CREATED_HISTORY = {"lead_id": Integer(), "line": Integer(), "status": String()}


@functools.cache
def _created_history(dialect: str) -> Any:
    """Each new lead's history entry, "Lead imported from FILE, line N; status S" with
    those three as its data, composed by the database from :data:`CREATED_HISTORY` rows:
    a few bytes of JSON a lead instead of the entry."""
    table = cast(Table, HistoryEntry.__table__)
    given = json_rows(dialect, CREATED_HISTORY)
    file = shared("file", String())
    line, status = given.c.line, given.c.status
    subject = (  # history.IMPORTED's words, which the back office reads back
        literal("Lead imported from ", String())
        + file
        + literal(", line ", String())
        + sa_cast(line, String())
        + literal("; status ", String())
        + status
    )
    data = (func.json_build_object if dialect == "postgresql" else func.json_object)(
        "file", file, "line", line, "status", status
    )
    common = ("kind", "event", "created_at", "created_by")
    return insert(table).from_select(
        ["lead_id", "subject", "data", *common],
        select(given.c.lead_id, subject, data, *(constant(table, n) for n in common)).order_by(
            given.c[POSITION]
        ),
    )


def _merged_entries(
    lead_id: int, file: str, line: int, row: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    yield {
        "lead_id": lead_id,
        "kind": HistoryKind.SYSTEM.value,
        "event": SystemEvent.CAPTURED_AGAIN.value,
        "subject": history.UPDATED_FROM % {"file": file, "line": line},
        "data": {"file": file, "line": line},
    }
    if row.get("notes"):
        yield {
            "lead_id": lead_id,
            "kind": HistoryKind.NOTE.value,
            "subject": row["notes"][:120],
            "body": row["notes"],
        }
