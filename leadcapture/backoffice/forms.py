from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
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
from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from ..owner_settings import BY_KEY
from ..sources import offered
from ..validators import HtmlForm, phone_number, plain_text, trimmed
from ..web.forms import AddressForm
from ..webhooks.events import EVENTS


def _setting(key: str) -> Any:
    """A setting's label, in the reader's language."""
    return _l(BY_KEY[key].label)


def _choices(values: Any, blank: bool = True) -> list[SelectChoice]:
    options = [SelectChoice(str(v), _l(str(v))) for v in values]
    return [SelectChoice("", _l("—")), *options] if blank else options


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

    lead_name = StringField(
        _l("Person's name"), filters=[trimmed], validators=[Length(max=MAX_NAME)]
    )
    is_organization = BooleanField(_l("An organization"))
    company_name = StringField(_l("Company"), filters=[trimmed], validators=[Length(max=MAX_NAME)])
    email = StringField(_l("Email"), filters=[trimmed], validators=[Length(max=254)])
    phone = StringField(_l("Phone"), filters=[trimmed], validators=[Optional(), phone_number()])
    gender = SelectField(_l("Gender"), choices=_choices(Gender), validate_choice=False)
    status = SelectField(
        _l("Status"), choices=_choices(LeadStatus, blank=False), validate_choice=False
    )
    source = SelectField(_l("Source"), validate_choice=False)
    lead_type = SelectField(_l("Lead type"), choices=_choices(LeadType), validate_choice=False)
    market_segment = StringField(
        _l("Market segment"), filters=[trimmed], validators=[Length(max=MAX_NAME)]
    )
    industry = StringField(_l("Industry"), filters=[trimmed], validators=[Length(max=MAX_NAME)])
    assigned_to = StringField(_l("Assigned to"), filters=[trimmed], validators=[Length(max=64)])
    next_contact_date = DateField(_l("Next contact date"), validators=[Optional()])
    next_contact_by = StringField(
        _l("Next contact by"), filters=[trimmed], validators=[Length(max=64)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20_000)])

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

    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=20_000)])


class CommunicationForm(PageForm):
    id_prefix = "communication"

    medium = SelectField(
        _l("What"), choices=[SelectChoice("call", _l("Call")), SelectChoice("email", _l("Email"))]
    )
    direction = SelectField(
        _l("Direction"),
        choices=[
            SelectChoice("sent", _l("to the lead (sent)")),
            SelectChoice("received", _l("from the lead (received)")),
        ],
    )
    subject = StringField(
        _l("Subject"), filters=[trimmed], validators=[DataRequired(), Length(max=200)]
    )
    body = TextAreaField(_l("Details"), validators=[Optional(), Length(max=20_000)])


class ContactForm(PageForm):
    id_prefix = "contact"

    full_name = StringField(
        _l("Full name"), filters=[trimmed], validators=[DataRequired(), Length(max=MAX_NAME)]
    )
    email = StringField(_l("Email"), filters=[trimmed], validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), filters=[trimmed], validators=[Optional(), phone_number()])


class OpportunityForm(PageForm):
    id_prefix = "opportunity"

    title = StringField(
        _l("Opportunity"), filters=[trimmed], validators=[DataRequired(), Length(max=200)]
    )
    amount = StringField(_l("Amount"), filters=[trimmed], validators=[Optional(), Length(max=20)])


class QuotationForm(PageForm):
    id_prefix = "quotation"

    cart_id = SelectField(
        _l("From a cart"), choices=[SelectChoice("", _l("— typed total —"))], validate_choice=False
    )
    total = StringField(_l("Total"), filters=[trimmed], validators=[Optional(), Length(max=20)])
    currency = StringField(
        _l("Currency"), default="EUR", filters=[trimmed], validators=[Optional(), Length(max=3)]
    )


class LostForm(PageForm):
    id_prefix = "lost"

    reason = StringField(
        _l("Why lost"), filters=[trimmed], validators=[Optional(), Length(max=240)]
    )


class LeadAddressForm(AddressForm, PageForm):
    """The address form on a lead's page."""

    id_prefix = "address"


