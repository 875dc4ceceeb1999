"""Bad input is refused naming the field, writes nothing and never answers 500."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcapture.models import Address, Contact, Customer, Lead
from storefront.models import Order, User

from .helpers import ADDRESS, Shopper, count


def nothing_written(app: Flask) -> bool:
    shoppers = count(app, User, User.is_staff.is_(False))
    return shoppers == 0 and all(
        count(app, model) == 0 for model in (Lead, Customer, Contact, Address, Order)
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "not-an-email"),
        ("email", "jane@@example.com"),
        ("email", ""),
        ("full_name", ""),
        ("full_name", "x" * 10_000),
        ("phone", "9" * 500),
        ("company_name", "c" * 10_000),
    ],
)
def test_registration_refuses_bad_fields(
    app: Flask, shopper: Shopper, field: str, value: str
) -> None:
    data = {"email": "jane@example.com", "full_name": "Jane Doe", field: value}
    response = shopper.register(**data)
    assert response.status_code == 200
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert nothing_written(app)


def test_registration_refuses_a_short_or_mismatched_password(app: Flask, shopper: Shopper) -> None:
    response = shopper.submit(
        "/register",
        {"email": "jane@example.com", "full_name": "Jane", "password": "short", "confirm": "other"},
    )
    html = response.get_data(as_text=True)
    assert 'data-field="password"' in html and 'data-field="confirm"' in html
    assert nothing_written(app)


def test_a_second_registration_of_an_email_in_other_case_is_refused(
    app: Flask, shopper: Shopper, other_shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com")
    response = other_shopper.register(email="JANE@Example.com", full_name="Someone Else")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-field="email"' in html and "exists already" in html
    assert count(app, User, User.is_staff.is_(False)) == 1 and count(app, Lead) == 1


@pytest.mark.parametrize(
    "url, data",
    [
        (
            "/register",
            {
                "email": "jane@example.com",
                "full_name": "Jane",
                "password": "longenough1",
                "confirm": "longenough1",
            },
        ),
        ("/login", {"email": "jane@example.com", "password": "whatever"}),
        ("/cart/add", {"product_id": "1", "quantity": "1"}),
        ("/cart/update", {"product_id": "1", "quantity": "0"}),
        ("/logout", {}),
    ],
)
def test_a_post_without_csrf_token_is_refused(
    app: Flask,
    client,
    url: str,  # type: ignore[no-untyped-def]
    data: dict,
) -> None:
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert nothing_written(app)


def test_the_address_form_and_checkout_need_csrf_too(app: Flask, shopper: Shopper) -> None:
    shopper.register()
    response = shopper.client.post(
        "/account/addresses/new", data={"address_type": "Billing", **ADDRESS}
    )
    assert response.status_code == 400
    shopper.add_to_cart("TEA-001")
    response = shopper.client.post("/checkout", data={"full_name": "Jane", "email": "j@x.org"})
    assert response.status_code == 400
    assert count(app, Address) == 0 and count(app, Order) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "nope"),
        ("full_name", ""),
        ("full_name", "x" * 10_000),
        ("billing-city", ""),
        ("billing-address_line1", ""),
        ("billing-country", ""),
        ("full_name", "Jane\x00Doe"),
        ("billing-city", "Lis\x00bon"),
    ],
)
def test_checkout_refuses_bad_fields(app: Flask, shopper: Shopper, field: str, value: str) -> None:
    shopper.add_to_cart("TEA-001")
    data = {
        "email": "guest@example.com",
        "full_name": "Gus",
        "shipping_same": "y",
        **{f"billing-{k}": v for k, v in ADDRESS.items()},
        field: value,
    }
    response = shopper.submit("/checkout", data)
    assert response.status_code == 200
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert count(app, Order) == 0 and count(app, Lead) == 0


def test_a_separate_shipping_address_must_be_complete(app: Flask, shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001")
    response = shopper.checkout(shipping={"address_line1": "", "city": "", "country": ""})
    html = response.get_data(as_text=True)
    assert 'data-field="shipping-city"' in html
    assert count(app, Order) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"product_id": "999999", "quantity": "1"},
        {"product_id": "abc", "quantity": "1"},
        {"product_id": "1", "quantity": "-5"},
        {"product_id": "1", "quantity": "1000"},
        {"product_id": "1", "quantity": "many"},
    ],
)
def test_the_cart_refuses_bad_lines(app: Flask, shopper: Shopper, data: dict) -> None:
    response = shopper.submit("/", data, action="/cart/add")
    assert response.status_code in (302, 400)
    assert shopper.get("/cart").status_code == 200
    assert "Your cart is empty" in shopper.get("/cart").get_data(as_text=True)


def test_an_empty_cart_cannot_be_checked_out(shopper: Shopper) -> None:
    response = shopper.get("/checkout")
    assert response.status_code == 302 and response.location.endswith("/cart")


def test_hostile_text_never_makes_a_500(app: Flask, shopper: Shopper) -> None:
    shopper.register()

    @settings(max_examples=30, deadline=None)
    @given(name=st.text(max_size=300), email=st.text(max_size=300), city=st.text(max_size=300))
    def check(name: str, email: str, city: str) -> None:
        stranger = Shopper(app)
        assert stranger.register(email=email, full_name=name).status_code < 500
        assert stranger.login(email=email, password=name or "x").status_code < 500
        assert shopper.add_address(city=city, address_line1=name).status_code < 500

    check()
