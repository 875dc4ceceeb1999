"""One person, two leads: a duplicate merged into the lead that stays (docs/rules.md
§1, "Merging a duplicate").

Everything the duplicate had moves to the lead that stays — its history, addresses,
contacts, carts, opportunities, quotations, emails and customer — and the lead's empty
fields take the duplicate's values; what the lead says stays as it is. The duplicate
is then gone, its id kept in :class:`~leadcapture.models.LeadMerge` so that a link to
it leads to the lead it became part of.

A lead is found by its email, so two leads with two emails are two people to the
plug-in (a cart, a web form, a mail each find their own): they are not merged. Nor are
two shop accounts' leads, or two customers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from sqlalchemy import bindparam, delete, func, or_, select, update

from . import fields, history, signals
from .constants import MAX_ID, LeadStatus, SystemEvent
from .conversion import link_to_customer
from .errors import ValidationError
from .history import record
from .i18n import gettext
from .leads import NAME_PREFIX, set_status
from .models import (
    Address,
    Contact,
    Customer,
    Email,
    HistoryEntry,
    Lead,
    LeadMerge,
    MailMessage,
    Opportunity,
    Quotation,
    TrackedCart,
)
from .oncommit import send_on_commit
from .status import PROGRESS
from .transactions import DBSession

#: The field the duplicate is named by, on every surface.
FIELD = "duplicate"

#: The fields the duplicate fills where the lead that stays has nothing.
FILLED = (
    "lead_name",
    "company_name",
    "email",
    "phone",
    "gender",
    "lead_type",
    "market_segment",
    "industry",
    "owner",
    "web_user_id",
    "assigned_to",
    "language",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
)
#: The follow-up goes whole: a day, whom it names, and whether its reminder was given.
FOLLOW_UP = ("next_contact_date", "next_contact_by", "reminded_for")

#: What moves from the duplicate to the lead that stays, by the name staff read.
MOVED: dict[str, Any] = {
    "history": HistoryEntry,
    "addresses": Address,
    "contacts": Contact,
    "carts": TrackedCart,
    "opportunities": Opportunity,
    "quotations": Quotation,
    "emails": Email,
    "mail": MailMessage,
    "customer": Customer,
}


@dataclass
class Merge:
    """What merging ``duplicate`` into ``lead`` does, before or after it is done."""

    lead: Lead
    duplicate: Lead
    #: The lead's fields that change, with their new values.
    changes: dict[str, Any] = field(default_factory=dict)
    #: How many records of each kind of :data:`MOVED` move.
    moved: dict[str, int] = field(default_factory=dict)


def _typed_id(session: DBSession, typed: Any) -> int:
    """The id of the lead staff name: by its ``LEAD-…`` id, its number or its email."""
    if isinstance(typed, int) and not isinstance(typed, bool):
        typed = str(typed)
    text = fields.text(FIELD, typed, max_length=254, required=True) or ""
    if "@" in text:
        found = session.scalar(
            select(Lead.id).where(Lead.email == fields.email(FIELD, text, required=True))
        )
        if found is None:
            raise ValidationError.single(FIELD, gettext("No lead has this email."))
        return found
    number = text.upper().removeprefix(NAME_PREFIX)
    if not (number.isascii() and number.isdigit()) or not 0 < int(number) <= MAX_ID:
        raise ValidationError.single(
            FIELD, gettext("Give the lead's number (LEAD-00042) or its email.")
        )
    return int(number)


def find_duplicate(session: DBSession, lead: Lead, typed: Any) -> Lead:
    """The lead staff name (:func:`_typed_id`) as the duplicate of ``lead``. Refuses,
    naming :data:`FIELD`, one that is not there or that cannot be merged into ``lead``."""
    duplicate_id = _typed_id(session, typed)
    found = session.get(Lead, duplicate_id)
    if found is None:
        _refuse_merged(session, duplicate_id)
    refuse_unmergeable(lead, found)
    return found


def _refuse_merged(session: DBSession, lead_id: int) -> NoReturn:
    merged = session.get(LeadMerge, lead_id)
    if merged is None:
        raise ValidationError.single(FIELD, gettext("No lead has this number."))
    into = session.get(Lead, merged.into_id)
    raise ValidationError.single(
        FIELD,
        gettext(
            "%(merged)s was merged into %(into)s.",
            merged=merged.name,
            into=into.name if into else merged.into_id,
        ),
    )


def refuse_unmergeable(lead: Lead, duplicate: Lead) -> None:
    """Raise :class:`ValidationError` on :data:`FIELD` when the two cannot be one lead."""
    if duplicate.id == lead.id:
        raise ValidationError.single(FIELD, gettext("That is this lead."))
    if lead.email and duplicate.email:
        raise ValidationError.single(
            FIELD,
            gettext(
                "Both leads have an email (%(email)s and %(other)s): a cart, a web form "
                "or a mail finds each by its own, so they stay two leads.",
                email=lead.email,
                other=duplicate.email,
            ),
        )
    if lead.web_user_id and duplicate.web_user_id:
        raise ValidationError.single(
            FIELD, gettext("Both leads belong to a shop account; each account keeps its lead.")
        )
    if lead.customer is not None and duplicate.customer is not None:
        raise ValidationError.single(
            FIELD,
            gettext(
                "Both leads are customers (%(customer)s and %(other)s).",
                customer=lead.customer.name,
                other=duplicate.customer.name,
            ),
        )


def merged_status(status: str, other: str) -> LeadStatus:
    """The status of the merged lead: the further along of the two; a customer's
    ``Converted`` before ``Do Not Contact``, and that before the rest, so a request to
    hear nothing more is never lost in a merge."""
    statuses = {LeadStatus(status), LeadStatus(other)}
    for settled in (LeadStatus.CONVERTED, LeadStatus.DO_NOT_CONTACT):
        if settled in statuses:
            return settled
    kept, theirs = LeadStatus(status), LeadStatus(other)
    return kept if PROGRESS[kept] >= PROGRESS[theirs] else theirs


def changes_of(lead: Lead, duplicate: Lead) -> dict[str, Any]:
    """The fields of ``lead`` that the merge changes, with their new values: its empty
    ones filled, the duplicate's notes after its own, and the status."""
    changes = {
        name: getattr(duplicate, name)
        for name in FILLED
        if getattr(lead, name) in (None, "") and getattr(duplicate, name) not in (None, "")
    }
    if lead.next_contact_date is None and duplicate.next_contact_date is not None:
        changes.update({name: getattr(duplicate, name) for name in FOLLOW_UP})
    if duplicate.notes:
        changes["notes"] = f"{lead.notes}\n\n{duplicate.notes}" if lead.notes else duplicate.notes
    status = merged_status(lead.status, duplicate.status)
    if status != lead.status:
        changes["status"] = status
    return changes


