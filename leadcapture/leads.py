"""Capturing and changing leads: the rules of docs/rules.md §1–2."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import String, case, cast, func, literal, select

from . import fields, history, signals
from .assignment import next_assignees
from .attribution import COLUMNS as CAMPAIGN
from .attribution import cleaned
from .constants import (
    MAX_NAME,
    MAX_UTM,
    Gender,
    LeadSource,
    LeadStatus,
    LeadType,
    SystemEvent,
)
from .errors import ValidationError
from .history import record
from .i18n import gettext, language_of
from .models import Lead
from .oncommit import send_on_commit
from .sources import active_source, known_source
from .staff import staff_field
from .status import Trigger, automatic_status
from .transactions import DBSession

NAME_PREFIX = "LEAD-"


def lead_name_for(lead_id: int) -> str:
    """A lead's human id: ``LEAD-00042``."""
    return f"{NAME_PREFIX}{lead_id:05d}"


def lead_name_sql(lead_id: Any, dialect: str) -> Any:
    """:func:`lead_name_for` as SQL, for naming many leads in one statement."""
    padded: Any
    if dialect == "postgresql":
        digits = cast(lead_id, String)
        padded = case((lead_id < 100_000, func.lpad(digits, 5, "0")), else_=digits)
    else:
        padded = func.printf("%05d", lead_id)
    return literal(NAME_PREFIX) + padded


LEAD_FIELDS: dict[str, Any] = {
    "lead_name": partial(fields.text, max_length=MAX_NAME),
    "company_name": partial(fields.text, max_length=MAX_NAME),
    "is_organization": fields.boolean,
    "email": fields.email,
    "phone": fields.phone,
    "gender": partial(fields.choice, allowed=Gender),
    "status": partial(fields.choice, allowed=LeadStatus),
    "source": known_source,
    "lead_type": partial(fields.choice, allowed=LeadType),
    "market_segment": partial(fields.text, max_length=MAX_NAME),
    "industry": partial(fields.text, max_length=MAX_NAME),
    "owner": partial(fields.text, max_length=64),
    "assigned_to": staff_field,
    "next_contact_date": fields.day,
    "next_contact_by": staff_field,
    "notes": partial(fields.text, max_length=20_000, multiline=True),
    **{name: partial(fields.text, max_length=MAX_UTM) for name in CAMPAIGN},
}

#: Fields a repeated capture of the same email may fill in when they are empty.
RECAPTURE_FIELDS = (
    "lead_name",
    "company_name",
    "phone",
    "gender",
    "lead_type",
    "market_segment",
    "industry",
    *CAMPAIGN,
)


def clean_lead_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate lead fields given by any surface; raises :class:`ValidationError`."""
    return fields.clean(data, LEAD_FIELDS)


def keep_valid(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Each value cleaned by its lead field's rule, or left out (``None``) with the
    refusal: for the optional parts of an event whose main part must still go through."""
    kept: dict[str, Any] = {}
    refused: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            kept[name] = LEAD_FIELDS[name](name, value)
        except ValidationError as error:
            kept[name] = None
            refused.update(error.errors)
    return kept, refused


def note_left_out(
    session: DBSession,
    lead: Lead,
    said: str,
    refused: dict[str, list[str]],
    by: str | None,
    **values: Any,
) -> None:
    """Say on the lead's history which parts were left out, and why: ``said`` is the
    line (:data:`history.SIGN_UP_LEFT_OUT`, say), filled with ``values`` and the fields."""
    if refused:
        record(
            session,
            lead=lead,
            event=SystemEvent.PARTS_LEFT_OUT,
            subject=said % {"fields": ", ".join(refused), **values},
            data={"refused": refused},
            by=by,
        )


def check_lead(lead: Lead) -> None:
    """The rules that span fields: who the lead is must be known."""
    if lead.is_organization and not lead.company_name:
        raise ValidationError.single(
            "company_name", gettext("An organization lead needs a company name.")
        )
    if not lead.is_organization and not lead.lead_name and not lead.email:
        raise ValidationError.single(
            "lead_name", gettext("A person lead needs a name or an email.")
        )


def find_by_email(session: DBSession, email: str, *, for_update: bool = False) -> Lead | None:
    normalized = fields.email("email", email)
    query = select(Lead).where(Lead.email == normalized)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def find_by_web_user(session: DBSession, user_id: str, *, for_update: bool = False) -> Lead | None:
    query = select(Lead).where(Lead.web_user_id == str(user_id))
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def set_status(
    session: DBSession, lead: Lead, status: LeadStatus | str, *, by: str | None = None
) -> bool:
    """Set ``status`` (staff may set any value); records and announces a change."""
    new = LeadStatus(fields.one_of("status", status, LeadStatus))
    old = lead.status
    if old == new:
        return False
    lead.status = new
    _announce_status(session, lead, old, new, by=by)
    return True


def _announce_status(
    session: DBSession, lead: Lead, old: str | None, new: LeadStatus, *, by: str | None
) -> None:
    record(session, lead=lead, by=by, **history.status_changed(old, new))
    send_on_commit(
        session,
        signals.lead_status_changed,
        lead=lead,
        old_status=str(old) if old else None,
        new_status=str(new),
    )


def apply_trigger(
    session: DBSession,
    lead: Lead,
    trigger: Trigger,
    *,
    by: str | None = None,
    anonymous: bool = False,
) -> bool:
    """Apply the automatic rule for ``trigger``; returns whether the status changed.
    ``anonymous``: from a source that may not be the lead, which only moves it forward."""
    current = LeadStatus(lead.status) if lead.status else None
    return set_status(session, lead, automatic_status(current, trigger, anonymous=anonymous), by=by)


