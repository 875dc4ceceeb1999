from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..constants import MAX_NAME, MAX_SOURCE, Gender, LeadStatus, LeadType
from ..owner_settings import BY_KEY
from ..sources import offered
from ..validators import HtmlForm, phone_number, plain_text, trimmed
from ..web.forms import AddressForm
from ..webhooks.events import EVENTS


def _choices(values: Any, blank: bool = True) -> list[SelectChoice]:
    options = [SelectChoice(str(v)) for v in values]
    return [SelectChoice("", "—"), *options] if blank else options


class PageForm(HtmlForm):
    """A form that shares its page with others: its fields' ids (and so its labels'
    ``for``) start with ``id_prefix``, so no two fields of the page share an id."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.id_prefix:
            for field in self:
                field.id = field.label.field_id = f"{self.id_prefix}-{field.short_name}"


class LeadForm(HtmlForm):
    """Every field of a lead. The choices are checked by the domain, which names the field
    of a value that is not offered (or missing) the same way for every surface."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = kwargs.get("obj")
        self.source.choices = _choices(offered(getattr(lead, "source", None)))

    lead_name = StringField("Person's name", filters=[trimmed], validators=[Length(max=MAX_NAME)])
    is_organization = BooleanField("An organization")
    company_name = StringField("Company", filters=[trimmed], validators=[Length(max=MAX_NAME)])
    email = StringField("Email", filters=[trimmed], validators=[Length(max=254)])
    phone = StringField("Phone", filters=[trimmed], validators=[Optional(), phone_number()])
    gender = SelectField("Gender", choices=_choices(Gender), validate_choice=False)
    status = SelectField("Status", choices=_choices(LeadStatus, blank=False), validate_choice=False)
    source = SelectField("Source", validate_choice=False)
    lead_type = SelectField("Lead type", choices=_choices(LeadType), validate_choice=False)
    market_segment = StringField(
        "Market segment", filters=[trimmed], validators=[Length(max=MAX_NAME)]
    )
    industry = StringField("Industry", filters=[trimmed], validators=[Length(max=MAX_NAME)])
    assigned_to = StringField("Assigned to", filters=[trimmed], validators=[Length(max=64)])
    next_contact_date = DateField("Next contact date", validators=[Optional()])
    next_contact_by = StringField("Next contact by", filters=[trimmed], validators=[Length(max=64)])
    notes = TextAreaField("Notes", validators=[Length(max=20_000)])

    def lead_data(self) -> dict[str, Any]:
        data = {
            name: self[name].data
            for name in (
                "lead_name",
                "is_organization",
                "company_name",
                "email",
                "phone",
                "gender",
                "status",
                "source",
                "lead_type",
                "market_segment",
                "industry",
                "assigned_to",
                "next_contact_date",
                "next_contact_by",
                "notes",
            )
        }
        if not data["source"]:
            data.pop("source")
        return data


class NoteForm(PageForm):
    id_prefix = "note"

    body = TextAreaField("Note", validators=[DataRequired(), Length(max=20_000)])


class CommunicationForm(PageForm):
    id_prefix = "communication"

    medium = SelectField(
        "What", choices=[SelectChoice("call", "Call"), SelectChoice("email", "Email")]
    )
    direction = SelectField(
        "Direction",
        choices=[
            SelectChoice("sent", "to the lead (sent)"),
            SelectChoice("received", "from the lead (received)"),
        ],
    )
    subject = StringField(
        "Subject", filters=[trimmed], validators=[DataRequired(), Length(max=200)]
    )
    body = TextAreaField("Details", validators=[Optional(), Length(max=20_000)])


class ContactForm(PageForm):
    id_prefix = "contact"

    full_name = StringField(
        "Full name", filters=[trimmed], validators=[DataRequired(), Length(max=MAX_NAME)]
    )
    email = StringField("Email", filters=[trimmed], validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", filters=[trimmed], validators=[Optional(), phone_number()])


class OpportunityForm(PageForm):
    id_prefix = "opportunity"

    title = StringField(
        "Opportunity", filters=[trimmed], validators=[DataRequired(), Length(max=200)]
    )
    amount = StringField("Amount", filters=[trimmed], validators=[Optional(), Length(max=20)])


class QuotationForm(PageForm):
    id_prefix = "quotation"

    cart_id = SelectField(
        "From a cart", choices=[SelectChoice("", "— typed total —")], validate_choice=False
    )
    total = StringField("Total", filters=[trimmed], validators=[Optional(), Length(max=20)])
    currency = StringField(
        "Currency", default="EUR", filters=[trimmed], validators=[Optional(), Length(max=3)]
    )


class LostForm(PageForm):
    id_prefix = "lost"

    reason = StringField("Why lost", filters=[trimmed], validators=[Optional(), Length(max=240)])


class LeadAddressForm(AddressForm, PageForm):
    """The address form on a lead's page."""

    id_prefix = "address"


class SweepForm(HtmlForm):
    """A button that posts nothing but its CSRF token (run a sweep, revoke a token)."""


class TokenForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100), plain_text()])


class RuleForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    source = StringField("Source (empty: any)", validators=[Length(max=40)])
    users = StringField(
        "Staff user ids, comma-separated", validators=[DataRequired(), Length(max=2000)]
    )


class WebhookForm(HtmlForm):
    """An endpoint; the domain checks the address and the events and names what is wrong."""

    url = StringField("Endpoint URL", filters=[trimmed], validators=[Length(max=2000)])
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(name, label) for name, label in EVENTS.items()],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    description = StringField("Description", filters=[trimmed], validators=[Length(max=140)])


class ImportForm(HtmlForm):
    file = FileField("CSV or XLSX file", validators=[FileRequired("Choose a file.")])


class RecoveryStepForm(HtmlForm):
    """One recovery email; the domain (:mod:`leadcapture.recovery_steps`) checks the text,
    the placeholders and the order of the delays."""

    subject = StringField("Subject", filters=[trimmed])
    body = TextAreaField("Text")
    delay_hours = FloatField("Hours after the cart was abandoned", validators=[InputRequired()])
    code = BooleanField("A discount code in this email")
    code_percent = IntegerField("Discount (%)", validators=[Optional()])
    active = BooleanField("Send this email")


class RecoveryTextForm(HtmlForm):
    """A recovery email's own text in one more language; the step keeps the rest."""

    subject = StringField("Subject", filters=[trimmed])
    body = TextAreaField("Text")


class OwnerSettingsForm(HtmlForm):
    """The settings page; labels and limits are :data:`leadcapture.owner_settings.SETTINGS`'."""

    abandoned_after_minutes = IntegerField(
        BY_KEY["abandoned_after_minutes"].label, validators=[InputRequired()]
    )
    cart_lost_after_days = IntegerField(
        BY_KEY["cart_lost_after_days"].label, validators=[InputRequired()]
    )
    consent_notice = TextAreaField(BY_KEY["consent_notice"].label)


class PersonForm(HtmlForm):
    """Whose data: an email; Erase also needs its box ticked."""

    email = StringField("Email", filters=[trimmed], validators=[Length(max=254)])
    confirm = BooleanField("Erase: I understand that this cannot be undone")


class SourceForm(HtmlForm):
    """A new source, or a new name for one."""

    name = StringField("Name", filters=[trimmed], validators=[Length(max=MAX_SOURCE)])
