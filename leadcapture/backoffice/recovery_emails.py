"""The owner's recovery emails: the steps, each edited with a preview and a test send."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from ..constants import EmailStatus
from ..dayranges import day_bounds, report_range
from ..errors import ValidationError
from ..i18n import gettext, language_name, languages, speaking
from ..mail.outgoing import queue_email, send_queued
from ..models import Lead, RecoveryStep, TrackedCart
from ..models.base import utcnow
from ..recovery import RecoveryEmail, compose
from ..recovery_content import PLACEHOLDERS
from ..recovery_report import figures_by_step
from ..recovery_steps import (
    MAX_STEPS,
    Step,
    add_step,
    check_step,
    current_steps,
    drop_step_text,
    other_languages,
    save_step,
    save_step_text,
    step_of,
)
from ..transactions import current_session, in_transaction
from ..web.forms import show_errors
from . import bp
from .forms import RecoveryStepForm, RecoveryTextForm, SweepForm

#: The preview's page may show the email's inline styles, and nothing may run in it.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def sample_cart() -> tuple[TrackedCart, Lead]:
    """A made-up cart and shopper for previews and test sends; never stored."""
    lines = [
        {"name": "Sample product", "quantity": 2, "unit_price": "12.50"},
        {"name": "Another product", "quantity": 1, "unit_price": "8.00"},
    ]
    cart = TrackedCart(lines=lines, total=Decimal("33.00"), currency="EUR", item_count=3)
    return cart, Lead(lead_name="Alex Sample")


def sample_email(step: Step, language: str | None = None) -> RecoveryEmail:
    """The step on the sample cart, in ``language``: its links lead to the shop, its
    code is made up."""
    cart, lead = sample_cart()
    shop = request.url_root
    code = "SAMPLE-CODE" if step.code else None
    return compose(step, cart, lead, restore=shop, unsubscribe=shop, code=code, language=language)


def _edited_language() -> str | None:
    """The page's ``?language=``: ``None`` for the shop's first language, whose text is
    the step's own; 404 for a language the shop does not speak."""
    language = request.args.get("language")
    if language is None or language == languages()[0]:
        return None
    if language not in other_languages(current_app.config):
        abort(404)
    return language


def _tabs(number: int) -> list[tuple[str, str, str]]:
    """(language, its name as a tab shows it, the editor's address) for each language the
    shop speaks."""
    first = languages()[0]
    return [
        (
            code,
            _heading(language_name(code)),
            url_for(".recovery_email", number=number, language=None if code == first else code),
        )
        for code in languages()
    ]


def _heading(name: str) -> str:
    return name[:1].upper() + name[1:]


def _step_or_404(number: int) -> Step:
    try:
        return step_of(current_steps(current_session(), current_app.config), number)
    except LookupError:
        abort(404)


def _draft(form: RecoveryStepForm, saved: Step) -> Step:
    """The form's step; a field the form could not read keeps the saved value (its own
    error is on the form), so the domain still checks all the others."""

    def read(name: str, default: Any) -> Any:
        field = form[name]
        return default if field.errors or field.data is None else field.data

    return replace(
        saved,
        subject=read("subject", ""),
        body=read("body", ""),
        delay_hours=float(read("delay_hours", saved.delay_hours)),
        code=bool(form.code.data),
        code_percent=int(read("code_percent", 0)),
        active=bool(form.active.data),
    )


def _checked_draft(form: RecoveryStepForm, saved: Step) -> Step | None:
    """The form's step, checked as a save checks it, or ``None`` with every error on the
    form (the form's own and the domain's)."""
    form.validate()
    draft = _draft(form, saved)
    try:
        draft = check_step(current_session(), current_app.config, draft)
    except ValidationError as error:
        show_errors(form, error)
    return None if form.errors else draft


@bp.route("/recovery-emails")
def recovery_emails() -> Any:
    session = current_session()
    steps = current_steps(session, current_app.config)
    kept = session.get(RecoveryStep, steps[0].step) if steps else None
    days = report_range(None, None, today=utcnow().date())
    lately = {f.step: f for f in figures_by_step(session, *day_bounds(*days))}
    return render_template(
        "leadcapture/backoffice/recovery_emails.html",
        steps=steps,
        lately=lately,
        days=days,
        from_config=kept is None,
        can_add=len(steps) < MAX_STEPS,
        form=SweepForm(),
        makes_codes=current_app.extensions["leadcapture"].discount_code is not None,
        language_name=language_name,
    )


@bp.route("/recovery-emails/add", methods=["POST"])
def add_recovery_email() -> Any:
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    try:
        step = in_transaction(
            session, lambda: add_step(session, current_app.config, by=g.leadcapture_staff.id)
        )
    except ValidationError as error:
        flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
        return redirect(url_for(".recovery_emails"))
    flash(
        gettext("Email %(number)s added, turned off: write it, then turn it on.", number=step.step),
        "success",
    )
    return redirect(url_for(".recovery_email", number=step.step))


