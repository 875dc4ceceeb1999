"""The single-value cleaners' fast paths answer exactly as the slow rules they stand for."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadcapture import fields
from leadcapture.errors import ValidationError


def test_control_characters_are_unicodes_control_and_surrogate_categories() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        control = unicodedata.category(char) in ("Cc", "Cs")
        assert fields.has_control(f"a{char}b", multiline=False) is control, hex(code)
        allowed = char in "\n\r\t"
        assert fields.has_control(f"a{char}b", multiline=True) is (control and not allowed)


def validator_says(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


ATEXT = "abcxyzABCXYZ0189_+-.!#$%&'*/=?^`{|}~\"()<>[]:;@\\ é"
LABEL = st.text("abzAZ09-", min_size=0, max_size=66)
ADDRESSES = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    st.text(ATEXT, min_size=0, max_size=70),
    st.lists(LABEL, min_size=0, max_size=4),
    st.sampled_from(["com", "org", "io", "c", "123", "test", "localhost", "x-y", "xn--p1ai", ""]),
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(ADDRESSES, st.text(max_size=80)))
@example("Jane.Doe+shop@Example.COM")
@example("jane..doe@example.com")
@example(".jane@example.com")
@example("jane@-example.com")
@example("jane@ab--cd.com")
@example("jane@shop.test")
@example("jane@localhost")
@example("x" * 65 + "@example.com")
@example("x" * 64 + "@" + ".".join(["a" * 63] * 3) + ".com")  # 260 characters in all
@example("jane@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 60 + ".com")
def test_a_plain_address_is_taken_as_email_validator_takes_it(value: str) -> None:
    plain = fields.plain_email(value)
    if plain is not None:
        assert plain == validator_says(value)


@pytest.mark.parametrize(
    "value", ["jane@example.com", "Jane.Doe+shop@Example.COM", "a_b-c@mail.shop.co.uk"]
)
def test_everyday_addresses_take_the_fast_path(value: str) -> None:
    assert fields.plain_email(value) == value.lower() == fields.email("email", value)


@pytest.mark.parametrize(
    "value", ["jane@localhost", "jane@shop.test", "jané@example.com", "jane@exämple.com"]
)
def test_other_addresses_are_left_to_email_validator(value: str) -> None:
    assert fields.plain_email(value) is None
    try:
        assert fields.email("email", value) == validator_says(value)
    except ValidationError:
        assert validator_says(value) is None