def _new_lead(
    session: DBSession,
    cleaned: dict[str, Any],
    *,
    source: str,
    trigger: Trigger,
    owner: str | None,
    by: str | None,
) -> Lead:
    cleaned = dict(cleaned)
    status = LeadStatus(cleaned.pop("status", None) or automatic_status(None, trigger))
    lead = Lead(source=str(source), owner=owner, status=status, **cleaned)
    lead.is_organization = bool(lead.is_organization)
    if not lead.assigned_to:
        [lead.assigned_to] = next_assignees(session, str(source))
    check_lead(lead)
    session.add(lead)
    session.flush()
    lead.name = lead_name_for(lead.id)
    record(session, lead=lead, by=by, **history.created(source))
    _announce_status(session, lead, None, status, by=by)
    send_on_commit(session, signals.lead_created, lead=lead)
    return lead


def capture_lead(
    session: DBSession,
    *,
    source: LeadSource | str,
    trigger: Trigger = Trigger.CREATED,
    owner: str | None = None,
    by: str | None = None,
    **data: Any,
) -> tuple[Lead, bool]:
    """Make a lead, or add to the lead that already has this email (in any letter case).

    Returns the lead and whether it is new. The status of a new lead follows ``trigger``
    (``Lead`` for staff, web forms, imports and mail; ``Open`` for a sign-up) unless a
    ``status`` is given. A capture of a known email is not a creation: anyone can type
    anyone's email, so it fills only the lead's empty fields and moves its status only
    forward (``docs/rules.md``, "Anonymous input"); staff change values with
    :func:`update_lead`.
    """
    lead_source = active_source("source", source)
    cleaned = clean_lead_fields(data)
    existing = None
    if cleaned.get("email"):
        existing = find_by_email(session, cleaned["email"], for_update=True)
    if existing is None:
        return _new_lead(
            session, cleaned, source=lead_source, trigger=trigger, owner=owner, by=by
        ), True
    filled = fill_empty(existing, cleaned)
    brought = {
        name: str(cleaned[name])
        for name in RECAPTURE_FIELDS
        if cleaned.get(name) is not None and cleaned[name] != getattr(existing, name)
    }
    record(
        session,
        lead=existing,
        event=SystemEvent.CAPTURED_AGAIN,
        subject=history.CAPTURED_AGAIN % {"source": lead_source},
        data={"filled": filled, "brought": brought} if filled or brought else None,
        by=by,
    )
    apply_trigger(session, existing, trigger, by=by, anonymous=True)
    return existing, False


def fill_empty(lead: Lead, cleaned: dict[str, Any]) -> list[str]:
    """Put the cleaned values into the lead's empty fields only; returns the names filled."""
    filled = []
    for name in RECAPTURE_FIELDS:
        if cleaned.get(name) is not None and getattr(lead, name) in (None, ""):
            setattr(lead, name, cleaned[name])
            filled.append(name)
    return filled


def update_lead(
    session: DBSession, lead: Lead, data: dict[str, Any], *, by: str | None = None
) -> Lead:
    """Change fields by hand; the email stays unique and the status goes through set_status."""
    cleaned = clean_lead_fields(data)
    status = cleaned.pop("status", None)
    if "email" in cleaned and cleaned["email"] and cleaned["email"] != lead.email:
        other = find_by_email(session, cleaned["email"])
        if other is not None and other.id != lead.id:
            raise ValidationError.single("email", gettext("Another lead has this email."))
    contact_date = cleaned.get("next_contact_date")
    if contact_date is not None and contact_date != lead.next_contact_date:
        if contact_date < date.today():
            raise ValidationError.single("next_contact_date", gettext("Must not be in the past."))
    for name, value in cleaned.items():
        setattr(lead, name, value)
    check_lead(lead)
    if status:
        set_status(session, lead, status, by=by)
    return lead


def register_web_user(
    session: DBSession,
    *,
    user_id: str,
    email: str,
    full_name: str,
    phone: str | None = None,
    company_name: str | None = None,
    language: str | None = None,
    attribution: dict[str, Any] | None = None,
) -> Lead:
    """Sign-up: make the web user's lead (``Open``, source Website) or link the existing one.

    Calling it again for the same user changes nothing, so logins may call it freely.
    """
    user_id = fields.text("user_id", str(user_id), max_length=64, required=True) or ""
    linked = find_by_web_user(session, user_id)
    if linked is not None:
        return linked
    kept, refused = keep_valid({"phone": phone, "company_name": company_name})
    lead, created = capture_lead(
        session,
        source=LeadSource.WEBSITE,
        trigger=Trigger.SIGNED_UP,
        owner=user_id,
        by=user_id,
        email=email,
        lead_name=full_name,
        is_organization=bool(kept["company_name"]),
        **kept,
        **cleaned(attribution),
    )
    note_left_out(session, lead, history.SIGN_UP_LEFT_OUT, refused, user_id)
    lead.web_user_id = user_id
    if lead.owner is None:
        lead.owner = user_id
    if lead.language is None:  # a gap filled; a known lead's language stays
        lead.language = language_of(language)
    record(
        session,
        lead=lead,
        event=SystemEvent.SIGNED_UP if created else SystemEvent.LINKED,
        subject=history.SIGNED_UP if created else history.SIGNED_UP_LINKED,
        data={"user_id": user_id},
        by=user_id,
    )
    return lead
