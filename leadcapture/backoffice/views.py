from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from .. import communications, reports
from ..addresses import add_address, update_address
from ..apitokens import create_token, revoke_token, tokens_of
from ..assignment import add_rule
from ..constants import CartState, LeadSource, LeadStatus
from ..contacts import add_contact, update_contact
from ..conversion import convert_lead
from ..deals import make_opportunity, make_quotation, mark_quotation_lost
from ..errors import ValidationError
from ..followups import calendar_token, due_for, replace_calendar_token
from ..leadlist import Page, search_leads, status_counts
from ..leads import update_lead
from ..models import (
    Address,
    AssignmentRule,
    Contact,
    Lead,
    Opportunity,
    Quotation,
    TrackedCart,
)
from ..models.base import utcnow
from ..sweep import run_sweep
from ..transactions import current_session, in_transaction
from ..validators import HtmlForm, plain_text
from ..web.forms import AddressForm, show_errors
from ..web.ids import ID
from . import bp
from .buttons import SweepForm
from .forms import (
    CommunicationForm,
    ContactForm,
    LeadAddressForm,
    LeadForm,
    LostForm,
    NoteForm,
    OpportunityForm,
    QuotationForm,
)


@bp.route("/")
def leads() -> Any:
    """The lead list: filters, search, sort and cursor pages over the same query as the API."""
    session = current_session()
    params = {k: v for k, v in request.args.items() if v}
    params.setdefault("limit", str(current_app.config["LEADCAPTURE_PAGE_SIZE"]))
    try:
        page = search_leads(session, params)
        problems: dict[str, list[str]] = {}
    except ValidationError as error:
        page, problems = Page(items=[], next_cursor=None), error.errors
    return render_template(
        "leadcapture/backoffice/leads.html",
        leads=page.items,
        next_cursor=page.next_cursor,
        params=params,
        problems=problems,
        counts=status_counts(session),
        statuses=list(LeadStatus),
        sources=list(LeadSource),
        sorts=[
            ("-created_at", "Newest"),
            ("created_at", "Oldest"),
            ("lead_name", "Name A–Z"),
            ("-lead_name", "Name Z–A"),
            ("-updated_at", "Recently changed"),
        ],
    )


def _lead_or_404(lead_id: int) -> Lead:
    found = current_session().get(Lead, lead_id)
    if found is None:
        abort(404)
    return found


def _lead_page(lead: Lead, **forms: Any) -> Any:
    forms.setdefault("form", LeadForm(obj=lead, formdata=None))
    forms.setdefault("note_form", NoteForm(formdata=None))
    forms.setdefault("communication_form", CommunicationForm(formdata=None))
    forms.setdefault("contact_form", ContactForm(formdata=None))
    forms.setdefault("address_form", LeadAddressForm(formdata=None))
    forms.setdefault("convert_form", SweepForm(formdata=None))
    forms.setdefault("opportunity_form", OpportunityForm(formdata=None))
    forms.setdefault("quotation_form", QuotationForm(formdata=None))
    forms.setdefault("lost_form", LostForm(formdata=None))
    session = current_session()
    carts = list(
        session.scalars(
            select(TrackedCart)
            .where(TrackedCart.lead_id == lead.id)
            .order_by(TrackedCart.id.desc())
        )
    )
    forms["quotation_form"].cart_id.choices = [SelectChoice("", "— typed total —")] + [
        SelectChoice(str(c.id), f"Cart {c.id}: {c.total} {c.currency} ({c.state})") for c in carts
    ]
    return render_template(
        "leadcapture/backoffice/lead.html",
        lead=lead,
        carts=carts,
        opportunities=session.scalars(
            select(Opportunity).where(Opportunity.lead_id == lead.id).order_by(Opportunity.id)
        ).all(),
        quotations=session.scalars(
            select(Quotation).where(Quotation.lead_id == lead.id).order_by(Quotation.id)
        ).all(),
        **forms,
    )


def _save(lead: Lead, form: Any, name: str, work: Any, done: str) -> Any:
    """Validate ``form``, run ``work`` in one transaction, or show the page with errors."""
    if form.validate_on_submit():
        try:
            in_transaction(current_session(), work)
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(done, "success")
            return redirect(url_for(".lead", lead_id=lead.id))
    return _lead_page(lead, **{name: form}), 400


