"""The lead list: filters, search, sort and keyset (cursor) pages, never OFFSET."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import String, func, literal, literal_column, select, tuple_

from . import fields, followups
from .constants import MAX_ID, LeadStatus
from .errors import ValidationError
from .i18n import gettext
from .leads import update_lead
from .models import Lead
from .sources import known_source
from .transactions import DBSession

#: Sort keys the list accepts; ``-`` sorts descending. The id breaks ties.
SORTS = {
    "created_at": Lead.created_at,
    "lead_name": func.coalesce(Lead.lead_name, ""),
    "updated_at": Lead.updated_at,
    # Unscored leads are at 0: last when the highest come first (index lc0016).
    "score": Lead.score,
}
DATETIME_SORTS = {"created_at", "updated_at"}
NUMBER_SORTS = {"score"}


def searched_text(*columns: Any) -> Any:
    """``lower(a || ' ' || b || …)``, each column ``''`` when null, as literal SQL: the
    expression a migration's trigram index holds (lc0008, lc0024) must read the same."""
    blank, space = literal_column("''", String), literal_column("' '", String)
    joined: Any = func.coalesce(columns[0], blank)
    for column in columns[1:]:
        joined = joined.concat(space).concat(func.coalesce(column, blank))
    return func.lower(joined)


#: What the search looks in: the name, email, company and human id in one text, so one
#: trigram index serves it on PostgreSQL (migration lc0008 holds the same expression).
SEARCH_TEXT = searched_text(Lead.lead_name, Lead.email, Lead.company_name, Lead.name)
MAX_LIMIT = 200
#: The parameters that filter the list (and the export).
FILTERS = frozenset(
    {
        "q",
        "status",
        "source",
        "assigned_to",
        "created_after",
        "created_before",
        "ids",
        "min_score",
        "follow_up",
    }
)
#: The list's "Follow-up" filter: due (today or overdue), on a later day, or none.
FOLLOW_UPS = ("due", "later", "none")
#: The most leads one bulk action or selected export takes.
MOST_SELECTED = 500


@dataclass
class Page:
    items: list[Lead]
    next_cursor: str | None


def _utc(parsed: datetime) -> datetime:
    """An aware time in UTC (a naive one is taken as UTC already); ``ValueError`` for one
    that leaves the calendar on its way to UTC (9999-12-31T23:59-14:00)."""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