def _counts(session: DBSession, duplicate_id: int) -> dict[str, int]:
    return {
        kind: session.scalar(
            select(func.count()).select_from(model).where(model.lead_id == duplicate_id)
        )
        or 0
        for kind, model in MOVED.items()
    }


def plan(session: DBSession, lead: Lead, duplicate: Lead) -> Merge:
    """What :func:`merge_leads` would do, for staff to read before they merge."""
    refuse_unmergeable(lead, duplicate)
    return Merge(lead, duplicate, changes_of(lead, duplicate), _counts(session, duplicate.id))


def _lock(session: DBSession, ids: Iterable[int]) -> dict[int, Lead]:
    """Both leads re-read under row locks, taken in id order, so that two merges of the
    same pair (either way round) queue up instead of deadlocking."""
    rows = session.scalars(
        select(Lead)
        .where(Lead.id.in_(sorted(ids)))
        .order_by(Lead.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {lead.id: lead for lead in rows}


@functools.cache
def _moves() -> dict[str, Any]:
    """For each kind of :data:`MOVED` (and the leads merged into the duplicate before),
    the UPDATE that gives the duplicate's rows to the lead: Core statements, set-based,
    built once (the ORM's bulk UPDATE, built each time, cost several times as much)."""
    moves = {
        kind: update(model)
        .where(model.lead_id == bindparam("duplicate"))
        .values(lead_id=bindparam("kept"))
        for kind, model in MOVED.items()
    }
    moves["merged before"] = (
        update(LeadMerge)
        .where(LeadMerge.into_id == bindparam("duplicate"))
        .values(into_id=bindparam("kept"))
    )
    return moves


@functools.cache
def _forget() -> Any:
    return delete(Lead).where(Lead.id == bindparam("duplicate"))


def merge_leads(
    session: DBSession, lead: Lead, duplicate: Any, *, by: str | None = None
) -> Merge | None:
    """Merge the lead staff name as ``duplicate`` (its id, ``LEAD-…`` id or email) into
    ``lead``, in the caller's transaction; returns what was done.

    Done once: a second merge of the same pair (a double click, another staff user at
    the same moment) finds the duplicate gone and returns None, having done nothing; a
    duplicate merged elsewhere meanwhile is refused, naming where it went.
    """
    duplicate_id = _typed_id(session, duplicate)
    locked = _lock(session, (lead.id, duplicate_id))
    if lead.id not in locked:
        raise ValidationError.single(FIELD, gettext("This lead is no longer there."))
    lead = locked[lead.id]
    if duplicate_id not in locked:
        merged = session.get(LeadMerge, duplicate_id)
        if merged is not None and merged.into_id == lead.id:
            return None
        _refuse_merged(session, duplicate_id)
    duplicate = locked[duplicate_id]
    refuse_unmergeable(lead, duplicate)
    done = Merge(lead, duplicate, changes_of(lead, duplicate))
    name, display = duplicate.name, duplicate.display_name
    connection = session.connection()
    ids = {"kept": lead.id, "duplicate": duplicate.id}
    for kind, statement in _moves().items():
        moved = int(connection.execute(statement, ids).rowcount)
        if kind in MOVED:
            done.moved[kind] = moved
    session.expunge(duplicate)
    connection.execute(_forget(), ids)
    # The rows moved under the session's feet: read them afresh from here on.
    session.expire_all()
    session.add(LeadMerge(lead_id=duplicate_id, name=name, into_id=lead.id, merged_by=by))
    status = done.changes.get("status")
    for attribute, value in done.changes.items():
        if attribute != "status":
            setattr(lead, attribute, value)
    session.flush()
    if lead.customer is not None:
        link_to_customer(session, lead.id, lead.customer.id)
    record(
        session,
        lead=lead,
        event=SystemEvent.MERGED,
        subject=history.MERGED % {"merged": name, "name": display},
        data={"merged_id": duplicate_id, "filled": sorted(set(done.changes) - {"status"})},
        by=by,
    )
    if status is not None:
        set_status(session, lead, status, by=by)
    send_on_commit(
        session, signals.lead_merged, lead=lead, merged_id=duplicate_id, merged_name=name
    )
    return done


def possible_duplicates(session: DBSession, lead: Lead, *, most: int = 5) -> list[Lead]:
    """Leads that may be ``lead``'s person again — the same phone, or the same name —
    and that could be merged into it (:func:`refuse_unmergeable`), the oldest first.
    Each arm reads its own index, so a lead's page stays quick among a million leads."""
    alike = []
    if lead.phone:
        alike.append(Lead.phone == lead.phone)
    if lead.lead_name:
        alike.append(Lead.lead_name == lead.lead_name)
    if not alike:
        return []
    query = select(Lead).where(or_(*alike), Lead.id != lead.id)
    if lead.email:
        query = query.where(Lead.email.is_(None))
    if lead.web_user_id:
        query = query.where(Lead.web_user_id.is_(None))
    if lead.customer is not None:
        query = query.where(~Lead.customer.has())
    return list(session.scalars(query.order_by(Lead.id).limit(most)))


def merged_into(session: DBSession, lead_id: int) -> Lead | None:
    """The lead that a merged lead became part of (None: it was not merged)."""
    merged = session.get(LeadMerge, lead_id)
    return session.get(Lead, merged.into_id) if merged is not None else None