@bp.route(f"/leads/<{ID}:lead_id>", methods=["GET", "POST"])
def lead(lead_id: int) -> Any:
    """A lead: every field editable, status by hand, history, addresses, contacts, carts."""
    found = _lead_or_404(lead_id)
    if request.method == "GET":
        return _lead_page(found)
    form = LeadForm()
    session = current_session()
    return _save(
        found,
        form,
        "form",
        lambda: update_lead(session, found, form.lead_data(), by=g.leadcapture_staff.id),
        "Lead saved.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/notes", methods=["POST"])
def add_note(lead_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = NoteForm()
    session = current_session()
    return _save(
        found,
        form,
        "note_form",
        lambda: communications.add_note(session, found, form.body.data, by=g.leadcapture_staff.id),
        "Note added.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/communications", methods=["POST"])
def log_communication(lead_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = CommunicationForm()
    session = current_session()
    return _save(
        found,
        form,
        "communication_form",
        lambda: communications.log_communication(
            session,
            found,
            medium=form.medium.data,
            direction=form.direction.data,
            subject=form.subject.data,
            body=form.body.data,
            by=g.leadcapture_staff.id,
        ),
        "Logged.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/contacts", methods=["POST"])
def add_contact_view(lead_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = ContactForm()
    session = current_session()
    return _save(
        found,
        form,
        "contact_form",
        lambda: add_contact(session, found, form.data, by=g.leadcapture_staff.id),
        "Contact added.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/addresses", methods=["POST"])
def add_address_view(lead_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = LeadAddressForm()
    session = current_session()
    return _save(
        found,
        form,
        "address_form",
        lambda: add_address(session, found, form.address_data(), by=g.leadcapture_staff.id),
        "Address added.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/opportunities", methods=["POST"])
def add_opportunity(lead_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = OpportunityForm()
    session = current_session()
    return _save(
        found,
        form,
        "opportunity_form",
        lambda: make_opportunity(
            session,
            found,
            title=form.title.data,
            amount=form.amount.data,
            by=g.leadcapture_staff.id,
        ),
        "Opportunity made.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/quotations", methods=["POST"])
def add_quotation(lead_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = QuotationForm()
    session = current_session()
    return _save(
        found,
        form,
        "quotation_form",
        lambda: make_quotation(
            session,
            found,
            cart_id=form.cart_id.data,
            total=form.total.data,
            currency=form.currency.data or "EUR",
            by=g.leadcapture_staff.id,
        ),
        "Quotation made.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/quotations/<{ID}:quotation_id>/lost", methods=["POST"])
def quotation_lost(lead_id: int, quotation_id: int) -> Any:
    found = _lead_or_404(lead_id)
    form = LostForm()
    session = current_session()
    return _save(
        found,
        form,
        "lost_form",
        lambda: mark_quotation_lost(
            session, found, quotation_id, reason=form.reason.data, by=g.leadcapture_staff.id
        ),
        "Quotation marked lost.",
    )


@bp.route(f"/leads/<{ID}:lead_id>/convert", methods=["POST"])
def convert(lead_id: int) -> Any:
    """ "Make → Customer": the same conversion as a checkout."""
    found = _lead_or_404(lead_id)
    form = SweepForm()
    session = current_session()
    return _save(
        found,
        form,
        "convert_form",
        lambda: convert_lead(session, found, by=g.leadcapture_staff.id),
        "Customer made.",
    )


@bp.route("/carts")
def carts() -> Any:
    """Carts the plug-in tracks, newest activity first, with abandoned and recovered value."""
    session = current_session()
    rows = list(
        session.scalars(
            select(TrackedCart)
            .where(TrackedCart.state != CartState.ACTIVE)
            .order_by(TrackedCart.id.desc())
            .limit(current_app.config["LEADCAPTURE_PAGE_SIZE"])
        )
    )
    totals = dict(
        session.execute(
            select(TrackedCart.state, func.coalesce(func.sum(TrackedCart.total), 0)).group_by(
                TrackedCart.state
            )
        ).all()
    )
    recovered = session.scalar(select(func.coalesce(func.sum(TrackedCart.recovered_value), 0)))
    return render_template(
        "leadcapture/backoffice/carts.html",
        carts=rows,
        totals=totals,
        recovered=recovered,
        form=SweepForm(),
        age=lambda cart: _age(cart.abandoned_at),
    )


def _age(since: datetime | None) -> str:
    """How long ago, the way a person says it: 45 min, 5 h, 3 d."""
    if since is None:
        return ""
    minutes = int((utcnow() - since).total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


@bp.route("/carts/sweep", methods=["POST"])
def sweep_now() -> Any:
    """Run a sweep from the browser: the demo needs no cron."""
    if not SweepForm().validate_on_submit():
        abort(400)
    result = run_sweep(current_session())
    flash(
        f"Sweep done: {result.abandoned} cart(s) abandoned, {result.leads_created} new "
        f"lead(s), {result.lost} lost, {result.written} recovery email(s) written; "
        f"{result.sending}.",
        "success",
    )
    return redirect(url_for(".carts"))


class TokenForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100), plain_text()])


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
    flash(f"Token {token.name} revoked.", "success")
    return redirect(url_for(".tokens"))


@bp.route("/today")
def today() -> Any:
    """The signed-in staff user's follow-ups due today or overdue, and their calendar feed."""
    user_id = g.leadcapture_staff.id
    session = current_session()
    return render_template(
        "leadcapture/backoffice/today.html",
        leads=due_for(session, user_id, today=date.today()),
        today=date.today(),
        feed_url=url_for(
            "leadcapture_links.calendar", token=calendar_token(session, user_id), _external=True
        ),
        replace_form=SweepForm(),
    )


@bp.route("/today/calendar", methods=["POST"])
def replace_calendar() -> Any:
    """A new secret calendar-feed URL; the old one stops working."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    user_id = g.leadcapture_staff.id
    in_transaction(session, lambda: replace_calendar_token(session, user_id))
    flash("Your calendar feed has a new address; the old one no longer works.", "success")
    return redirect(url_for(".today"))


class RuleForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    source = StringField("Source (empty: any)", validators=[Length(max=40)])
    users = StringField(
        "Staff user ids, comma-separated", validators=[DataRequired(), Length(max=2000)]
    )


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
            flash("Rule added.", "success")
            return redirect(url_for(".assignment"))
    elif form.is_submitted():
        status = 400
    rules = session.scalars(select(AssignmentRule).order_by(AssignmentRule.id))
    return render_template(
        "leadcapture/backoffice/assignment.html",
        form=form,
        rules=list(rules),
        sources=list(LeadSource),
    ), status


@bp.route(f"/assignment/<{ID}:rule_id>/toggle", methods=["POST"])
def toggle_rule(rule_id: int) -> Any:
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    rule = session.get(AssignmentRule, rule_id)
    if rule is None:
        abort(404)
    rule.active = not rule.active
    session.commit()
    return redirect(url_for(".assignment"))


@bp.route("/dashboard")
def dashboard() -> Any:
    """The funnel, leads by source over time, and conversion by source, as SVG charts."""
    session = current_session()
    weeks, by_source = reports.leads_by_source(session)
    return render_template(
        "leadcapture/backoffice/dashboard.html",
        funnel=reports.funnel(session),
        weeks=weeks,
        by_source=by_source,
        week_totals=[sum(column) for column in zip(*by_source.values(), strict=True)]
        if by_source
        else [0] * len(weeks),
        conversion=reports.conversion_by_source(session),
        dead_events=reports.dead_events(session),
        palette=["#2d5a27", "#c2703d", "#3d7ec2", "#9b3dc2", "#c23d5a", "#7a7a2d", "#2d7a7a"],
    )


@bp.route(f"/addresses/<{ID}:address_id>", methods=["GET", "POST"])
def edit_address(address_id: int) -> Any:
    session = current_session()
    address = session.get(Address, address_id)
    if address is None:
        abort(404)
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        try:
            in_transaction(
                session,
                lambda: update_address(
                    session, address, form.address_data(), by=g.leadcapture_staff.id
                ),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Address {address.name} saved.", "success")
            return redirect(
                url_for(".lead", lead_id=address.lead_id) if address.lead_id else url_for(".leads")
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "leadcapture/backoffice/edit.html", form=form, title=f"Address {address.name}"
    ), status


@bp.route(f"/contacts/<{ID}:contact_id>", methods=["GET", "POST"])
def edit_contact(contact_id: int) -> Any:
    session = current_session()
    contact = session.get(Contact, contact_id)
    if contact is None:
        abort(404)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            in_transaction(
                session,
                lambda: update_contact(session, contact, form.data, by=g.leadcapture_staff.id),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Contact {contact.full_name} saved.", "success")
            return redirect(
                url_for(".lead", lead_id=contact.lead_id) if contact.lead_id else url_for(".leads")
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "leadcapture/backoffice/edit.html", form=form, title=f"Contact {contact.full_name}"
    ), status
