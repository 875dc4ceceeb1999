"""An order converts the buyer's lead, once (docs/rules.md §5)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select, update

from leadcapture import CustomerType, LeadSource, LeadStatus, capture_lead, handoff, signals
from leadcapture.models import Address, Contact, Customer, HistoryEntry, InboundEvent, Lead
from leadcapture.models.base import utcnow
from storefront.extensions import db
from storefront.models import Order, User

from .helpers import ADDRESS, Shopper, count, heard


def test_checkout_converts_the_lead_into_a_customer_with_a_contact(
    app: Flask, shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com", full_name="Jane Doe", phone="+351 900 000 000")
    shopper.add_address("Billing")
    shopper.add_to_cart("TEA-001", 2)
    with heard(signals.lead_converted) as converted:
        response = shopper.checkout(email=None, full_name="Jane Doe")
    assert response.status_code == 302, response.get_data(as_text=True)

    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "jane@example.com")).one()
        lead = db.session.scalars(select(Lead)).one()
        customer = db.session.scalars(select(Customer)).one()
        assert lead.status == LeadStatus.CONVERTED
        assert customer.customer_name == "Jane Doe"
        assert customer.customer_type == CustomerType.INDIVIDUAL
        assert customer.lead_id == lead.id and lead.customer.id == customer.id
        assert customer.name == f"CUST-{customer.id:05d}"
        [contact] = customer.contacts
        assert (contact.user_id, contact.email, contact.full_name) == (
            str(user.id),
            "jane@example.com",
            "Jane Doe",
        )
        assert contact.phone == "+351 912 345 678"
        assert all(a.customer_id == customer.id for a in lead.addresses)
        assert {a.name for a in customer.addresses} == {"Jane Doe-Billing", "Jane Doe-Shipping"}
        events = [e.event for e in customer.history]
        assert "converted" in events and "signed_up" in events
        assert all(e.customer_id == customer.id for e in lead.history)
    assert len(converted) == 1


def test_staff_see_the_customer_with_its_history_linked_both_ways_with_its_lead(
    app: Flask, shopper: Shopper, staff: Shopper
) -> None:
    """The customer's page in the back office: its contacts, addresses, carts and the
    history it took over from its lead, a link to the lead, and one back from the lead."""
    shopper.register(email="jane@example.com", full_name="Jane Doe")
    shopper.add_address("Billing")
    shopper.add_to_cart("TEA-001", 2)
    assert shopper.checkout(email=None, full_name="Jane Doe").status_code == 302
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        customer = db.session.scalars(select(Customer)).one()
        lead_id, customer_id, lead_name, customer_name = (
            lead.id, customer.id, lead.name, customer.name
        )  # fmt: skip

    page = staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert f'href="/backoffice/customers/{customer_id}"' in page
    listed = staff.get("/backoffice/customers").get_data(as_text=True)
    assert customer_name in listed and "jane@example.com" in listed
    assert f'href="/backoffice/leads/{lead_id}"' in listed
    answer = staff.get(f"/backoffice/customers/{customer_id}")
    assert answer.status_code == 200
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True)))
    assert f"Jane Doe {customer_name}" in shown and f"made from lead {lead_name}" in shown
    assert "jane@example.com" in shown and "(primary)" in shown
    assert "Jane Doe-Billing" in shown and "Jane Doe-Shipping" in shown
    assert "Ordered" in shown  # its cart, the one it bought
    assert "1 order, 17.00 EUR" in shown  # what it has bought
    for said in ("Signed up on the shop", "Order SO-", "Converted to customer"):
        assert said in shown, said
    assert f'href="/backoffice/leads/{lead_id}"' in answer.get_data(as_text=True)

    assert staff.get("/backoffice/customers/999999").status_code == 404
    refused = staff.get("/backoffice/customers?before=x")
    assert refused.status_code == 200 and 'data-field="before"' in refused.get_data(as_text=True)
    assert shopper.get(f"/backoffice/customers/{customer_id}").status_code in (302, 403)
    assert shopper.get("/backoffice/customers").status_code in (302, 403)


def test_staff_find_a_customer_by_its_name_its_leads_or_a_contacts(
    app: Flask, staff: Shopper
) -> None:
    """The customer list's search: by the customer's name or number, by its lead's name,
    email, company or number, by a contact's name or email; in any case, a page at a
    time, and from the API too."""
    from leadcapture import capture_lead
    from leadcapture.contacts import add_contact
    from leadcapture.conversion import convert_lead

    with app.app_context():
        for n, (name, email, company) in enumerate(
            [
                ("Ada Lovelace", "ada@example.com", None),
                ("Bo Li", "bo@teahouse.example", "Tea House Lda"),
                ("Cy 100%_real", "cy@example.com", None),
            ]
        ):
            lead, _ = capture_lead(
                db.session,
                source="Reference",
                lead_name=name,
                email=email,
                company_name=company,
                is_organization=bool(company),
            )
            convert_lead(db.session, lead, by="1")
            if n == 0:
                add_contact(
                    db.session, lead, {"full_name": "Grace Hopper", "email": "g@navy.example"}
                )
        db.session.commit()
        numbers = list(db.session.scalars(select(Customer.name).order_by(Customer.id)))

    def found(q: str, api: bool = False) -> list[str]:
        if api:
            return [
                c["name"] for c in staff.get(f"/backoffice/api/customers?q={q}").get_json()["items"]
            ]
        page = staff.get(f"/backoffice/customers?q={q}").get_data(as_text=True)
        return re.findall(r'href="/backoffice/customers/\d+">(CUST-\d+)<', page)

    ada, bo, cy = numbers
    assert found("LOVELACE") == [ada]  # the customer's name, any case
    assert found(bo.lower()) == [bo]  # its number
    assert found("teahouse") == [bo] and found("tea house") == [bo]  # its lead's email, company
    assert found("navy") == [ada] and found("grace") == [ada]  # a contact's email and name
    assert found("100%_") == [cy] and found("%") == [cy]  # LIKE's wildcards are letters
    assert found("example", api=True) == [cy, bo, ada]
    assert found("nobody") == []
    assert "No customer matches “nobody”." in staff.get("/backoffice/customers?q=nobody").get_data(
        as_text=True
    )
    app.config["LEADCAPTURE_PAGE_SIZE"] = 1  # a page at a time, the search kept
    first = staff.get("/backoffice/customers?q=example").get_data(as_text=True)
    older = re.search(r'class="next-page" href="([^"]+)"', first).group(1)  # type: ignore[union-attr]
    assert "q=example" in older
    assert found("example")[:1] == [cy]
    refused = staff.get("/backoffice/customers?q=" + "x" * 201)
    assert refused.status_code == 200 and 'data-field="q"' in refused.get_data(as_text=True)
    api = staff.get("/backoffice/api/customers?q=" + "x" * 201)
    assert api.status_code == 400 and "q" in api.get_json()["errors"]


def test_a_second_order_creates_nothing_new(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    for _ in range(2):
        shopper.add_to_cart("MUG-001")
        assert shopper.checkout(email=None).status_code == 302
    assert count(app, Order) == 2
    assert (count(app, Lead), count(app, Customer), count(app, Contact)) == (1, 1, 1)
    assert count(app, Address) == 2
    with app.app_context():
        placed = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "order_placed")
        ).all()
        assert len(placed) == 2


def test_an_organization_lead_becomes_a_company_customer(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="ada@acme.example", full_name="Ada Buyer", company_name="Acme Ltd")
    shopper.add_to_cart("POT-001")
    shopper.checkout(email=None, full_name="Ada Buyer")
    with app.app_context():
        customer = db.session.scalars(select(Customer)).one()
        assert (customer.customer_name, customer.customer_type) == ("Acme Ltd", "Company")
        assert customer.contacts[0].full_name == "Ada Buyer"
        assert {a.name for a in customer.addresses} == {"Acme Ltd-Billing", "Acme Ltd-Shipping"}


def test_a_guest_order_converts_the_lead_of_its_email(app: Flask, shopper: Shopper) -> None:
    with app.app_context():
        capture_lead(
            db.session, source=LeadSource.WEB_FORM, email="guest@example.com", lead_name="Gus Guest"
        )
        db.session.commit()
    shopper.add_to_cart("TEA-002")
    assert shopper.checkout(email="GUEST@example.com", full_name="Gus Guest").status_code == 302
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.status == LeadStatus.CONVERTED
        assert lead.customer.customer_name == "Gus Guest"
        assert lead.customer.contacts[0].user_id is None


def test_a_guest_order_makes_the_lead_on_the_spot(app: Flask, shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-002")
    shopper.checkout(
        email="new@example.com", full_name="Nina New", shipping={**ADDRESS, "city": "Porto"}
    )
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.email, lead.source, lead.status) == (
            "new@example.com",
            LeadSource.CHECKOUT,
            LeadStatus.CONVERTED,
        )
        # A guest's addresses stay on the order's history entry, in no address book.
        assert lead.addresses == []
        [order] = [e for e in lead.history if e.event == "order_placed"]
        assert sorted(a["city"] for a in order.data["addresses"].values()) == ["Lisbon", "Porto"]


def test_conversion_never_leaves_converted(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        capture_lead(db.session, source=LeadSource.WEB_FORM, email="jane@example.com")
        db.session.commit()
        assert lead.status == LeadStatus.CONVERTED


def test_the_guest_sees_the_confirmation_and_no_one_else(
    app: Flask, shopper: Shopper, other_shopper: Shopper
) -> None:
    shopper.add_to_cart("TEA-001")
    page = shopper.checkout()
    assert "is placed" in shopper.get(page.location).get_data(as_text=True)
    assert other_shopper.get(page.location).status_code == 404


def test_a_failing_conversion_writes_nothing_half_way_and_the_order_stands(
    app: Flask, shopper: Shopper, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    import leadcapture.orders

    real = leadcapture.orders.convert_lead

    def convert_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise RuntimeError("the CRM database went away")

    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    monkeypatch.setattr(leadcapture.orders, "convert_lead", convert_then_fail)
    response = shopper.checkout(email=None)

    assert response.status_code == 302
    assert "is placed" in shopper.get(response.location).get_data(as_text=True)
    assert count(app, Order) == 1
    assert (count(app, Customer), count(app, Contact), count(app, Address)) == (0, 0, 0)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.status == LeadStatus.OPEN
        assert not [e for e in lead.history if e.event in ("order_placed", "converted")]
    assert "record_order failed" in caplog.text

    # The order's event was kept with the order; a retry converts the lead, once.
    monkeypatch.undo()
    runner = app.test_cli_runner()
    assert "0 kept events handled" in runner.invoke(args=["leads", "retry"]).output  # not due
    with app.app_context():
        db.session.execute(update(InboundEvent).values(next_attempt_at=utcnow()))
        db.session.commit()
    output = runner.invoke(args=["leads", "retry"]).output
    assert "1 kept event handled" in output and "0 events still waiting" in output
    assert "0 kept events handled" in runner.invoke(args=["leads", "retry"]).output
    assert (count(app, Customer), count(app, Contact), count(app, Address)) == (1, 1, 2)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.status == LeadStatus.CONVERTED
        assert len([e for e in lead.history if e.event == "converted"]) == 1


def test_a_guest_checkout_is_one_commit_with_its_events(app: Flask, shopper: Shopper) -> None:
    """The order, its ``order_placed`` and the emptied cart's ``cart_changed`` are written
    by the order's one transaction (events handed off, as in worker mode): the plug-in
    adds no commit of its own to the shop's checkout."""
    shopper.add_to_cart("TEA-002")
    handed: list[int] = []
    app.extensions[handoff.KEY] = handoff.Handoff(event=handed.append, email=handed.append)
    with app.app_context():
        engine = db.engine
    commits: list[object] = []
    listener = commits.append
    sa.event.listen(engine, "commit", listener)
    try:
        assert shopper.checkout(email="one@example.com").status_code == 302
    finally:
        sa.event.remove(engine, "commit", listener)
    assert len(commits) == 1
    with app.app_context():
        kinds = db.session.scalars(
            select(InboundEvent.kind).where(InboundEvent.id.in_(handed)).order_by(InboundEvent.id)
        ).all()
    assert kinds == ["order_placed", "cart_changed"]