class FollowUpForm(HtmlForm):
    """A follow-up done, on the Today page: one form per lead, its fields' names and ids
    starting with the lead's (``prefix``), so no two fields of the page share either."""

    due = HiddenField()
    next_contact_date = DateField(_l("Next follow-up"), validators=[Optional()])
    note = StringField(
        _l("What was said (optional)"), filters=[trimmed], validators=[Length(max=20_000)]
    )

    @staticmethod
    def prefix_of(lead_id: int) -> str:
        return f"lead-{lead_id}"

    def done_message(self, name: str) -> str:
        """What the page says once the follow-up with ``name`` is done as this form asked."""
        if self.next_contact_date.data:
            return gettext(
                "Follow-up with %(name)s done; the next on %(day)s.",
                name=name,
                day=self.next_contact_date.data,
            )
        return gettext("Follow-up with %(name)s done.", name=name)


class EmailForm(PageForm):
    """A staff user's email to the lead; ``key`` is made when the page is, so the form
    sent twice writes one email."""

    id_prefix = "email"

    key = HiddenField()
    subject = StringField(
        _l("Email subject"), filters=[trimmed], validators=[DataRequired(), Length(max=240)]
    )
    text = TextAreaField(_l("Email text"), validators=[DataRequired(), Length(max=20_000)])


class MergeForm(PageForm):
    """The duplicate to merge into the lead: typed on the lead's page (sent by GET, to
    show what the merge does), then confirmed by POST."""

    id_prefix = "merge"

    duplicate = StringField(
        _l("The duplicate's number (LEAD-00042) or email"),
        filters=[trimmed],
        validators=[DataRequired(), Length(max=254)],
    )


class SweepForm(HtmlForm):
    """A button that posts nothing but its CSRF token (run a sweep, revoke a token)."""


class TokenForm(HtmlForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100), plain_text()])


class RuleForm(HtmlForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    source = StringField(_l("Source (empty: any)"), validators=[Length(max=40)])
    users = StringField(
        _l("Staff user ids, comma-separated"), validators=[DataRequired(), Length(max=2000)]
    )


class WebhookForm(HtmlForm):
    """An endpoint; the domain checks the address and the events and names what is wrong."""

    url = StringField(_l("Endpoint URL"), filters=[trimmed], validators=[Length(max=2000)])
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(name, _l(label)) for name, label in EVENTS.items()],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    description = StringField(_l("Description"), filters=[trimmed], validators=[Length(max=140)])


class ImportForm(HtmlForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file."))])


class RecoveryStepForm(HtmlForm):
    """One recovery email; the domain (:mod:`leadcapture.recovery_steps`) checks the text,
    the placeholders and the order of the delays."""

    subject = StringField(_l("Subject"), filters=[trimmed])
    body = TextAreaField(_l("Text"))
    delay_hours = FloatField(_l("Hours after the cart was abandoned"), validators=[InputRequired()])
    code = BooleanField(_l("A discount code in this email"))
    code_percent = IntegerField(_l("Discount (%)"), validators=[Optional()])
    active = BooleanField(_l("Send this email"))


class RecoveryTextForm(HtmlForm):
    """A recovery email's own text in one more language; the step keeps the rest."""

    subject = StringField(_l("Subject"), filters=[trimmed])
    body = TextAreaField(_l("Text"))


class OwnerSettingsForm(HtmlForm):
    """The settings page; labels and limits are :data:`leadcapture.owner_settings.SETTINGS`'."""

    abandoned_after_minutes = IntegerField(
        _setting("abandoned_after_minutes"), validators=[InputRequired()]
    )
    cart_lost_after_days = IntegerField(
        _setting("cart_lost_after_days"), validators=[InputRequired()]
    )
    consent_notice = TextAreaField(_setting("consent_notice"))


class PersonForm(HtmlForm):
    """Whose data: an email; Erase also needs its box ticked."""

    email = StringField(_l("Email"), filters=[trimmed], validators=[Length(max=254)])
    confirm = BooleanField(_l("Erase: I understand that this cannot be undone"))


class SourceForm(HtmlForm):
    """A new source, or a new name for one."""

    name = StringField(_l("Name"), filters=[trimmed], validators=[Length(max=MAX_SOURCE)])