@bp.route("/recovery-emails/<int:number>", methods=["GET", "POST"])
def recovery_email(number: int) -> Any:
    """Edit one step. "Save" keeps it (and moves waiting carts to the new delays); "Send
    me a test" sends the form's text, saved or not, to the signed-in staff user."""
    saved = _step_or_404(number)
    language = _edited_language()
    if language is not None:
        return _edit_text(saved, language)
    form = RecoveryStepForm(data=saved.columns())
    status = 200
    if form.is_submitted():
        draft = _checked_draft(form, saved)
        if draft is None:
            status = 400
        elif request.form.get("action") == "test":
            return _send_test(draft, number)
        else:
            session = current_session()
            config = current_app.config
            by = g.leadcapture_staff.id
            in_transaction(session, lambda: save_step(session, config, draft, by=by))
            flash(
                gettext(
                    "Email %(number)s saved; carts waiting for it follow the new text.",
                    number=number,
                ),
                "success",
            )
            return redirect(url_for(".recovery_emails"))
    return _editor(form, saved, None), status


def _editor(form: RecoveryStepForm | RecoveryTextForm, step: Step, language: str | None) -> str:
    return render_template(
        "leadcapture/backoffice/recovery_email.html",
        form=form,
        number=step.step,
        step=step,
        language=language,
        tabs=_tabs(step.step),
        own_text=language in step.texts,
        language_label=language_name(language) if language else None,
        first_label=language_name(languages()[0]),
        placeholders=PLACEHOLDERS,
        makes_codes=current_app.extensions["leadcapture"].discount_code is not None,
    )


def _edit_text(saved: Step, language: str) -> Any:
    """The step's own text in one more language: "Save" keeps it, "Use the first
    language's text" drops it, "Send me a test" sends the form's text in that language."""
    number, name = saved.step, language_name(language)
    with speaking(language):
        subject, body = saved.words(language)
    form = RecoveryTextForm(data={"subject": subject, "body": body})
    if not form.is_submitted():
        return _editor(form, saved, language)
    here = url_for(".recovery_email", number=number, language=language)
    action = request.form.get("action")
    if not form.validate() and "csrf_token" in form.errors:
        return _editor(form, saved, language), 400
    session = current_session()
    if action == "drop":
        if in_transaction(session, lambda: drop_step_text(session, number, language)):
            flash(
                gettext(
                    "Email %(number)s in %(language)s follows the %(first)s text again.",
                    number=number,
                    language=name,
                    first=language_name(languages()[0]),
                ),
                "success",
            )
        return redirect(here)
    draft = _checked_text(form, saved, language)
    if draft is None:
        return _editor(form, saved, language), 400
    if action == "test":
        return _send_test(draft, number, language)
    config, by = current_app.config, g.leadcapture_staff.id
    subject, body = draft.texts[language]
    in_transaction(
        session,
        lambda: save_step_text(
            session, config, number, language, subject=subject, body=body, by=by
        ),
    )
    flash(
        gettext("Email %(number)s in %(language)s saved.", number=number, language=name),
        "success",
    )
    return redirect(here)


def _checked_text(form: RecoveryTextForm, saved: Step, language: str) -> Step | None:
    """The step with the form's text in ``language``, checked as a save checks it, or
    ``None`` with every error on the form; writes nothing."""
    form.validate()
    subject, body = form.subject.data or "", form.body.data or ""
    try:
        checked = check_step(
            current_session(), current_app.config, replace(saved, subject=subject, body=body)
        )
    except ValidationError as error:
        show_errors(form, error)
    if form.errors:
        return None
    return replace(saved, texts={**saved.texts, language: (checked.subject, checked.body)})


def _send_test(draft: Step, number: int, language: str | None = None) -> Any:
    staff = g.leadcapture_staff
    if not staff.email:
        flash(gettext("Your account has no email address to send the test to."), "error")
        return redirect(url_for(".recovery_email", number=number, language=language))
    made = sample_email(draft, language)
    session = current_session()
    email = in_transaction(
        session,
        lambda: queue_email(
            session,
            to=staff.email,
            subject=f"[Test] {made.subject}",
            text_body=made.text_body,
            html_body=made.html_body,
        ),
    )
    sent = send_queued(session, current_app.config, email.id)
    where = gettext("sent") if sent == EmailStatus.SENT else gettext("waiting in the outbox")
    flash(
        gettext(
            "A test of email %(number)s to %(address)s: %(where)s.",
            number=number,
            address=staff.email,
            where=where,
        ),
        "success",
    )
    return redirect(url_for(".recovery_email", number=number, language=language))


@bp.route("/recovery-emails/<int:number>/preview", methods=["GET", "POST"])
def preview_recovery_email(number: int) -> Any:
    """The step on a sample cart, HTML and text, in its own page for the editor's frame:
    GET shows what is saved; the editor's Preview button posts the form's text here.
    ``?language=`` shows it in another of the shop's languages."""
    saved = _step_or_404(number)
    language = _edited_language()
    step: Step | None = saved
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and language:
        text_form = RecoveryTextForm()
        step, errors = _checked_text(text_form, saved, language), text_form.errors
    elif request.method == "POST":
        step_form = RecoveryStepForm()
        step, errors = _checked_draft(step_form, saved), step_form.errors
    made = sample_email(step, language) if step is not None else None
    response = make_response(
        render_template(
            "leadcapture/backoffice/recovery_preview.html",
            number=number,
            email=made,
            errors=errors,
        )
    )
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
