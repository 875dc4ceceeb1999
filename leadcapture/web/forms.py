from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ..addresses import ADDRESS_FIELDS
from ..constants import (
    MAX_ADDRESS_LINE,
    MAX_CITY,
    MAX_EMAIL,
    MAX_PINCODE,
    AddressType,
)
from ..errors import ValidationError
from ..i18n import lazy_gettext as _l
from ..validators import HtmlForm, phone_number, trimmed

TRIM = [trimmed]


class AddressForm(HtmlForm):
    address_type = SelectField(
        _l("Address type"),
        choices=[SelectChoice(t.value, _l(t.value)) for t in AddressType],
        validators=[DataRequired()],
    )
    address_line1 = StringField(
        _l("Address line 1"),
        filters=TRIM,
        validators=[DataRequired(), Length(max=MAX_ADDRESS_LINE)],
    )
    address_line2 = StringField(
        _l("Address line 2"), filters=TRIM, validators=[Optional(), Length(max=MAX_ADDRESS_LINE)]
    )
    city = StringField(_l("City"), filters=TRIM, validators=[DataRequired(), Length(max=MAX_CITY)])
    state = StringField(
        _l("State / province"), filters=TRIM, validators=[Optional(), Length(max=MAX_CITY)]
    )
    pincode = StringField(
        _l("Postal code"), filters=TRIM, validators=[Optional(), Length(max=MAX_PINCODE)]
    )
    country = StringField(
        _l("Country"), filters=TRIM, validators=[DataRequired(), Length(max=MAX_CITY)]
    )
    phone = StringField(_l("Phone"), filters=TRIM, validators=[Optional(), phone_number()])
    email = StringField(
        _l("Email"), filters=TRIM, validators=[Optional(), Email(), Length(max=MAX_EMAIL)]
    )

    def address_data(self) -> dict[str, str | None]:
        return {name: self[name].data for name in ADDRESS_FIELDS}


def show_errors(form: HtmlForm, error: ValidationError) -> None:
    """Put the domain's refusal on the form's fields (or on the form when no field fits)."""
    for name, messages in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(f"{name}: {m}" for m in messages)


class DownloadForm(HtmlForm):
    """A button that posts nothing but its CSRF token: download my data."""


class EraseForm(HtmlForm):
    """Erase my data, once the person has ticked that they mean it."""

    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
