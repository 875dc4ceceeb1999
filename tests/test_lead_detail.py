"""The back office's lead page: edit with validation, status by hand, notes, logged
calls and emails driving the status, addresses, contacts, and Make → Customer."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import LeadSource, LeadStatus, capture_lead
from leadcapture.models import Customer, Lead, TrackedCart
from storefront.extensions import db

from .helpers import Shopper, count, guest_with_cart


@pytest.fixture
def lead_id(app: Flask) -> int:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, lead_name="Ann Ray", email="ann@example.com"
        )
        db.session.commit()
        return lead.id


def fresh(app: Flask, lead_id: int) -> Lead:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead is not None
        _ = (lead.history, lead.addresses, lead.contacts, lead.customer)
        db.session.expunge_all()
        return lead


FIELDS = {
    "lead_name": "Ann Ray",
    "email": "ann@example.com",
    "status": "Lead",
    "source": "Reference",
}


def test_staff_edit_every_field_and_set_the_status(
    app: Flask, staff: Shopper, lead_id: int
) -> None:
    url = f"/backoffice/leads/{lead_id}"
    soon = (date.today() + timedelta(days=3)).isoformat()
    response = staff.submit(
        url,
        {
            **FIELDS,
            "is_organization": "y",
            "company_name": "Ray & Co",
            "status": "Opportunity",
            "industry": "Tea",
            "gender": "Female",
            "lead_type": "Client",
            "next_contact_date": soon,
            "next_contact_by": "1",
            "notes": "Met at the fair.",
        },
    )
    assert response.status_code == 302
    lead = fresh(app, lead_id)
    assert (lead.is_organization, lead.company_name, lead.status, lead.industry) == (
        True,
        "Ray & Co",
        "Opportunity",
        "Tea",
    )
    assert lead.next_contact_date.isoformat() == soon
    page = staff.get(url).get_data(as_text=True)  # reached from its header in one tap
    assert '<p class="lead-reach"><a href="mailto:ann@example.com">' in page
    assert lead.history[0].subject == "Status changed from Lead to Opportunity"
    page = staff.get(url).get_data(as_text=True)
    assert '<span class="staff-name">Demo Staff</span>' in page
    assert '<option value="1">Demo Staff</option>' in page  # the staff offered by name
    ids = [i for i in re.findall(r'\sid="([^"]+)"', page) if i != "csrf_token"]
    assert len(ids) == len(set(ids)), "each label names one field"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "nope"}, "email"),
        ({"is_organization": "y", "company_name": ""}, "company_name"),
        ({"lead_name": "", "email": ""}, "lead_name"),  # nobody to name it by
        ({"lead_name": "x" * 10_000}, "lead_name"),
        ({"status": "Hot"}, "status"),
        ({"next_contact_date": "2001-01-01"}, "next_contact_date"),
        ({"next_contact_date": "soon"}, "next_contact_date"),
        ({"assigned_to": "999"}, "assigned_to"),  # no such user
        ({"next_contact_by": "2"}, "next_contact_by"),  # a shopper, not staff
    ],
)
def test_bad_edits_are_refused_naming_the_field(
    app: Flask, staff: Shopper, shopper: Shopper, lead_id: int, changes: dict, field: str
) -> None:
    shopper.register(email="shopper@example.com")  # user 2
    response = staff.submit(f"/backoffice/leads/{lead_id}", {**FIELDS, **changes})
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert fresh(app, lead_id).lead_name == "Ann Ray"


def test_notes_and_logged_communications_drive_the_status(
    app: Flask, staff: Shopper, lead_id: int
) -> None:
    url = f"/backoffice/leads/{lead_id}"
    staff.submit(url, {"body": "Likes green tea."}, action=f"{url}/notes")
    staff.submit(
        url,
        {"medium": "call", "direction": "sent", "subject": "Intro call"},
        action=f"{url}/communications",
    )
    assert fresh(app, lead_id).status == LeadStatus.REPLIED
    staff.submit(
        url,
        {"medium": "email", "direction": "received", "subject": "Question"},
        action=f"{url}/communications",
    )
    lead = fresh(app, lead_id)
    assert lead.status == LeadStatus.OPEN
    subjects = [e.subject for e in lead.history]
    assert subjects.index("Email received: Question") < subjects.index("Call sent: Intro call")
    assert "Likes green tea." in subjects
    page = staff.get(url).get_data(as_text=True)
    assert "Likes green tea." in page and "Call sent: Intro call" in page


def test_addresses_and_several_contacts_are_added(app: Flask, staff: Shopper, lead_id: int) -> None:
    url = f"/backoffice/leads/{lead_id}"
    staff.submit(
        url,
        {"address_type": "Office", "address_line1": "1 Quay", "city": "Cork", "country": "Ireland"},
        action=f"{url}/addresses",
    )
    for name in ("Bo Buyer", "Cy Clerk"):
        staff.submit(
            url,
            {"full_name": name, "email": f"{name[:2].lower()}@ray.example"},
            action=f"{url}/contacts",
        )
    refused = staff.submit(url, {"full_name": "Bad", "email": "nope"}, action=f"{url}/contacts")
    assert refused.status_code == 400 and 'data-field="email"' in refused.get_data(True)
    lead = fresh(app, lead_id)
    assert [a.name for a in lead.addresses] == ["Ann Ray-Office"]
    assert [c.full_name for c in lead.contacts] == ["Bo Buyer", "Cy Clerk"]


def test_make_customer_by_hand_is_the_checkout_conversion(
    app: Flask, staff: Shopper, lead_id: int
) -> None:
    url = f"/backoffice/leads/{lead_id}"
    assert staff.submit(url, {}, action=f"{url}/convert").status_code == 302
    lead = fresh(app, lead_id)
    assert lead.status == LeadStatus.CONVERTED and lead.customer.customer_name == "Ann Ray"
    assert "Make → Customer" not in staff.get(url).get_data(as_text=True)
    assert count(app, Customer) == 1


def test_the_lead_page_escapes_what_shoppers_typed(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    shopper.register(full_name="<img src=x onerror=alert(1)>")
    with app.app_context():
        lead_id = db.session.scalars(select(Lead.id)).one()
    page = staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_lead_page_calls_the_leads_own_shopper_the_shopper(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    """Its owner and the hand behind its sign-up are the shopper's web account: named as
    such, not by an id staff cannot place; a staff user's own lines keep their name."""
    shopper.register(email="jane@example.com")
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        lead_id, web_user = lead.id, lead.web_user_id
    url = f"/backoffice/leads/{lead_id}"
    staff.submit(url, {"body": "Called her"}, action=f"{url}/notes")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", staff.get(url).get_data(as_text=True)))
    assert "owner the shopper" in page and "· the shopper Signed up on the shop" in page
    assert f"#{web_user}" not in page and "Called her" in page and "· #" not in page
    staff.get("/language/pt?next=/")
    assert "responsável o comprador" in staff.get(url).get_data(as_text=True)


