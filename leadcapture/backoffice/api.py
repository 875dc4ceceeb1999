"""The back office's JSON API (``/backoffice/api/``): staff by session or bearer token.

Errors are 4xx with ``{"errors": {"field": ["message", ...]}}``. A browser session must
send its CSRF token in ``X-CSRFToken`` for writes; a bearer token needs none.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, NotFound

from .. import communications, fields, reports, serialize
from ..apitokens import authenticate
from ..constants import CartState, EmailStatus
from ..conversion import convert_lead
from ..customerlist import customer_search
from ..dayranges import report_range
from ..errors import ValidationError
from ..followups import coming_for, count_due_for, due_for, finish_follow_up
from ..i18n import gettext
from ..leadlist import search_leads, status_counts
from ..leads import LEAD_FIELDS, capture_lead, update_lead
from ..mail.outgoing import send_queued
from ..merging import merge_leads, merged_into
from ..models import Customer, Email, Lead, TrackedCart
from ..models.base import utcnow
from ..recovery_report import recovery_report
from ..staff import StaffUser
from ..transactions import current_session, in_transaction
from ..web.access import is_staff
from ..web.ids import ID, MAX_ID
from ..webuser import signed_in
from . import openapi

api = Blueprint(
    "leadcapture_api",
    __name__,
    template_folder=str(Path(__file__).parent.parent / "templates"),
)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def errors(code: int, by_field: dict[str, list[str]]) -> Any:
    return jsonify(errors=by_field), code


@api.before_request
def require_staff() -> Any:
    if request.endpoint == "leadcapture_api.openapi_document":
        return None  # the API's description is public: it holds no data
    extension = current_app.extensions["leadcapture"]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = authenticate(current_session(), header[len("Bearer ") :].strip())
        user = extension.load_user(token.user_id) if token else None
        if token is None or user is None:
            return errors(401, {"authorization": ["The token is unknown or revoked."]})
        if not extension.is_staff(user):
            return errors(403, {"authorization": ["Staff only."]})
        g.leadcapture_staff = StaffUser(token.user_id, extension.display_name(user))
        return None
    web_user = signed_in()
    if web_user is None:
        return errors(401, {"authorization": ["Sign in or send a bearer token."]})
    if not is_staff(web_user):
        return errors(403, {"authorization": ["Staff only."]})
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except Exception:
            return errors(400, {"csrf_token": ["Missing or wrong X-CSRFToken header."]})
    g.leadcapture_staff = web_user
    return None


@api.errorhandler(ValidationError)
def refused(error: ValidationError) -> Any:
    return errors(400, error.errors)


@api.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Any:
    return errors(error.code or 500, {"request": [error.description or error.name]})


# Flask asks handlers registered for a status code (the host's HTML 404 page, say) before
# those registered for a class: the API names its codes too, so it always answers JSON.
for _code in (400, 401, 403, 404, 405, 409, 413, 415, 429, 500):
    api.register_error_handler(_code, http_error)


@api.errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> Any:
    return errors(400, {"csrf_token": [error.description]})


def body(allowed: Collection[str] | None = None) -> dict[str, Any]:
    """The request's JSON object; with ``allowed``, refusing any other field by name."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no JSON object either
        data = None
    if not isinstance(data, dict):
        raise ValidationError.single("body", gettext("Send a JSON object."))
    unknown = sorted(set(data) - set(allowed)) if allowed is not None else []
    if unknown:
        raise ValidationError({name: [gettext("Unknown field.")] for name in unknown})
    return data


def found(lead_id: int) -> Lead:
    lead = current_session().get(Lead, lead_id)
    if lead is None:
        into = merged_into(current_session(), lead_id)
        if into is not None:
            raise NotFound(f"This lead was merged into {into.name} (id {into.id}).")
        raise NotFound("No lead with this id.")
    return lead


@api.get("/openapi.json")
def openapi_document() -> Any:
    """This API as an OpenAPI 3.1 document."""
    base = url_for(".list_leads").removesuffix("/leads")
    return jsonify(openapi.document(base, metadata.version("leadcapture")))


@api.get("/leads")
def list_leads() -> Any:
    session = current_session()
    page = search_leads(session, request.args.to_dict())
    return jsonify(
        items=[serialize.lead(lead) for lead in page.items],
        next_cursor=page.next_cursor,
        counts=status_counts(session),
    )


@api.get(f"/leads/<{ID}:lead_id>")
def lead_detail(lead_id: int) -> Any:
    return jsonify(serialize.lead(found(lead_id), detail=True))


#: What a new lead may be given through the API: its fields, not who made it.
CREATE_FIELDS = ("source", *(name for name in LEAD_FIELDS if name != "owner"))


@api.post("/leads")
def create_lead() -> Any:
    data = body(CREATE_FIELDS)
    values = {name: data[name] for name in CREATE_FIELDS if name in data and name != "source"}
    source: Any = data.get("source", "")
    session = current_session()
    actor = g.leadcapture_staff.id
    lead, created = in_transaction(
        session,
        lambda: capture_lead(session, source=source, owner=actor, by=actor, **values),
    )
    return jsonify(serialize.lead(lead, detail=True)), 201 if created else 200


@api.patch(f"/leads/<{ID}:lead_id>")
def patch_lead(lead_id: int) -> Any:
    data = body()
    session = current_session()
    lead = found(lead_id)
    in_transaction(session, lambda: update_lead(session, lead, data, by=g.leadcapture_staff.id))
    return jsonify(serialize.lead(lead, detail=True))


@api.post(f"/leads/<{ID}:lead_id>/notes")
def add_note(lead_id: int) -> Any:
    data = body()
    session = current_session()
    lead = found(lead_id)
    entry = in_transaction(
        session,
        lambda: communications.add_note(session, lead, data.get("body"), by=g.leadcapture_staff.id),
    )
    return jsonify(serialize.history_entry(entry)), 201


@api.post(f"/leads/<{ID}:lead_id>/emails")
def write_email(lead_id: int) -> Any:
    """A staff user's email to the lead: written to the outbox, sent at once where an SMTP
    server is set. ``key`` makes a repeated request write one email (200 with it)."""
    data = body({"subject", "text", "key"})
    session = current_session()
    lead = found(lead_id)
    known = _email_with_key(data.get("key"))
    email = in_transaction(
        session,
        lambda: communications.email_lead(
            session,
            lead,
            subject=data.get("subject"),
            text=data.get("text"),
            by=g.leadcapture_staff.id,
            key=data.get("key"),
        ),
    )
    if email.status == EmailStatus.OUTBOX:
        send_queued(session, current_app.config, email.id)
    session.refresh(email)
    return jsonify(serialize.written_email(email)), 200 if known else 201


def _email_with_key(key: Any) -> bool:
    """Did a request with ``key`` write an email already?"""
    if not isinstance(key, str):
        return False
    return current_session().scalar(select(Email.id).where(Email.form_key == key)) is not None


@api.post(f"/leads/<{ID}:lead_id>/follow-up/done")
def follow_up_done(lead_id: int) -> Any:
    """The lead's follow-up of ``due`` done, the next on ``next_contact_date`` or none."""
    data = body({"due", "next_contact_date", "note"})
    session = current_session()
    lead = found(lead_id)
    in_transaction(
        session,
        lambda: finish_follow_up(
            session,
            lead,
            due=data.get("due"),
            next_date=data.get("next_contact_date"),
            note=data.get("note"),
            by=g.leadcapture_staff.id,
            today=date.today(),
        ),
    )
    return jsonify(serialize.lead(found(lead_id), detail=True))


