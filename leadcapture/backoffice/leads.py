"""The back office's leads: the list, a lead's page and what staff do there."""

from __future__ import annotations

from collections.abc import Callable
from secrets import token_urlsafe
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from .. import communications
from ..addresses import add_address, update_address
from ..cartstates import label
from ..constants import EmailStatus, LeadStatus
from ..contacts import add_contact, update_contact
from ..conversion import convert_lead
from ..deals import make_opportunity, make_quotation, mark_quotation_lost
from ..errors import ValidationError
from ..exporting import export_csv
from ..i18n import N_, gettext
from ..leadlist import Page, apply_to_leads, search_leads, selected_ids, status_counts
from ..leads import lead_name_for, update_lead
from ..mail.outgoing import send_queued
from ..merging import (
    FILLED,
    find_duplicate,
    merge_leads,
    merged_into,
    plan,
    possible_duplicates,
)
from ..models import (
    Address,
    Contact,
    Email,
    Lead,
    Opportunity,
    Quotation,
    TrackedCart,
)
from ..scoring import score_leads
from ..sources import every_source
from ..transactions import current_session, in_transaction
from ..web.forms import AddressForm, show_errors
from ..web.ids import ID
from . import bp
from .forms import (
    CommunicationForm,
    ContactForm,
    EmailForm,
    FollowUpForm,
    LeadAddressForm,
    LeadForm,
    LostForm,
    MergeForm,
    NoteForm,
    OpportunityForm,
    QuotationForm,
    SweepForm,
)
from .overview import finish_as_typed


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
        sources=[name for name, _, _ in every_source()],
        sorts=[
            ("-created_at", N_("Newest")),
            ("created_at", N_("Oldest")),
            ("lead_name", N_("Name A–Z")),
            ("-lead_name", N_("Name Z–A")),
            ("-updated_at", N_("Recently changed")),
            ("-score", N_("Highest score")),
        ],
        bulk_form=SweepForm(),
    )


@bp.route("/leads/score", methods=["POST"])
def score_now() -> Any:
    """Score every lead now rather than at the daily run (the demo has no cron)."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    result = in_transaction(session, lambda: score_leads(session))
    flash(str(result), "success")
    return redirect(url_for(".leads", sort="-score"))


@bp.route("/leads/bulk", methods=["POST"])
def bulk() -> Any:
    """What staff do to the leads ticked on the list: set a status, assign, set the next
    follow-up's day, or export."""
    if not SweepForm().validate_on_submit():
        abort(400)
    session = current_session()
    ids = request.form.getlist("ids")
    try:
        if "merge" in request.form:
            return _compare_two(selected_ids(ids))
        if "export" in request.form:
            chosen = {"ids": selected_ids(ids)}
            return Response(
                stream_with_context(export_csv(session, chosen)),
                mimetype="text/csv",
                headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
            )
        changed = in_transaction(
            session,
            lambda: apply_to_leads(
                session,
                ids,
                status=request.form.get("status") or None,
                assigned_to=request.form.get("assigned_to") or None,
                next_contact_date=request.form.get("next_contact_date") or None,
                by=g.leadcapture_staff.id,
            ),
        )
    except ValidationError as error:
        for field, messages in error.errors.items():
            flash(f"{field}: {' '.join(messages)}", "error")
        return redirect(url_for(".leads"))
    flash(gettext("Leads changed: %(count)s.", count=changed))
    return redirect(url_for(".leads"))


def _compare_two(ids: list[int]) -> Any:
    """Two leads ticked on the list, to merge: the comparison, the older one kept (the
    comparison offers the other way round)."""
    if len(ids) != 2:
        raise ValidationError.single("ids", gettext("Tick two leads to merge them."))
    kept, duplicate = ids
    return redirect(url_for(".merge", lead_id=kept, duplicate=lead_name_for(duplicate)))


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
    forms.setdefault("email_form", EmailForm(formdata=None, data={"key": token_urlsafe(16)}))
    forms.setdefault("merge_form", MergeForm(formdata=None, meta={"csrf": False}))
    forms.setdefault(
        "follow_up_form",
        FollowUpForm(
            prefix=FollowUpForm.prefix_of(lead.id),
            formdata=None,
            data={"due": lead.next_contact_date},
        ),
    )
    session = current_session()
    # Its abandoned carts, and every cart of its web account (the one it ordered, say).
    theirs = TrackedCart.lead_id == lead.id
    if lead.web_user_id is not None:
        theirs = or_(theirs, TrackedCart.user_id == lead.web_user_id)
    carts = list(session.scalars(select(TrackedCart).where(theirs).order_by(TrackedCart.id.desc())))
    forms["quotation_form"].cart_id.choices = [SelectChoice("", gettext("— typed total —"))] + [
        SelectChoice(
            str(c.id),
            gettext(
                "Cart %(id)s: %(total)s %(currency)s (%(state)s)",
                id=c.id,
                total=c.total,
                currency=c.currency,
                state=label(c.state),
            ),
        )
        for c in carts
    ]
    # Staff's emails to it that have not gone yet: on its history only once sent.
    waiting = session.scalars(
        select(Email)
        .where(
            Email.lead_id == lead.id,
            Email.sent_by.is_not(None),
            Email.status.in_([EmailStatus.OUTBOX, EmailStatus.SENDING, EmailStatus.FAILED]),
        )
        .order_by(Email.id)
    ).all()
    return render_template(
        "leadcapture/backoffice/lead.html",
        lead=lead,
        carts=carts,
        waiting_emails=waiting,
        opportunities=session.scalars(
            select(Opportunity).where(Opportunity.lead_id == lead.id).order_by(Opportunity.id)
        ).all(),
        quotations=session.scalars(
            select(Quotation).where(Quotation.lead_id == lead.id).order_by(Quotation.id)
        ).all(),
        duplicates=possible_duplicates(session, lead),
        **forms,
    )