def test_the_lead_page_lists_the_carts_of_its_web_account(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    """The cart a signed-up shopper ordered is on their lead's page, linked, beside any
    cart of theirs that was abandoned; someone else's cart is not."""
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    guest_with_cart(app, "gus@example.com")
    with app.app_context():
        lead_id = db.session.scalar(select(Lead.id).where(Lead.email == "jane@example.com"))
        cart_id = db.session.scalar(select(TrackedCart.id).where(TrackedCart.user_id.is_not(None)))
    page = staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    carts = page[
        page.index('class="lead-carts') : page.index("</section>", page.index('class="lead-carts'))
    ]
    assert f'href="/backoffice/carts/{cart_id}"' in carts and "Ordered" in carts
    assert carts.count("<li>") == 1


def test_opportunities_and_quotations_drive_the_status(
    app: Flask, staff: Shopper, lead_id: int
) -> None:
    url = f"/backoffice/leads/{lead_id}"
    assert (
        staff.submit(
            url, {"title": "Office tea supply", "amount": "1200"}, action=f"{url}/opportunities"
        ).status_code
        == 302
    )
    assert fresh(app, lead_id).status == LeadStatus.OPPORTUNITY
    staff.submit(
        url, {"cart_id": "", "total": "980.50", "currency": "eur"}, action=f"{url}/quotations"
    )
    assert fresh(app, lead_id).status == LeadStatus.QUOTATION
    staff.submit(url, {"reason": "Went with a rival"}, action=f"{url}/quotations/1/lost")
    assert fresh(app, lead_id).status == LeadStatus.LOST_QUOTATION
    page = staff.get(url).get_data(as_text=True)
    assert "Office tea supply: 1200.00" in page and "980.50 EUR" in page
    assert "Lost: Went with a rival" in page


def test_a_quotation_from_an_abandoned_cart_takes_its_lines(app: Flask, staff: Shopper) -> None:
    from .helpers import age_carts, sweep

    guest_with_cart(app, "gus@example.com", "POT-001", 2)
    age_carts(app, 120)
    sweep(app)
    with app.app_context():
        from leadcapture.models import Quotation, TrackedCart

        lead_id, cart_id = db.session.execute(select(TrackedCart.lead_id, TrackedCart.id)).one()
    url = f"/backoffice/leads/{lead_id}"
    assert f'<option value="{cart_id}">' in staff.get(url).get_data(as_text=True)
    staff.submit(url, {"cart_id": str(cart_id)}, action=f"{url}/quotations")
    with app.app_context():
        quotation = db.session.scalars(select(Quotation)).one()
        assert quotation.total == 98 and quotation.lines[0]["sku"] == "POT-001"


@pytest.mark.parametrize(
    "path, data, field",
    [
        ("opportunities", {"title": "", "amount": "1"}, "title"),
        ("opportunities", {"title": "X", "amount": "lots"}, "amount"),
        ("quotations", {"cart_id": "", "total": ""}, "total"),
        ("quotations", {"cart_id": "999", "total": ""}, "cart_id"),
        ("quotations", {"cart_id": "", "total": "-5"}, "total"),
    ],
)
def test_bad_deals_are_refused_naming_the_field(
    app: Flask, staff: Shopper, lead_id: int, path: str, data: dict, field: str
) -> None:
    url = f"/backoffice/leads/{lead_id}"
    response = staff.submit(url, data, action=f"{url}/{path}")
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert fresh(app, lead_id).status == LeadStatus.LEAD


def test_staff_edit_addresses_and_contacts(app: Flask, staff: Shopper, lead_id: int) -> None:
    url = f"/backoffice/leads/{lead_id}"
    staff.submit(
        url,
        {"address_type": "Office", "address_line1": "1 Quay", "city": "Cork", "country": "Ireland"},
        action=f"{url}/addresses",
    )
    staff.submit(
        url, {"full_name": "Bo Buyer", "email": "bo@ray.example"}, action=f"{url}/contacts"
    )
    lead = fresh(app, lead_id)
    address_url = f"/backoffice/addresses/{lead.addresses[0].id}"
    contact_url = f"/backoffice/contacts/{lead.contacts[0].id}"
    assert (
        staff.submit(
            address_url,
            {
                "address_type": "Office",
                "address_line1": "2 Quay",
                "city": "Galway",
                "country": "Ireland",
            },
        ).status_code
        == 302
    )
    assert (
        staff.submit(contact_url, {"full_name": "Bo Boss", "phone": "+353 1 234 5678"}).status_code
        == 302
    )
    bad = staff.submit(
        address_url,
        {"address_type": "Office", "address_line1": "2 Quay", "city": "", "country": "Ireland"},
    )
    assert bad.status_code == 400 and 'data-field="city"' in bad.get_data(as_text=True)
    lead = fresh(app, lead_id)
    assert (lead.addresses[0].city, lead.addresses[0].name) == ("Galway", "Ann Ray-Office")
    assert (lead.contacts[0].full_name, lead.contacts[0].phone) == ("Bo Boss", "+353 1 234 5678")
    assert staff.get("/backoffice/addresses/999").status_code == 404


def test_the_lead_list_sorts_by_its_column_headers(app, staff) -> None:  # type: ignore[no-untyped-def]
    import re as regex

    from leadcapture import capture_lead
    from storefront.extensions import db as database

    with app.app_context():
        for name in ("Bea", "Al", "Cy"):
            capture_lead(database.session, source="Reference", lead_name=name)
        database.session.commit()
    page = staff.get("/backoffice/").get_data(as_text=True)
    assert regex.search(r'aria-sort="descending"><a href="[^"]*sort=created_at">Created ▼', page)
    by_name = regex.search(r'<th scope="col"><a href="([^"]+)">Name</a>', page).group(1)  # type: ignore[union-attr]
    page = staff.get(by_name.replace("&amp;", "&")).get_data(as_text=True)
    assert "Name ▲" in page
    names = regex.findall(r'<td data-label="Name">([^<]*)</td>', page)
    assert names == ["Al", "Bea", "Cy"]


def test_staff_act_on_the_leads_they_tick(app, staff) -> None:  # type: ignore[no-untyped-def]
    from leadcapture import capture_lead
    from leadcapture.models import HistoryEntry, Lead
    from storefront.extensions import db as database

    from .helpers import csrf_token

    with app.app_context():
        ids = []
        for name in ("Al", "Bea", "Cy"):
            lead, _ = capture_lead(
                database.session, source="Reference", lead_name=name, email=f"{name}@example.com"
            )
            ids.append(lead.id)
        database.session.commit()
    page = staff.get("/backoffice/").get_data(as_text=True)
    assert 'form="bulk" aria-label="Select LEAD-' in page
    token = csrf_token(page)
    chosen = [str(ids[0]), str(ids[2])]
    done = staff.client.post(
        "/backoffice/leads/bulk",
        data={
            "csrf_token": token,
            "ids": chosen,
            "status": "Interested",
            "assigned_to": "1",
            "apply": "1",
        },
    )
    assert done.status_code == 302
    with app.app_context():
        leads = {lead.lead_name: lead for lead in database.session.query(Lead)}
        assert {n: (leads[n].status, leads[n].assigned_to) for n in leads} == {
            "Al": ("Interested", "1"),
            "Bea": ("Lead", None),
            "Cy": ("Interested", "1"),
        }
        changes = database.session.query(HistoryEntry).filter_by(
            event="status_changed", created_by="1"
        )
        assert changes.count() == 2

    soon = date.today() + timedelta(days=2)
    staff.client.post(  # a day to call them back, whoever is assigned
        "/backoffice/leads/bulk",
        data={"csrf_token": token, "ids": chosen, "next_contact_date": str(soon), "apply": "1"},
    )
    past = staff.client.post(
        "/backoffice/leads/bulk",
        data={"csrf_token": token, "ids": [str(ids[1])], "next_contact_date": "2020-01-01"},
        follow_redirects=True,
    )
    assert "next_contact_date: Must not be in the past." in past.get_data(as_text=True)
    with app.app_context():
        days = {lead.lead_name: lead.next_contact_date for lead in database.session.query(Lead)}
        assert days == {"Al": soon, "Bea": None, "Cy": soon}

    exported = staff.client.post(
        "/backoffice/leads/bulk", data={"csrf_token": token, "ids": chosen, "export": "1"}
    )
    rows = exported.get_data(as_text=True).splitlines()
    assert exported.mimetype == "text/csv" and len(rows) == 3
    assert not any("Bea" in row for row in rows)

    refused = staff.client.post(
        "/backoffice/leads/bulk",
        data={"csrf_token": token, "ids": [str(ids[1]), "x"], "status": "Open", "apply": "1"},
        follow_redirects=True,
    )
    assert "ids: Lead ids are whole numbers." in refused.get_data(as_text=True)
    bad_status = staff.client.post(
        "/backoffice/leads/bulk",
        data={"csrf_token": token, "ids": [str(ids[1])], "status": "Hot", "apply": "1"},
        follow_redirects=True,
    )
    assert "status:" in bad_status.get_data(as_text=True)
    without_token = staff.client.post(
        "/backoffice/leads/bulk", data={"ids": chosen, "status": "Open"}
    )
    assert without_token.status_code == 400
    with app.app_context():
        assert database.session.query(Lead).filter_by(status="Open").count() == 0
