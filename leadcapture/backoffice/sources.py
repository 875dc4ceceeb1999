"""The Sources page: the built-in lead sources, and those the owner adds, renames and
retires."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..errors import ValidationError
from ..i18n import gettext
from ..models import Lead
from ..sources import add_source, every_source, rename_source, retire_source
from ..transactions import current_session, in_transaction
from ..web.forms import show_errors
from . import bp
from .forms import SourceForm, SweepForm


@bp.route("/sources", methods=["GET", "POST"])
def sources() -> Any:
    session = current_session()
    form = SourceForm()
    status = 200
    if form.validate_on_submit():
        by = g.leadcapture_staff.id
        try:
            in_transaction(session, lambda: add_source(session, form.name.data, by=by))
        except ValidationError as error:
            show_errors(form, error)
            status = 400
        else:
            flash(gettext("Source %(name)s added.", name=form.name.data), "success")
            return redirect(url_for(".sources"))
    elif form.is_submitted():
        status = 400
    counted = select(Lead.source, func.count()).group_by(Lead.source)
    counts = {source: count for source, count in session.execute(counted)}
    return render_template(
        "leadcapture/backoffice/sources.html",
        form=form,
        sources=every_source(),
        counts=counts,
        button=SweepForm(),
        rename_form=SourceForm(formdata=None),
    ), status


@bp.route("/sources/rename", methods=["POST"])
def rename() -> Any:
    """Rename an owner's source: its leads and assignment rules follow."""
    form = SourceForm()
    if not form.validate_on_submit():
        abort(400)
    session = current_session()
    old = request.form.get("source")
    try:
        in_transaction(session, lambda: rename_source(session, old, form.name.data))
    except ValidationError as error:
        for field, messages in error.errors.items():
            flash(f"{field}: {' '.join(messages)}", "error")
    except LookupError:
        abort(404)
    else:
        flash(gettext("%(old)s is now %(new)s.", old=old, new=form.name.data), "success")
    return redirect(url_for(".sources"))


@bp.route("/sources/retire", methods=["POST"])
def retire() -> Any:
    """Retire an owner's source (no new lead takes it), or bring it back."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    name, back = request.form.get("source"), request.form.get("active") == "1"
    try:
        in_transaction(session, lambda: retire_source(session, name, active=back))
    except ValidationError as error:
        for field, messages in error.errors.items():
            flash(f"{field}: {' '.join(messages)}", "error")
    except LookupError:
        abort(404)
    return redirect(url_for(".sources"))