def _moment(field: str, value: str | None, *, end_of_day: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if len(value) <= 10:  # a plain date: its start, or its end for "before"
            day = date.fromisoformat(value)
            parsed = datetime.combine(day, time.max if end_of_day else time.min)
        return _utc(parsed)
    except ValueError:
        raise ValidationError.single(
            field, gettext("Must be a date or an ISO 8601 time.")
        ) from None


def encode_cursor(sort: str, lead: Lead) -> str:
    key = sort.lstrip("-")
    value: Any = getattr(lead, key)
    if key == "lead_name":
        value = value or ""
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, lead.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(sort: str, cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, lead_id = json.loads(raw)
        if not isinstance(lead_id, int) or not 0 < lead_id <= MAX_ID:
            raise ValueError
        if sort.lstrip("-") in NUMBER_SORTS:
            if type(value) is not int or not 0 <= value <= 100:
                raise ValueError
            return value, lead_id
        if not isinstance(value, str) or fields.has_control(value, multiline=False):
            raise ValueError
        if sort.lstrip("-") in DATETIME_SORTS:
            return _utc(datetime.fromisoformat(value)), lead_id
    except (
        ValueError,
        TypeError,
        RecursionError,
        binascii.Error,
        json.JSONDecodeError,
        UnicodeDecodeError,
    ):
        raise ValidationError.single(
            "cursor", gettext("Not a cursor this list gave out.")
        ) from None
    return value, lead_id


def lead_filters(params: dict[str, Any]) -> list[Any]:
    """The conditions of the list's filters and search (the keys of :data:`FILTERS`)."""
    conditions: list[Any] = []
    if params.get("status"):
        conditions.append(Lead.status == fields.one_of("status", params["status"], LeadStatus))
    if params.get("source"):
        conditions.append(Lead.source == known_source("source", params["source"]))
    if params.get("assigned_to"):
        assignee = fields.text("assigned_to", params["assigned_to"], max_length=64)
        conditions.append(Lead.assigned_to == assignee)
    after = _moment("created_after", params.get("created_after"))
    before = _moment("created_before", params.get("created_before"), end_of_day=True)
    if after:
        conditions.append(Lead.created_at >= after)
    if before:
        conditions.append(Lead.created_at <= before)
    if params.get("ids"):
        conditions.append(Lead.id.in_(selected_ids(params["ids"])))
    if params.get("min_score") not in (None, ""):
        conditions.append(Lead.score >= _score("min_score", params["min_score"]))
    if params.get("follow_up"):
        which = fields.one_of("follow_up", params["follow_up"], FOLLOW_UPS)
        today = date.today()
        conditions.append(
            followups.is_due(today)
            if which == "due"
            else followups.is_later(today)
            if which == "later"
            else Lead.next_contact_date.is_(None)
        )
    q = fields.text("q", params.get("q"), max_length=200)
    if q:
        conditions.append(containing(SEARCH_TEXT, q))
    return conditions


def containing(text: Any, q: str) -> Any:
    """``text`` (lower case, as :func:`searched_text` makes it) holds ``q`` anywhere,
    whatever ``q``'s case; its ``%``, ``_`` and ``\\`` are themselves."""
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return text.like(f"%{escaped}%", escape="\\")


def _score(field: str, value: Any) -> int:
    try:
        score = int(str(value).strip())
    except ValueError:
        raise ValidationError.single(
            field, gettext("Must be a whole number from 0 to 100.")
        ) from None
    if not 0 <= score <= 100:
        raise ValidationError.single(field, gettext("Must be a whole number from 0 to 100."))
    return score


def selected_ids(value: Any) -> list[int]:
    """Lead ids chosen on the list: a list of them, or one comma-separated string."""
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    try:
        ids = sorted({int(str(item).strip()) for item in items if str(item).strip()})
    except ValueError:
        raise ValidationError.single("ids", gettext("Lead ids are whole numbers.")) from None
    if not ids or len(ids) > MOST_SELECTED or not all(0 < i <= MAX_ID for i in ids):
        raise ValidationError.single(
            "ids", gettext("Choose from 1 to %(most)s leads.", most=MOST_SELECTED)
        )
    return ids


def apply_to_leads(
    session: DBSession,
    ids: Any,
    *,
    status: str | None = None,
    assigned_to: str | None = None,
    next_contact_date: Any = None,
    by: str | None = None,
) -> int:
    """Set the status, the assignee and/or the next follow-up's day of the chosen leads,
    each with its history (:func:`leadcapture.leads.update_lead`, whose rules hold: a
    follow-up not in the past); all or none. Returns how many changed."""
    changes: dict[str, Any] = {}
    if status:
        changes["status"] = status
    if assigned_to:
        changes["assigned_to"] = assigned_to
    if next_contact_date:
        changes["next_contact_date"] = next_contact_date
    if not changes:
        raise ValidationError.single(
            "action", gettext("Choose a status, a staff user to assign or a follow-up day.")
        )
    leads = session.scalars(
        select(Lead).where(Lead.id.in_(selected_ids(ids))).order_by(Lead.id).with_for_update()
    ).all()
    for lead in leads:
        update_lead(session, lead, changes, by=by)
    return len(leads)


def search_leads(session: DBSession, params: dict[str, Any]) -> Page:
    """Leads matching ``params`` (``q``, ``status``, ``source``, ``assigned_to``,
    ``created_after``, ``created_before``, ``sort``, ``limit``, ``cursor``)."""
    unknown = set(params) - FILTERS - {"sort", "limit", "cursor"}
    if unknown:
        raise ValidationError({name: [gettext("Unknown parameter.")] for name in sorted(unknown)})
    sort = params.get("sort") or "-created_at"
    if sort.lstrip("-") not in SORTS:
        raise ValidationError.single(
            "sort", f"Must be one of: {', '.join(SORTS)} (- first for descending)."
        )
    try:
        limit = int(params.get("limit") or 50)
    except ValueError:
        raise ValidationError.single("limit", gettext("Must be a whole number.")) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError.single(
            "limit", gettext("Must be from 1 to %(most)s.", most=MAX_LIMIT)
        )

    query = select(Lead).where(*lead_filters(params))
    key = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    if params.get("cursor"):
        value, lead_id = _decode_cursor(sort, params["cursor"])
        # A row-value comparison: the index on (key, id) seeks straight to the cursor.
        column: Any = key
        here, there = tuple_(key, Lead.id), tuple_(literal(value, column.type), literal(lead_id))
        query = query.where(here < there if descending else here > there)
    order = (key.desc(), Lead.id.desc()) if descending else (key.asc(), Lead.id.asc())
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_cursor=encode_cursor(sort, items[-1]) if more else None)


def status_counts(session: DBSession) -> dict[str, int]:
    counts = dict(session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all())
    return {status.value: int(counts.get(status.value, 0)) for status in LeadStatus}
