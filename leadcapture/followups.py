"""Follow-ups: the daily reminder, each staff user's "today", and their calendar feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, or_, select, update

from . import fields, history, signals, tokens
from .constants import HistoryKind, LeadStatus, SystemEvent
from .errors import ValidationError
from .i18n import gettext
from .models import CalendarFeed, HistoryEntry, Lead
from .oncommit import send_on_commit
from .status import TARGETS, Trigger
from .transactions import DBSession

CALENDAR = "leadcapture.calendar"
NEVER_REMINDED = (LeadStatus.CONVERTED.value, LeadStatus.DO_NOT_CONTACT.value)
OPEN = TARGETS[Trigger.CONTACT_DATE_REACHED]


def remind(session: DBSession, *, today: date) -> int:
    """Leads whose next contact date has come are set Open, once per date; caller commits.

    The conditional UPDATE claims each lead, so reminder runs on several hosts at once
    still act once. Converted and Do Not Contact leads are never touched.
    """
    due = (
        (Lead.next_contact_date <= today)
        & (Lead.status.not_in(NEVER_REMINDED))
        & ((Lead.reminded_for.is_(None)) | (Lead.reminded_for != Lead.next_contact_date))
    )
    before = {
        row.id: row.status
        for row in session.execute(select(Lead.id, Lead.status).where(due).with_for_update())
    }
    if not before:
        return 0
    claimed = list(
        session.execute(
            update(Lead)
            .where(Lead.id.in_(before), due)
            .values(reminded_for=Lead.next_contact_date, status=OPEN.value)
            .returning(Lead.id, Lead.next_contact_date, Lead.next_contact_by)
            .execution_options(synchronize_session=False)
        )
    )
    now = datetime.now(UTC)
    rows = []
    for row in claimed:
        old = before[row.id]
        rows.append(
            {
                "lead_id": row.id,
                "kind": HistoryKind.SYSTEM.value,
                "event": SystemEvent.STATUS_CHANGED.value,
                "created_at": now,
                "subject": _follow_up_line(row.next_contact_date, row.next_contact_by, old),
                "data": {"old": old, "new": OPEN.value},
            }
        )
    session.execute(insert(HistoryEntry), rows)
    changed = [row.id for row in claimed if before[row.id] != OPEN.value]
    for lead in session.scalars(select(Lead).where(Lead.id.in_(changed))):
        send_on_commit(
            session,
            signals.lead_status_changed,
            lead=lead,
            old_status=before[lead.id],
            new_status=OPEN.value,
        )
    return len(claimed)


def is_due(today: date) -> Any:
    """The leads with a follow-up due today or overdue: the Today page's, the lead list's
    "Follow-up due" (Converted and Do Not Contact leads have none to do)."""
    return (Lead.next_contact_date <= today) & Lead.status.not_in(NEVER_REMINDED)


def is_later(today: date) -> Any:
    """The leads with a follow-up on a later day."""
    return (Lead.next_contact_date > today) & Lead.status.not_in(NEVER_REMINDED)


def is_theirs(user_id: str) -> Any:
    """A staff user's follow-ups: those naming them (``next_contact_by``), and those of
    the leads assigned to them that name nobody."""
    return (Lead.next_contact_by == str(user_id)) | (
        Lead.next_contact_by.is_(None) & (Lead.assigned_to == str(user_id))
    )


def due_for(
    session: DBSession, user_id: str, *, today: date, limit: int | None = None
) -> list[Lead]:
    """A staff user's follow-ups up to today (the most overdue first, and of a day the
    highest scored first; ``limit`` of them), for the "today" view."""
    return list(
        session.scalars(
            select(Lead)
            .where(is_theirs(user_id), is_due(today))
            .order_by(Lead.next_contact_date, Lead.score.desc(), Lead.id)
            .limit(limit)
        )
    )


def coming_for(
    session: DBSession, user_id: str, *, today: date, days: int = 7, limit: int = 50
) -> list[Lead]:
    """A staff user's follow-ups of the next ``days`` days, soonest first."""
    return list(
        session.scalars(
            select(Lead)
            .where(
                is_theirs(user_id),
                is_later(today),
                Lead.next_contact_date <= today + timedelta(days=days),
            )
            .order_by(Lead.next_contact_date, Lead.score.desc(), Lead.id)
            .limit(limit)
        )
    )


def count_due_for(session: DBSession, user_id: str, *, today: date) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Lead).where(is_theirs(user_id), is_due(today))
        )
        or 0
    )


