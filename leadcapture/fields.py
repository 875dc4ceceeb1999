"""Cleaning of single values, shared by leads, addresses and contacts.

Each cleaner takes the field's name so that a refusal names the field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from .constants import MAX_EMAIL, MAX_PHONE
from .errors import ValidationError
from .i18n import gettext

#: ERPNext's phone rule: free text of digits, spaces and ``+ - ( ) . /``, with an optional
#: extension (``x 12``, ``ext. 12``): what people type, checked loosely, never rewritten.
_PHONE = re.compile(r"^\+?[0-9 ()./-]+(?:(?:x|ext\.?|extension)\s*[0-9]{1,6})?$", re.IGNORECASE)
MIN_PHONE_DIGITS = 3
_ENOUGH_DIGITS = re.compile(f"(?:[^0-9]*[0-9]){{{MIN_PHONE_DIGITS}}}")

#: Unicode's control characters (category Cc) and lone surrogates (Cs), which no database
#: stores; the multi-line variant lets tabs and line breaks through.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

#: A plain ASCII address (dot-atom local part, letters-digits-hyphens domain, a letters
#: TLD) that ``email_validator`` takes unchanged but for the case of its domain: checked
#: by this pattern alone, which is what lets an import of 100,000 rows keep up with the
#: database. Everything else goes to ``email_validator``.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]{1,64}(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
MAX_LOCAL_PART = 64
MAX_DOMAIN = 253


def has_control(value: str, *, multiline: bool) -> bool:
    """Control characters (NUL and friends) and lone surrogates, which no database stores."""
    return (_CONTROL_MULTILINE if multiline else _CONTROL).search(value) is not None


@functools.cache
def _special_use_suffixes(names: tuple[str, ...]) -> tuple[str, ...]:
    """How an address on a special-use domain ends (``email_validator`` refuses those; its
    list may be changed by the host, hence the names as the key)."""
    return tuple(f"{sep}{name}" for name in names for sep in ".@")


def plain_email(value: str) -> str | None:
    """``value`` lower-cased when it is a plain ASCII address ``email_validator`` would
    take as it is; ``None`` when only ``email_validator`` can tell."""
    match = _PLAIN_EMAIL.fullmatch(value) if len(value) <= MAX_EMAIL else None
    if match is None:
        return None
    local, domain = match.group("local", "domain")
    lowered = value.lower()
    if (
        len(local) > MAX_LOCAL_PART
        or len(domain) > MAX_DOMAIN
        or "--" in domain  # Punycode and labels RFC 5890 reserves: email_validator's call
        or lowered.endswith(_special_use_suffixes(tuple(SPECIAL_USE_DOMAIN_NAMES)))
    ):
        return None
    return lowered


def text(
    field: str,
    value: Any,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """A trimmed string, ``None`` when blank; refuses control characters and overlong text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError.single(field, gettext("Must be text."))
    value = value.strip()
    if not value:
        if required:
            raise ValidationError.single(field, gettext("This field is required."))
        return None
    if len(value) > max_length:
        raise ValidationError.single(
            field, gettext("Must be at most %(count)s characters.", count=max_length)
        )
    if has_control(value, multiline=multiline):
        raise ValidationError.single(field, gettext("Contains characters that are not allowed."))
    return value


def email(field: str, value: Any, *, required: bool = False) -> str | None:
    """A validated email, stored normalized: trimmed and lower-case."""
    raw = text(field, value, max_length=MAX_EMAIL, required=required)
    if raw is None:
        return None
    plain = plain_email(raw)
    if plain is not None:
        return plain
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError.single(
            field, gettext("Not a valid email address: %(reason)s", reason=exc)
        ) from None
    return checked.normalized.lower()


def normalized_email(value: str) -> str:
    """An email as the plug-in keeps and compares it (:func:`email`); a string that is no
    email is only trimmed and lower-cased. Shops that look up their users by email use it
    too, so the shop and the plug-in mean the same address."""
    try:
        return email("email", value, required=True) or ""
    except ValidationError:
        return value.strip().lower()


def phone(field: str, value: Any) -> str | None:
    raw = text(field, value, max_length=MAX_PHONE)
    if raw is None:
        return None
    if not _PHONE.match(raw) or not _ENOUGH_DIGITS.match(raw):
        raise ValidationError.single(
            field,
            gettext("Not a valid phone number: use digits, spaces, + - ( ) . / and x or ext."),
        )
    return raw


def choice(field: str, value: Any, allowed: Iterable[str], *, required: bool = False) -> str | None:
    options = [str(a) for a in allowed]
    raw = text(field, value, max_length=1000, required=required)
    if raw is None:
        return None
    if raw not in options:
        raise ValidationError.single(
            field, gettext("Must be one of: %(options)s.", options=", ".join(options))
        )
    return raw


def one_of(field: str, value: Any, allowed: Iterable[str]) -> str:
    """A required :func:`choice`."""
    chosen = choice(field, value, allowed, required=True)
    assert chosen is not None
    return chosen


def boolean(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", 0, "0", "false", "False", "no", "off"):
        return False
    if value in (1, "1", "true", "True", "yes", "on", "y"):
        return True
    raise ValidationError.single(field, gettext("Must be true or false."))


def day(field: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError.single(field, gettext("Must be a date (YYYY-MM-DD)."))


def clean(data: dict[str, Any], cleaners: dict[str, Any]) -> dict[str, Any]:
    """Run each field's cleaner, gathering every field's errors before refusing."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, value in data.items():
        cleaner = cleaners.get(field)
        if cleaner is None:
            errors.setdefault(field, []).append(gettext("Unknown field."))
            continue
        try:
            cleaned[field] = cleaner(field, value)
        except ValidationError as exc:
            for name, messages in exc.errors.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned
