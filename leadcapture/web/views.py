from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for

from .. import signals
from ..addresses import add_address, address_of_web_user, addresses_of_web_user, update_address
from ..errors import ValidationError
from ..events.receivers import kind_of
from ..events.store import handle_waiting
from ..leads import find_by_web_user, register_web_user
from ..models import Address, Lead
from ..transactions import current_session, in_transaction
from ..webuser import WebUser, signed_in
from . import bp
from .access import unauthorized
from .forms import AddressForm, show_errors
from .ids import ID


def _lead_of(user: WebUser) -> Lead:
    """The shopper's lead. A sign-up a background worker has not handled yet is handled
    here and now; a shop account older than the plug-in gets a lead now."""
    session = current_session()
    lead = find_by_web_user(session, user.id)
    if lead is None and user.email:
        signed_up = kind_of(signals.user_registered)
        handle_waiting(
            session,
            kind=signed_up,
            email=user.email,
            max_attempts=int(current_app.config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"]),
        )
        lead = find_by_web_user(session, user.id)
    if lead is None:
        in_transaction(
            session,
            lambda: register_web_user(
                session, user_id=user.id, email=user.email, full_name=user.full_name or user.email
            ),
        )
        lead = find_by_web_user(session, user.id)
    assert lead is not None
    return lead


@bp.route("/addresses/")
def addresses() -> Any:
    user = signed_in()
    if user is None:
        return unauthorized()
    return render_template(
        "leadcapture/portal/addresses.html",
        addresses=addresses_of_web_user(current_session(), user.id),
    )


def _save(form: AddressForm, work: Callable[[], Address]) -> Any:
    """Run the domain's save in one transaction; its refusals go onto the form."""
    try:
        address = in_transaction(current_session(), work)
    except ValidationError as exc:
        show_errors(form, exc)
        return None
    flash(f"Address {address.name} saved.", "success")
    return redirect(url_for(".addresses"))


@bp.route("/addresses/new", methods=["GET", "POST"])
def new_address() -> Any:
    user = signed_in()
    if user is None:
        return unauthorized()
    form = AddressForm()
    if form.validate_on_submit():
        lead = _lead_of(user)
        saved = _save(
            form, lambda: add_address(current_session(), lead, form.address_data(), by=user.id)
        )
        if saved is not None:
            return saved
    return render_template("leadcapture/portal/address_form.html", form=form, address=None)


@bp.route(f"/addresses/<{ID}:address_id>/edit", methods=["GET", "POST"])
def edit_address(address_id: int) -> Any:
    user = signed_in()
    if user is None:
        return unauthorized()
    session = current_session()
    address = address_of_web_user(session, user.id, address_id)
    if address is None:
        abort(404)
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        saved = _save(
            form, lambda: update_address(session, address, form.address_data(), by=user.id)
        )
        if saved is not None:
            return saved
    return render_template("leadcapture/portal/address_form.html", form=form, address=address)
