"""The plug-in's field rules as WTForms validators, for the host's forms and its own,
and :class:`HtmlForm`, the base of every form of an HTML page.

A shop that checks a phone with a rule of its own accepts what the plug-in then refuses,
and the order's lead capture meets a value it cannot keep. With these, a form and the
domain apply one rule: the one in :mod:`leadcapture.fields`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from babel import support
from flask import current_app, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # Flask-WTF's "read the request" marker
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError as FormError

from . import fields
from .errors import ValidationError
from .i18n import current_language, gettext


def trimmed(value: Any) -> Any:
    """A WTForms filter: text without leading and trailing whitespace."""
    return value.strip() if isinstance(value, str) else value


class FieldRule:
    """Check a field with ``rule(name, value)``, a cleaner of :mod:`leadcapture.fields`."""

    def __init__(self, rule: Callable[[str, Any], Any]) -> None:
        self.rule = rule

    def __call__(self, form: Any, field: Any) -> None:
        try:
            self.rule(field.name, field.data)
        except ValidationError as error:
            messages = [m for ms in error.errors.values() for m in ms]
            raise FormError(messages[0] if messages else gettext("Not valid.")) from None


def phone_number() -> FieldRule:
    """A phone number as the plug-in keeps it (:func:`leadcapture.fields.phone`)."""
    return FieldRule(fields.phone)


def plain_text() -> Callable[[Any, Any], None]:
    """No control characters or lone surrogates: what no database can store."""

    def check(form: Any, field: Any) -> None:
        if isinstance(field.data, str) and fields.has_control(field.data, multiline=False):
            raise FormError(gettext("Contains characters that are not allowed."))

    return check


@functools.cache
def wtforms_messages(language: str) -> Any:
    """WTForms' built-in catalog of ``language`` (English when it has none)."""
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class HtmlForm(FlaskForm):
    """A form of an HTML page: it reads the posted form, never a JSON body. (Flask-WTF
    would read a JSON body as the form, and one that is not a JSON object — a list, a
    number, nesting deeper than the parser goes — breaks it with a 500.)"""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if formdata is _Auto and request.is_json:
                return request.form if request.method in ("POST", "PUT", "PATCH") else None
            return super().wrap_formdata(form, formdata)

        def get_translations(self, form: Any) -> Any:
            """WTForms' own messages in the page's language, each catalog read once per
            process: Flask-WTF reads it from disk again in every request that makes a
            form, which doubled the cost of a shop page."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return wtforms_messages(current_language())


__all__ = ["FieldRule", "HtmlForm", "phone_number", "plain_text"]