def _save(
    lead: Lead, form: Any, name: str, work: Any, done: str | Callable[[Any], str | None]
) -> Any:
    """Validate ``form``, run ``work`` in one transaction, or show the page with errors.
    ``done`` is what to tell staff, or makes it from what ``work`` returned (None: nothing)."""
    if form.validate_on_submit():
        try:
            result = in_transaction(current_session(), work)
        except ValidationError as error:
            show_errors(form, error)
        else:
            message = done(result) if callable(done) else done
            if message:
                flash(message, "success")
            return redirect(url_for(".lead", lead_id=lead.id))
    return _lead_page(lead, **{name: form}), 400


@bp.route(f"/leads/<{ID}:lead_id>", methods=["GET", "POST"])
def lead(lead_id: int) -> Any:
    """A lead: every field editable, status by hand, history, addresses, contacts, carts.
    A lead merged into another leads to that one."""
    if request.method == "GET" and current_session().get(Lead, lead_id) is None:
        into = merged_into(current_session(), lead_id)
        if into is not None:
            return redirect(url_for(".lead", lead_id=into.id))
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
        gettext("Lead saved."),
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
        gettext("Note added."),
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
        gettext("Logged."),
    )


@bp.route(f"/leads/<{ID}:lead_id>/follow-up/done", methods=["POST"])
def lead_follow_up_done(lead_id: int) -> Any:
    """The lead's follow-up done from its page, as from the Today page."""
    found = _lead_or_404(lead_id)
    form = FollowUpForm(prefix=FollowUpForm.prefix_of(lead_id))
    session = current_session()
    return _save(
        found,
        form,
        "follow_up_form",
        lambda: finish_as_typed(session, found, form),
        form.done_message(found.display_name),
    )


@bp.route(f"/leads/<{ID}:lead_id>/emails", methods=["POST"])
def write_email(lead_id: int) -> Any:
    """A staff user's email to the lead: written to the outbox, then sent at once where an
    SMTP server is set (or handed to the background worker)."""
    found = _lead_or_404(lead_id)
    form = EmailForm()
    session = current_session()
    if form.validate_on_submit():
        try:
            email = in_transaction(
                session,
                lambda: communications.email_lead(
                    session,
                    found,
                    subject=form.subject.data,
                    text=form.text.data,
                    by=g.leadcapture_staff.id,
                    key=form.key.data,
                ),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            address = email.to
            if email.status == EmailStatus.OUTBOX:
                send_queued(session, current_app.config, email.id)
            session.refresh(email)
            flash(
                gettext("Email sent to %(to)s.", to=address)
                if email.status == EmailStatus.SENT
                else gettext(
                    "Email to %(to)s written to the outbox: it is sent from there.", to=address
                ),
                "success",
            )
            return redirect(url_for(".lead", lead_id=found.id))
    return _lead_page(found, email_form=form), 400


#: The rows of the merge's comparison: each field staff know, then the rest it fills.
COMPARED = (
    "lead_name",
    "company_name",
    "email",
    "phone",
    "status",
    "source",
    "assigned_to",
    "next_contact_date",
    "next_contact_by",
    *(name for name in FILLED if name not in ("lead_name", "company_name", "email", "phone")),
    "notes",
)


@bp.route(f"/leads/<{ID}:lead_id>/merge", methods=["GET", "POST"])
def merge(lead_id: int) -> Any:
    """A duplicate merged into this lead: what it would do first (GET, the duplicate
    typed on the lead's page), then the merge (POST, from that page's button)."""
    found = _lead_or_404(lead_id)
    session = current_session()
    if request.method == "GET":
        if "duplicate" not in request.args:  # nothing asked yet: the lead's page
            return _lead_page(found)
        form = MergeForm(formdata=request.args, meta={"csrf": False})
        if form.validate():
            try:
                duplicate = find_duplicate(session, found, form.duplicate.data)
            except ValidationError as error:
                show_errors(form, error)
            else:
                return render_template(
                    "leadcapture/backoffice/merge.html",
                    merge=plan(session, found, duplicate),
                    compared=COMPARED,
                    form=MergeForm(formdata=None, data={"duplicate": str(duplicate.id)}),
                )
        return _lead_page(found, merge_form=form), 400
    form = MergeForm()
    return _save(
        found,
        form,
        "merge_form",
        lambda: merge_leads(session, found, form.duplicate.data, by=g.leadcapture_staff.id),
        lambda done: (
            done and gettext("%(merged)s merged into this lead.", merged=done.duplicate.name)
        ),
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
        gettext("Contact added."),
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
        gettext("Address added."),
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
        gettext("Opportunity made."),
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
        gettext("Quotation made."),
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
        gettext("Quotation marked lost."),
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
        gettext("Customer made."),
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
            flash(gettext("Address %(name)s saved.", name=address.name), "success")
            return redirect(
                url_for(".lead", lead_id=address.lead_id) if address.lead_id else url_for(".leads")
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "leadcapture/backoffice/edit.html",
        form=form,
        title=gettext("Address %(name)s", name=address.name),
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
            flash(gettext("Contact %(name)s saved.", name=contact.full_name), "success")
            return redirect(
                url_for(".lead", lead_id=contact.lead_id) if contact.lead_id else url_for(".leads")
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "leadcapture/backoffice/edit.html",
        form=form,
        title=gettext("Contact %(name)s", name=contact.full_name),
    ), status
