"""Anonymous input adds to what is known and never overwrites it; a guest's order never
writes into an account; a bad part of an event never sinks the rest."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from leadcapture import LeadSource, LeadStatus, capture_lead, set_status, update_lead
from leadcapture.models import Contact, InboundEvent, Lead
from storefront.extensions import db

from .helpers import ADDRESS, Shopper, count
from .test_mailbox import fetch, message


def known_customer_lead(app: Flask) -> int:
    """A lead staff have worked on: name, company, phone, and an opportunity."""
    with app.app_context():
        lead, _ = capture_lead(
            db.session,
            source=LeadSource.REFERENCE,
            email="ann@example.com",
            lead_name="Ann Ray",
            company_name="Ray & Co",
            phone="+44 20 7946 0000",
        )
        set_status(db.session, lead, LeadStatus.OPPORTUNITY)
        db.session.commit()
        return lead.id


def lead_values(app: Flask, lead_id: int) -> tuple[Any, ...]:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead is not None
        return (lead.lead_name, lead.company_name, lead.phone, lead.status)


KNOWN = ("Ann Ray", "Ray & Co", "+44 20 7946 0000", LeadStatus.OPPORTUNITY)


def test_a_web_form_post_never_overwrites_a_known_lead(app: Flask, client: FlaskClient) -> None:
    lead_id = known_customer_lead(app)
    response = client.post(
        "/leadcapture/form",
        data={
            "email": "ANN@Example.COM",
            "lead_name": "Mallory",
            "company_name": "Evil Corp",
            "phone": "+1 555 0100",
            "message": "Call me at my new number",
        },
    )
    assert response.status_code == 303
    assert lead_values(app, lead_id) == KNOWN
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead is not None
        [entry] = [e for e in lead.history if e.event == "web_form"]
        assert entry.body == "Call me at my new number"
        [again] = [e for e in lead.history if e.event == "captured_again"]
        assert again.data["brought"]["lead_name"] == "Mallory"  # what they said is kept


def test_a_mail_from_a_known_lead_never_moves_it_back(
    app: Flask, mailbox: Any, runner: Any
) -> None:
    lead_id = known_customer_lead(app)
    mailbox.deliver(message(sender="Someone Else <ANN@example.com>"))
    fetch(runner)
    assert lead_values(app, lead_id) == KNOWN


def test_a_sign_up_with_a_known_email_fills_only_the_empty_fields(
    app: Flask, shopper: Shopper
) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, email="ann@example.com", lead_name="Ann Ray"
        )
        set_status(db.session, lead, LeadStatus.QUOTATION)
        db.session.commit()
        lead_id = lead.id
    shopper.register(email="ann@example.com", full_name="Not Ann", phone="+351 912 345 678")
    assert lead_values(app, lead_id) == (
        "Ann Ray",
        None,
        "+351 912 345 678",
        LeadStatus.QUOTATION,
    )


def test_staff_still_change_values(app: Flask) -> None:
    lead_id = known_customer_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        update_lead(db.session, lead, {"lead_name": "Ann B. Ray", "status": "Lead"})  # type: ignore[arg-type]
        db.session.commit()
    assert lead_values(app, lead_id)[0::3] == ("Ann B. Ray", LeadStatus.LEAD)


def test_a_guest_order_never_writes_into_an_account(app: Flask) -> None:
    owner = Shopper(app)
    owner.register(email="jane@example.com", full_name="Jane Doe", phone="+351 912 345 678")
    owner.add_address("Billing")
    guest = Shopper(app)
    guest.add_to_cart("TEA-001")
    placed = guest.checkout(
        email="JANE@example.com",
        full_name="Mallory",
        phone="+1 555 0100",
        billing={**ADDRESS, "address_line1": "1 Attacker Lane", "city": "Elsewhere"},
    )
    assert placed.status_code == 302
    account = owner.get("/account").get_data(as_text=True)
    assert "Attacker Lane" not in account
    prefill = owner.get("/checkout").get_data(as_text=True)
    assert "Attacker Lane" not in prefill and "Mallory" not in prefill
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.lead_name, lead.phone, lead.status) == (
            "Jane Doe",
            "+351 912 345 678",
            LeadStatus.CONVERTED,
        )
        assert [a.address_line1 for a in lead.addresses] == [ADDRESS["address_line1"]]
        contacts = db.session.scalars(select(Contact)).all()
        assert [(c.full_name, c.phone) for c in contacts] == [("Jane Doe", "+351 912 345 678")]
        assert lead.customer is not None and lead.customer.customer_name == "Jane Doe"
        [order] = [e for e in lead.history if e.event == "order_placed"]
        assert order.data["full_name"] == "Mallory"
        assert order.data["addresses"]["Billing"]["address_line1"] == "1 Attacker Lane"


@pytest.mark.parametrize("phone", ["+1 555 0100 ext 12", "555-0100 x3", "(020) 7946.0000/1"])
def test_phones_people_type_are_kept(app: Flask, shopper: Shopper, phone: str) -> None:
    shopper.add_to_cart("TEA-001")
    assert shopper.checkout(email="kim@example.com", phone=phone).status_code == 302
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.phone, lead.status) == (phone, LeadStatus.CONVERTED)


@pytest.mark.parametrize("phone", ["call me maybe", "12", "+1 555\x000100", "☎ 555 0100"])
def test_the_shop_refuses_a_phone_the_plug_in_refuses(shopper: Shopper, phone: str) -> None:
    shopper.add_to_cart("TEA-001")
    page = shopper.checkout(email="kim@example.com", phone=phone)
    assert page.status_code == 200
    assert "phone" in page.get_data(as_text=True).lower()


def order(app: Flask, **parts: Any) -> None:
    """An order sent by a host whose own checks differ from the plug-in's."""
    from leadcapture import signals

    sent = {
        "order_id": "1001",
        "email": "kim@example.com",
        "full_name": "Kim Lee",
        "total": "12.50",
        "currency": "EUR",
        "cart_id": "guest-abc",
        **parts,
    }
    with app.app_context():
        signals.order_placed.send(app, **sent)


def test_a_bad_part_of_an_order_is_left_out_and_the_lead_converts(app: Flask) -> None:
    order(
        app,
        phone="ring me on Tuesdays",
        billing_address={"address_line1": "1 Main St", "country": "Portugal"},  # no city
        shipping_address={**ADDRESS},
    )
    with app.app_context():
        event = db.session.scalars(select(InboundEvent)).one()
        assert (event.state, event.attempts) == ("done", 0)
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.status, lead.phone) == (LeadStatus.CONVERTED, None)
        [left_out] = [e for e in lead.history if e.event == "parts_left_out"]
        assert set(left_out.data["refused"]) == {"phone", "billing_address"}
        assert "city" in left_out.data["refused"]["billing_address"][0]
        [placed] = [e for e in lead.history if e.event == "order_placed"]
        assert list(placed.data["addresses"]) == ["Shipping"]


def test_refused_input_is_dead_at_once_and_not_retried(app: Flask) -> None:
    order(app, email="not an email")
    with app.app_context():
        event = db.session.scalars(select(InboundEvent)).one()
        assert (event.state, event.attempts) == ("dead", 1)
        assert "email" in (event.last_error or "")
    runner = app.test_cli_runner()
    assert "0 kept events handled" in runner.invoke(args=["leads", "retry"]).output
    assert count(app, Lead) == 0
