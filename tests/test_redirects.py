"""Login's ``next`` goes only to this site."""

from __future__ import annotations

import pytest

from storefront.safety import safe_next

from .helpers import Shopper

HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\\\evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "https://evil.example",
    "http://shop.example.evil.example/",
    "javascript:alert(1)",
    "///evil.example",
    "/%0a/evil.example\n",
    "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_refused(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/cart", "/account/addresses/new?x=1"])
def test_local_next_is_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_site(shopper: Shopper, target: str) -> None:
    shopper.register(email="jane@example.com")
    shopper.logout()
    response = shopper.login("jane@example.com", next=target)
    assert response.status_code == 302
    assert response.location == "/"


def test_login_follows_a_local_next(shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.logout()
    assert shopper.login("jane@example.com", next="/cart").location == "/cart"
