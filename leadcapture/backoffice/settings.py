"""The back office's settings: what the owner changes, API tokens, assignment rules."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from sqlalchemy import select

from ..apitokens import create_token, revoke_token, tokens_of
from ..assignment import add_rule
from ..assignment import toggle_rule as toggle
from ..errors import ValidationError
from ..i18n import gettext
from ..models import AssignmentRule
from ..owner_settings import SETTINGS, checked, effective, save, saved_by
from ..sources import offered
from ..transactions import current_session, in_transaction
from ..web.forms import show_errors
from ..web.ids import ID
from . import bp
from .forms import (
    OwnerSettingsForm,
    RuleForm,
    SweepForm,
    TokenForm,
)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> Any:
    """The signed-in staff user's API tokens: make one (shown once) or revoke one."""
    session = current_session()
    user_id = g.leadcapture_staff.id
    form = TokenForm()
    plain = None
    if form.validate_on_submit():
        _, plain = in_transaction(
            session, lambda: create_token(session, user_id=user_id, name=form.name.data)
        )
        form = TokenForm(formdata=None)
    return render_template(
        "leadcapture/backoffice/tokens.html",
        form=form,
        plain=plain,
        tokens=tokens_of(session, user_id),
        revoke_form=SweepForm(),
    )


@bp.route(f"/tokens/<{ID}:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> Any:
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    token = in_transaction(
        session, lambda: revoke_token(session, user_id=g.leadcapture_staff.id, token_id=token_id)
    )
    if token is None:
        abort(404)
    flash(gettext("Token %(name)s revoked.", name=token.name), "success")
    return redirect(url_for(".tokens"))


@bp.route("/assignment", methods=["GET", "POST"])
def assignment() -> Any:
    """Assignment rules: round-robin among staff, for one source or for any."""
    session = current_session()
    form = RuleForm()
    status = 200
    if form.validate_on_submit():
        try:
            in_transaction(session, lambda: add_rule(session, form.data))
        except ValidationError as error:
            show_errors(form, error)
            status = 400
        else:
            flash(gettext("Rule added."), "success")
            return redirect(url_for(".assignment"))
    elif form.is_submitted():
        status = 400
    rules = session.scalars(select(AssignmentRule).order_by(AssignmentRule.id))
    return render_template(
        "leadcapture/backoffice/assignment.html",
        form=form,
        rules=list(rules),
        sources=offered(),
    ), status


@bp.route(f"/assignment/<{ID}:rule_id>/toggle", methods=["POST"])
def toggle_rule(rule_id: int) -> Any:
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    if in_transaction(session, lambda: toggle(session, rule_id)) is None:
        abort(404)
    return redirect(url_for(".assignment"))


@bp.route("/settings", methods=["GET", "POST"])
def owner_settings() -> Any:
    """What the owner changes without a deploy; each starts as the config's value."""
    session = current_session()
    form = OwnerSettingsForm(data=effective(session, current_app.config))
    status = 200
    if form.is_submitted():
        form.validate()
        # The values the form could read are checked too, so every wrong one is shown.
        values = {s.key: form[s.key].data for s in SETTINGS if not form[s.key].errors}
        try:
            checked(values)
        except ValidationError as error:
            show_errors(form, error)
        if form.errors:
            status = 400
        else:
            by = g.leadcapture_staff.id
            in_transaction(session, lambda: save(session, values, by=by))
            flash(gettext("Settings saved; the next sweep uses them."), "success")
            return redirect(url_for(".owner_settings"))
    return render_template(
        "leadcapture/backoffice/settings.html",
        form=form,
        settings=SETTINGS,
        saved=saved_by(session),
    ), status
