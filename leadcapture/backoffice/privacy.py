"""The Data requests page: export or erase everything held about an email, and the log
of erasures."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from ..errors import ValidationError
from ..i18n import gettext
from ..models import Erasure
from ..personal_data import email_digest, erase_person, export_person, holdings
from ..transactions import current_session, in_transaction
from ..web.forms import show_errors
from ..web.privacy import download
from . import bp
from .forms import PersonForm


@bp.route("/privacy", methods=["GET", "POST"])
def privacy() -> Any:
    session = current_session()
    form = PersonForm()
    status = 200
    if form.validate_on_submit():
        try:
            held = holdings(session, form.email.data)
            if "erase" in request.form:
                if not form.confirm.data:
                    raise ValidationError.single("confirm", gettext("Tick the box to erase."))
                by = g.leadcapture_staff.id
                in_transaction(session, lambda: erase_person(session, held.email, requested_by=by))
                flash(
                    gettext("Everything held about %(email)s is erased.", email=held.email),
                    "success",
                )
                return redirect(url_for(".privacy"))
            if held.is_empty():
                erased = _erased_on(held.email)
                raise ValidationError.single(
                    "email",
                    gettext("Nothing is held about this email%(erased)s.", erased=erased),
                )
            return download(
                export_person(session, held.email),
                f"personal-data-{email_digest(held.email)[:8]}.json",
            )
        except ValidationError as error:
            show_errors(form, error)
            status = 400
    elif form.is_submitted():
        status = 400
    erasures = session.scalars(
        select(Erasure)
        .order_by(Erasure.id.desc())
        .limit(current_app.config["LEADCAPTURE_PAGE_SIZE"])
    )
    return render_template(
        "leadcapture/backoffice/privacy.html", form=form, erasures=list(erasures)
    ), status


def _erased_on(email: str) -> str:
    """`` (erased on …)`` if the log names this address, else nothing."""
    when = current_session().scalar(
        select(Erasure.erased_at)
        .where(Erasure.email_digest == email_digest(email))
        .order_by(Erasure.id.desc())
    )
    return gettext(" (its data was erased on %(day)s)", day=f"{when:%Y-%m-%d}") if when else ""
