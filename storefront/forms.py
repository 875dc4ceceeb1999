from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from leadcapture import HtmlForm, phone_number, plain_text, trimmed

from .cart import MAX_QUANTITY

NAME = Length(max=140)


TRIM = [trimmed]


class ShopForm(HtmlForm):
    """A form that also refuses control characters (NUL and friends) and lone surrogates in
    what people type, by the plug-in's rule. Hidden fields are left to their own checks
    (``next`` goes through ``safe_next``)."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        check = plain_text()
        for field in _text_fields(self):
            if field.errors:
                continue
            try:
                check(self, field)
            except ValueError as error:
                field.errors = [*field.errors, str(error)]
                valid = False
        return valid


def _text_fields(form: Any) -> Iterator[Any]:
    for field in form:
        if isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field.data, str) and not isinstance(field, HiddenField):
            yield field


class RegisterForm(ShopForm):
    full_name = StringField("Full name", filters=TRIM, validators=[DataRequired(), NAME])
    email = EmailField("Email", filters=TRIM, validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField("Phone", filters=TRIM, validators=[Optional(), phone_number()])
    company_name = StringField(
        "Company (for a business account)", filters=TRIM, validators=[Optional(), NAME]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class PasswordForm(ShopForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )


class LoginForm(ShopForm):
    email = EmailField("Email", filters=TRIM, validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class LogoutForm(ShopForm):
    pass


#: A product id the database can hold; a larger one is no product (not an overflow).
PRODUCT_ID = NumberRange(min=1, max=2_147_483_647)


class CartLineForm(ShopForm):
    product_id = IntegerField(validators=[DataRequired(), PRODUCT_ID])
    quantity = IntegerField(
        "Quantity", default=1, validators=[DataRequired(), NumberRange(min=1, max=MAX_QUANTITY)]
    )


class CartUpdateForm(ShopForm):
    product_id = IntegerField(validators=[DataRequired(), PRODUCT_ID])
    quantity = IntegerField("Quantity", validators=[NumberRange(min=0, max=MAX_QUANTITY)])


class AddressFields(Form):
    address_line1 = StringField(
        "Address line 1", filters=TRIM, validators=[DataRequired(), Length(max=240)]
    )
    address_line2 = StringField(
        "Address line 2", filters=TRIM, validators=[Optional(), Length(max=240)]
    )
    city = StringField("City", filters=TRIM, validators=[DataRequired(), Length(max=140)])
    state = StringField("State / province", filters=TRIM, validators=[Optional(), Length(max=140)])
    pincode = StringField("Postal code", filters=TRIM, validators=[Optional(), Length(max=20)])
    country = StringField("Country", filters=TRIM, validators=[DataRequired(), Length(max=140)])


class CheckoutForm(ShopForm):
    order_key = HiddenField(
        validators=[
            DataRequired("This page is out of date; please check out again."),
            Length(max=64),
        ]
    )
    email = EmailField("Email", filters=TRIM, validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField("Full name", filters=TRIM, validators=[DataRequired(), NAME])
    phone = StringField("Phone", filters=TRIM, validators=[Optional(), phone_number()])
    billing = FormField(AddressFields, label="Billing address")
    shipping_same = BooleanField("Ship to the billing address", default=True)
    shipping = FormField(AddressFields, label="Shipping address")

    def validate(self, extra_validators: Any = None) -> bool:
        if self.shipping_same.data:
            for name, field in self.billing.form._fields.items():
                self.shipping.form[name].data = field.data
        return super().validate(extra_validators)
