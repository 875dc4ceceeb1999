"""The address web form: named addresses, linked to the lead, seen only by their owner."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import AddressType, LeadSource, add_address, capture_lead
from leadcapture.models import Address, Lead
from storefront.extensions import db

from .helpers import Shopper, count


def names(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Address.name).order_by(Address.id)))


def test_addresses_are_named_after_the_lead_and_type(app: Flask, shopper: Shopper) -> None:
    shopper.register(full_name="Jane Doe")
    assert shopper.add_address("Billing").status_code == 302
    assert shopper.add_address("Shipping").status_code == 302
    assert names(app) == ["Jane Doe-Billing", "Jane Doe-Shipping"]
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert [a.lead_id for a in lead.addresses] == [lead.id, lead.id]
    page = shopper.get("/account/addresses/").get_data(as_text=True)
    assert "Jane Doe-Billing" in page and "Jane Doe-Shipping" in page


def test_a_clash_gets_a_number(app: Flask, shopper: Shopper) -> None:
    shopper.register(full_name="Jane Doe")
    for _ in range(3):
        shopper.add_address("Billing")
    assert names(app) == ["Jane Doe-Billing", "Jane Doe-Billing-1", "Jane Doe-Billing-2"]


def test_names_clash_across_leads_too(app: Flask, shopper: Shopper, other_shopper: Shopper) -> None:
    shopper.register(email="jane1@example.com", full_name="Jane Doe")
    other_shopper.register(email="jane2@example.com", full_name="Jane Doe")
    shopper.add_address("Office")
    other_shopper.add_address("Office")
    assert names(app) == ["Jane Doe-Office", "Jane Doe-Office-1"]


@pytest.mark.parametrize("address_type", list(AddressType))
def test_every_address_type_of_the_product_is_offered(
    app: Flask, shopper: Shopper, address_type: AddressType
) -> None:
    shopper.register(full_name="Jane Doe")
    assert f'value="{address_type}"' in shopper.get("/account/addresses/new").get_data(as_text=True)
    shopper.add_address(str(address_type))
    assert names(app) == [f"Jane Doe-{address_type}"]


def test_percent_and_underscore_in_a_name_do_not_confuse_the_numbering(app: Flask) -> None:
    with app.app_context():
        lead, _ = capture_lead(db.session, source=LeadSource.IMPORT, lead_name="A_B 100%")
        other, _ = capture_lead(db.session, source=LeadSource.IMPORT, lead_name="AxB 100x")
        data = {
            "address_type": "Billing",
            "address_line1": "1 Road",
            "city": "Rome",
            "country": "Italy",
        }
        add_address(db.session, other, data)
        add_address(db.session, lead, data)
        db.session.commit()
    assert names(app) == ["AxB 100x-Billing", "A_B 100%-Billing"]


def test_a_shopper_edits_their_own_address(app: Flask, shopper: Shopper) -> None:
    shopper.register(full_name="Jane Doe")
    shopper.add_address("Billing")
    with app.app_context():
        address_id = db.session.scalars(select(Address.id)).one()
    url = f"/account/addresses/{address_id}/edit"
    response = shopper.submit(
        url,
        {
            "address_type": "Billing",
            "address_line1": "1 New St",
            "city": "Faro",
            "country": "Portugal",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        address = db.session.get(Address, address_id)
        assert (address.address_line1, address.city, address.name) == (
            "1 New St",
            "Faro",
            "Jane Doe-Billing",
        )


def test_another_users_address_is_not_found(
    app: Flask, shopper: Shopper, other_shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_address("Billing", city="Braga")
    with app.app_context():
        address_id = db.session.scalars(select(Address.id)).one()
    other_shopper.register(email="mallory@example.com", full_name="Mallory")
    url = f"/account/addresses/{address_id}/edit"
    assert other_shopper.get(url).status_code == 404
    token_page = other_shopper.get("/account/addresses/new").get_data(as_text=True)
    from .helpers import csrf_token

    response = other_shopper.client.post(
        url,
        data={
            "csrf_token": csrf_token(token_page),
            "address_type": "Billing",
            "address_line1": "Evil",
            "city": "Evil",
            "country": "Evil",
        },
    )
    assert response.status_code == 404
    assert "Braga" not in other_shopper.get("/account/addresses/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Address, address_id).city == "Braga"


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/account/addresses/new")
    assert response.status_code == 302
    assert "/login" in response.location


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("city", "", "City"),
        ("address_line1", "", "Address line 1"),
        ("country", "", "Country"),
        ("address_type", "Moon Base", "Address type"),
        ("city", "x" * 10_000, "City"),
        ("email", "not-an-email", "Email"),
    ],
)
def test_bad_addresses_are_refused_naming_the_field(
    app: Flask, shopper: Shopper, field: str, value: str, message: str
) -> None:
    shopper.register()
    response = shopper.add_address(**{"address_type": "Billing", field: value})
    assert response.status_code == 200
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert count(app, Address) == 0


def test_control_characters_are_refused_by_the_domain(app: Flask, shopper: Shopper) -> None:
    shopper.register()
    response = shopper.add_address("Billing", city="Lis\x00bon")
    assert response.status_code == 200
    assert 'data-field="city"' in response.get_data(as_text=True)
    assert count(app, Address) == 0