@api.post(f"/leads/<{ID}:lead_id>/merge")
def merge(lead_id: int) -> Any:
    """The lead named ``duplicate`` (id, ``LEAD-…`` id or email) merged into this one."""
    data = body({"duplicate"})
    session = current_session()
    lead = found(lead_id)
    in_transaction(
        session,
        lambda: merge_leads(session, lead, data.get("duplicate"), by=g.leadcapture_staff.id),
    )
    return jsonify(serialize.lead(found(lead_id), detail=True))


@api.post(f"/leads/<{ID}:lead_id>/convert")
def convert(lead_id: int) -> Any:
    session = current_session()
    lead = found(lead_id)
    in_transaction(session, lambda: convert_lead(session, lead, by=g.leadcapture_staff.id))
    return jsonify(serialize.lead(found(lead_id), detail=True))


@api.get("/today")
def today() -> Any:
    """The requesting staff user's follow-ups due today or overdue (the Today page's, the
    most overdue first), how many are due, and those of the next 7 days."""
    session = current_session()
    user_id = g.leadcapture_staff.id
    day = date.today()
    return jsonify(
        due=[serialize.lead(lead) for lead in due_for(session, user_id, today=day, limit=200)],
        due_count=count_due_for(session, user_id, today=day),
        coming=[serialize.lead(lead) for lead in coming_for(session, user_id, today=day)],
    )


@api.get("/funnel")
def funnel() -> Any:
    session = current_session()
    weeks, by_source = reports.leads_by_source(session)
    return jsonify(
        funnel=[{"stage": stage, "count": n} for stage, n in reports.funnel(session)],
        leads_by_source={"weeks": [w.isoformat() for w in weeks], "series": by_source},
        conversion_by_source=reports.conversion_by_source(session),
    )


@api.get("/recovery")
def recovery() -> Any:
    """The recovery report for ``from``..``to`` (ISO dates; default the last 30 days),
    in all and email by email, as the Abandoned carts page shows it."""
    start, end = report_range(
        request.args.get("from"), request.args.get("to"), today=utcnow().date()
    )
    return jsonify(serialize.recovery(recovery_report(current_session(), start, end)))


def _keyset(model: Any, limit_default: int = 50) -> tuple[Any, int]:
    """Newest first by id, ``limit`` and ``cursor`` (the last id seen) from the query."""
    try:
        limit = int(request.args.get("limit", limit_default))
        before = int(request.args["cursor"]) if request.args.get("cursor") else None
    except ValueError:
        raise ValidationError.single(
            "limit", gettext("limit and cursor must be whole numbers.")
        ) from None
    if not 1 <= limit <= 200:
        raise ValidationError.single("limit", gettext("Must be from 1 to 200."))
    if before is not None and not 0 < before <= MAX_ID:
        raise ValidationError.single("cursor", gettext("Not a cursor of this list."))
    query = select(model).order_by(model.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(model.id < before)
    return query, limit


def _page(query: Any, limit: int, shape: Any) -> Any:
    rows = list(current_session().scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(
        items=[shape(r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None
    )


@api.get("/carts")
def carts() -> Any:
    """Tracked carts, newest first; ``state`` filters (active, abandoned, recovered, …)."""
    query, limit = _keyset(TrackedCart)
    state = request.args.get("state")
    if state:
        query = query.where(TrackedCart.state == fields.one_of("state", state, CartState))
    return _page(query, limit, serialize.cart)


@api.get("/customers")
def customers() -> Any:
    """Customers, newest first; ``q`` finds them by name, number, lead or contact."""
    query, limit = _keyset(Customer)
    found = customer_search(request.args.get("q"))
    if found is not None:
        query = query.where(found)
    return _page(query, limit, serialize.customer)


@api.get(f"/customers/<{ID}:customer_id>")
def customer(customer_id: int) -> Any:
    found = current_session().get(Customer, customer_id)
    if found is None:
        raise NotFound("No customer with this id.")
    return jsonify(serialize.customer_detail(found))
