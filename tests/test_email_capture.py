"""A guest's email is captured as it is typed at checkout, with consent and a way out."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture.models import TrackedCart
from storefront.extensions import db

from .helpers import Shopper, age_carts, capture_email, csrf_token, sweep


def tracked(app: Flask) -> list[TrackedCart]:
    with app.app_context():
        found = list(db.session.scalars(select(TrackedCart)))
        db.session.expunge_all()
        return found


def test_the_checkout_page_says_why_and_offers_no_thanks(shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001")
    page = shopper.get("/checkout").get_data(as_text=True)
    assert "remind you of your cart" in page and "No thanks" in page
    assert 'data-capture-url="/checkout/email"' in page
    assert "capture.js" in page and "<script>" not in page


def test_a_typed_email_reaches_the_cart(app: Flask, shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001")
    assert capture_email(shopper, "  Gus@Example.com ").status_code == 204
    [cart] = tracked(app)
    assert cart.email == "gus@example.com"


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "",
        "a@b",
        "x" * 300 + "@example.com",
        "gus@example.com\x00",
        42,
        None,
        ["a@b.c"],
    ],
)
def test_a_bogus_email_gets_a_400_naming_the_field(
    app: Flask, shopper: Shopper, email: object
) -> None:
    shopper.add_to_cart("TEA-001")
    response = capture_email(shopper, email)
    assert response.status_code == 400
    assert "email" in response.get_json()["errors"]
    assert tracked(app)[0].email is None


def test_not_json_gets_a_400(shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001")
    token = csrf_token(shopper.get("/checkout").get_data(as_text=True))
    response = shopper.client.post(
        "/checkout/email", data="email=x", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400 and "email" in response.get_json()["errors"]


def test_the_capture_endpoint_needs_the_csrf_token(app: Flask, shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001")
    response = shopper.client.post("/checkout/email", json={"email": "gus@example.com"})
    assert response.status_code == 400
    assert tracked(app)[0].email is None


def test_no_thanks_forgets_the_email_and_the_cart_is_never_swept(
    app: Flask, shopper: Shopper
) -> None:
    shopper.add_to_cart("TEA-001")
    capture_email(shopper, "gus@example.com")
    response = shopper.submit("/checkout", {}, action="/checkout/no-thanks")
    assert response.status_code == 302
    [cart] = tracked(app)
    assert cart.email is None and cart.capture_declined
    capture_email(shopper, "gus@example.com")
    assert tracked(app)[0].email is None
    assert "No thanks" not in shopper.get("/checkout").get_data(as_text=True)
    age_carts(app, 500)
    assert sweep(app).abandoned == 0


def test_times_are_stored_in_utc(app: Flask, shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001")
    capture_email(shopper, "gus@example.com")
    cart = tracked(app)[0]
    assert cart.last_activity_at.utcoffset().total_seconds() == 0