def last_contacts(session: DBSession, lead_ids: list[int]) -> dict[int, HistoryEntry]:
    """Each lead's latest note, call, email or follow-up done, for whoever calls it next:
    one query for the lot (what else the system wrote, a reminder say, tells a caller
    nothing)."""
    if not lead_ids:
        return {}
    said = or_(
        HistoryEntry.kind != HistoryKind.SYSTEM.value,
        HistoryEntry.event == SystemEvent.FOLLOW_UP_DONE.value,
    )
    latest = (
        select(func.max(HistoryEntry.id))
        .where(HistoryEntry.lead_id.in_(lead_ids), said)
        .group_by(HistoryEntry.lead_id)
    )
    entries = session.scalars(select(HistoryEntry).where(HistoryEntry.id.in_(latest)))
    return {entry.lead_id: entry for entry in entries if entry.lead_id is not None}


def finish_follow_up(
    session: DBSession,
    lead: Lead,
    *,
    due: Any,
    next_date: Any = None,
    note: Any = None,
    by: str | None,
    today: date,
) -> HistoryEntry:
    """A follow-up done: a line on the lead's history (with what was said, if given), and
    the next follow-up set, or none. The caller commits.

    ``due`` is the date the staff user saw. The conditional UPDATE claims the follow-up,
    so one done meanwhile by another hand, or moved, is not done again: a double click or
    two staff at once write one line.
    """
    seen = fields.day("due", due)
    if seen is None:
        raise ValidationError.single("due", gettext("Must be the follow-up's date."))
    following = fields.day("next_contact_date", next_date)
    if following is not None and following <= today:
        raise ValidationError.single("next_contact_date", gettext("Must be a day after today."))
    said = fields.text("note", note, max_length=20_000, multiline=True)
    claimed = session.execute(
        update(Lead)
        .where(Lead.id == lead.id, Lead.next_contact_date == seen)
        .values(next_contact_date=following)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise ValidationError.single("due", gettext("This follow-up was done or moved meanwhile."))
    values = {"date": seen, "next": following}
    return history.record(
        session,
        lead=lead,
        event=SystemEvent.FOLLOW_UP_DONE,
        subject=(history.FOLLOW_UP_DONE_NEXT if following else history.FOLLOW_UP_DONE) % values,
        body=said,
        data={"due": seen.isoformat(), "next": following.isoformat() if following else None},
        by=by,
    )


def _feed_version(session: DBSession, user_id: str) -> int:
    feed = session.get(CalendarFeed, str(user_id))
    return feed.version if feed is not None else 1


def calendar_token(session: DBSession, user_id: str) -> str:
    """The secret of the user's calendar-feed URL, as it is now."""
    return tokens.make(CALENDAR, {"user": str(user_id), "v": _feed_version(session, user_id)})


def replace_calendar_token(session: DBSession, user_id: str) -> str:
    """A new feed URL for the user; the old one is dead from now on. The caller commits."""
    feed = session.get(CalendarFeed, str(user_id), with_for_update=True)
    if feed is None:
        feed = CalendarFeed(user_id=str(user_id), version=1)
        session.add(feed)
    feed.version += 1
    session.flush()
    return calendar_token(session, user_id)


def calendar_user(session: DBSession, token: str) -> str:
    """The user whose current feed URL this is; :class:`tokens.TokenError` for a forged
    token or one of a replaced URL. (It does not expire: calendar apps keep it.)"""
    payload = tokens.read(CALENDAR, token, max_age_days=None)
    user = payload.get("user")
    if not isinstance(user, str) or payload.get("v") != _feed_version(session, user):
        raise tokens.TokenError(expired=False)
    return user


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on lines starting with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def calendar_feed(session: DBSession, user_id: str, *, lead_url: Callable[[Lead], str]) -> str:
    """An iCalendar feed: one all-day event per follow-up of this user."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    host = current_app.config["LEADCAPTURE_SHOP_NAME"]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Leadcapture//Follow-ups//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(f'Follow-ups ({host})')}",
    ]
    leads = list(
        session.scalars(
            select(Lead)
            .where(
                is_theirs(user_id),
                Lead.next_contact_date.is_not(None),
                Lead.status.not_in(NEVER_REMINDED),
            )
            .order_by(Lead.next_contact_date)
        )
    )
    said = last_contacts(session, [lead.id for lead in leads])
    for lead in leads:
        day = lead.next_contact_date
        assert day is not None
        summary = f"Follow up {lead.name}: {lead.display_name}"
        contact = " ".join(part for part in (lead.email, lead.phone) if part)
        description = f"{contact} status {lead.status}".strip()
        if (last := said.get(lead.id)) is not None:
            description += f"\nLast said {last.created_at:%Y-%m-%d}: {last.subject}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:lead-{lead.id}-{day:%Y%m%d}@leadcapture",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(description)}",
            f"URL:{lead_url(lead)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _follow_up_line(due: date, by: str | None, old: str) -> str:
    """The history's line for a follow-up that fell due, and the status it opened."""
    values = {"date": due, "by": by, "old": old, "new": OPEN.value}
    if old != OPEN.value:
        said = history.FOLLOW_UP_BY_OPENED if by else history.FOLLOW_UP_OPENED
    else:
        said = history.FOLLOW_UP_BY if by else history.FOLLOW_UP
    return said % values
