"""The back office's JSON API: staff only (session or bearer token), the README's shapes,
keyset pages, and errors that name the field."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import LeadSource, LeadStatus, capture_lead
from leadcapture.models import Customer, Lead
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper, count, csrf_token, guest_with_cart

API = "/backoffice/api"
ROUTES = [
    ("get", f"{API}/leads"),
    ("get", f"{API}/leads/1"),
    ("post", f"{API}/leads"),
    ("patch", f"{API}/leads/1"),
    ("post", f"{API}/leads/1/notes"),
    ("post", f"{API}/leads/1/convert"),
]
LEAD_KEYS = {
    "id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
    "language",
    "score",
    "score_reasons",
    "name",
    "lead_name",
    "company_name",
    "is_organization",
    "email",
    "phone",
    "gender",
    "status",
    "source",
    "lead_type",
    "market_segment",
    "industry",
    "owner",
    "assigned_to",
    "next_contact_date",
    "next_contact_by",
    "customer",
    "created_at",
    "updated_at",
}


def make_leads(app: Flask, n: int, **fields) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        ids = []
        for i in range(n):
            lead, _ = capture_lead(
                db.session,
                source=fields.get("source", LeadSource.REFERENCE),
                lead_name=f"Person {i:03d}",
                email=f"p{i}@example.com",
            )
            ids.append(lead.id)
        db.session.commit()
        return ids


def token_for(staff: Shopper) -> str:
    page = staff.submit("/backoffice/tokens", {"name": "laptop"}).get_data(as_text=True)
    return re.search(r"<code>(lc_[\w-]+)</code>", page).group(1)  # type: ignore[union-attr]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method, url", ROUTES)
def test_anonymous_callers_get_401_and_shoppers_403(
    client, shopper: Shopper, method: str, url: str
) -> None:  # type: ignore[no-untyped-def]
    response = getattr(client, method)(url, json={})
    assert response.status_code == 401 and "authorization" in response.get_json()["errors"]
    shopper.register()
    response = getattr(shopper.client, method)(url, json={})
    assert response.status_code == 403 and "authorization" in response.get_json()["errors"]


def test_a_bearer_token_works_until_revoked(app: Flask, staff: Shopper, client) -> None:  # type: ignore[no-untyped-def]
    make_leads(app, 2)
    token = token_for(staff)
    response = client.get(f"{API}/leads", headers=bearer(token))
    assert response.status_code == 200 and len(response.get_json()["items"]) == 2
    created = client.post(
        f"{API}/leads",
        headers=bearer(token),
        json={"lead_name": "By Token", "source": "Cold Calling"},
    )
    assert created.status_code == 201  # no CSRF token needed with a bearer token
    page = staff.get("/backoffice/tokens").get_data(as_text=True)
    token_id = re.search(r"/backoffice/tokens/(\d+)/revoke", page).group(1)  # type: ignore[union-attr]
    staff.submit("/backoffice/tokens", {}, action=f"/backoffice/tokens/{token_id}/revoke")
    assert client.get(f"{API}/leads", headers=bearer(token)).status_code == 401
    assert client.get(f"{API}/leads", headers=bearer("lc_made-up")).status_code == 401


def test_a_token_of_someone_no_longer_staff_is_refused(app: Flask, staff: Shopper, client) -> None:  # type: ignore[no-untyped-def]
    token = token_for(staff)
    with app.app_context():
        db.session.scalars(select(User).where(User.is_staff.is_(True))).one().is_staff = False
        db.session.commit()
    assert client.get(f"{API}/leads", headers=bearer(token)).status_code == 403


def test_tokens_are_stored_only_as_digests(app: Flask, staff: Shopper) -> None:
    from leadcapture.models import ApiToken

    token = token_for(staff)
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert token not in (stored.digest, stored.name) and len(stored.digest) == 64


def test_a_session_write_needs_the_csrf_header(app: Flask, staff: Shopper) -> None:
    response = staff.client.post(f"{API}/leads", json={"lead_name": "X", "source": "Reference"})
    assert response.status_code == 400 and "csrf_token" in response.get_json()["errors"]
    header = csrf_token(staff.get("/backoffice/tokens").get_data(as_text=True))
    response = staff.client.post(
        f"{API}/leads",
        json={"lead_name": "X", "source": "Reference"},
        headers={"X-CSRFToken": header},
    )
    assert response.status_code == 201


def walk(staff: Shopper, first: str) -> list[int]:
    """The ids of every page of a list, following its cursors from ``first``."""
    seen: list[int] = []
    url = first
    while url:
        body = staff.get(url).get_json()
        seen += [item["id"] for item in body["items"]]
        url = f"{first}&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    return seen


def test_the_list_pages_by_cursor_through_every_lead_once(app: Flask, staff: Shopper) -> None:
    ids = make_leads(app, 23)
    assert walk(staff, f"{API}/leads?limit=5&sort=lead_name") == ids
    newest = staff.get(f"{API}/leads?limit=3").get_json()
    assert [i["id"] for i in newest["items"]] == ids[::-1][:3]
    assert newest["counts"]["Lead"] == 23 and set(newest["counts"]) == set(LeadStatus)
    assert set(newest["items"][0]) == LEAD_KEYS


def test_the_list_filters_and_searches(app: Flask, staff: Shopper) -> None:
    make_leads(app, 3)
    with app.app_context():
        lead, _ = capture_lead(
            db.session,
            source=LeadSource.EXHIBITION,
            is_organization=True,
            company_name="Acme_100% Ltd",
            email="buyer@acme.example",
        )
        lead.assigned_to = "7"
        db.session.commit()

    def names(query: str) -> list[str]:
        return [
            i["company_name"] or i["lead_name"]
            for i in staff.get(f"{API}/leads?{query}").get_json()["items"]
        ]

    assert names("source=Exhibition") == ["Acme_100% Ltd"]
    assert names("q=acme_100") == ["Acme_100% Ltd"]
    assert names("q=ACME.EXAMPLE") == ["Acme_100% Ltd"]
    assert names("q=person_0") == []  # "_" is a character, not a wildcard
    assert names("assigned_to=7") == ["Acme_100% Ltd"]
    assert len(names("status=Lead")) == 4 and names("status=Open") == []
    today = date.today()
    assert len(names(f"created_after={today - timedelta(days=1)}")) == 4
    assert names(f"created_before={today - timedelta(days=1)}") == []


def test_the_list_filters_by_follow_up(app: Flask, staff: Shopper) -> None:
    """Everyone's follow-ups due today or overdue (a manager's view; Converted and Do Not
    Contact leads have none to do), those on a later day, and the leads with none."""
    make_leads(app, 5)
    today = date.today()
    with app.app_context():
        leads = db.session.scalars(select(Lead).order_by(Lead.id)).all()
        leads[0].next_contact_date = today - timedelta(days=3)
        leads[1].next_contact_date, leads[1].next_contact_by = today, "7"
        leads[2].next_contact_date = today + timedelta(days=1)
        leads[3].next_contact_date, leads[3].status = today, "Converted"
        db.session.commit()
        names = [lead.lead_name for lead in leads]

    def found(which: str) -> list[str]:
        items = staff.get(f"{API}/leads?follow_up={which}&sort=lead_name").get_json()["items"]
        return [i["lead_name"] for i in items]

    assert found("due") == names[:2]
    assert found("later") == [names[2]]
    assert found("none") == [names[4]]
    page = staff.get("/backoffice/?follow_up=due").get_data(as_text=True)
    assert names[0] in page and names[2] not in page
    assert f"Follow-up on {today - timedelta(days=3)}" in page
    assert staff.get(f"{API}/leads?follow_up=soon").get_json()["errors"]["follow_up"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=Hot", "status"),
        ("source=Pigeon", "source"),
        ("limit=0", "limit"),
        ("limit=lots", "limit"),
        ("sort=colour", "sort"),
        ("cursor=%%%", "cursor"),
        ("cursor=WzEsMl0", "cursor"),
        ("created_after=yesterday", "created_after"),
        ("colour=red", "colour"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_bad_list_parameters_get_400_naming_the_field(
    staff: Shopper, query: str, field: str
) -> None:
    response = staff.get(f"{API}/leads?{query}")
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_detail_create_update_note_and_convert(app: Flask, staff: Shopper) -> None:
    header = {"X-CSRFToken": csrf_token(staff.get("/backoffice/tokens").get_data(as_text=True))}
    created = staff.client.post(
        f"{API}/leads",
        headers=header,
        json={
            "lead_name": "Ann Ray",
            "email": "ANN@example.com",
            "source": "Reference",
            "phone": "+44 20 7946 0000",
        },
    )
    assert created.status_code == 201
    lead = created.get_json()
    assert lead["status"] == "Lead" and lead["email"] == "ann@example.com"
    assert set(lead) >= LEAD_KEYS | {"addresses", "contacts", "history"}
    again = staff.client.post(
        f"{API}/leads",
        headers=header,
        json={"lead_name": "Ann Ray", "email": "ann@EXAMPLE.com", "source": "Web Form"},
    )
    assert again.status_code == 200 and again.get_json()["id"] == lead["id"]

    url = f"{API}/leads/{lead['id']}"
    patched = staff.client.patch(
        url, headers=header, json={"status": "Opportunity", "industry": "Tea"}
    )
    assert patched.get_json()["status"] == "Opportunity" and patched.get_json()["industry"] == "Tea"
    note = staff.client.post(f"{url}/notes", headers=header, json={"body": "Called, keen."})
    assert note.status_code == 201
    assert staff.get(url).get_json()["history"][0]["body"] == "Called, keen."

    converted = staff.client.post(f"{url}/convert", headers=header).get_json()
    assert converted["status"] == "Converted"
    assert converted["customer"]["customer_name"] == "Ann Ray"
    staff.client.post(f"{url}/convert", headers=header)
    assert count(app, Customer) == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"lead_name": "A"}, "source"),
        ({"lead_name": "A", "source": "Reference", "email": "nope"}, "email"),
        ({"source": "Reference"}, "lead_name"),
        ({"source": "Reference", "is_organization": True, "lead_name": "A"}, "company_name"),
        ({"source": "Reference", "lead_name": "x" * 10_000}, "lead_name"),
        ({"source": "Reference", "lead_name": "A", "status": "Hot"}, "status"),
        ({"source": "Reference", "lead_name": "A", "shoe_size": 9}, "shoe_size"),
        ({"source": "Reference", "lead_name": ["A"]}, "lead_name"),
        ([1, 2], "body"),
        ("just text", "body"),
    ],
)
def test_bad_input_to_create_gets_400_naming_the_field(
    app: Flask, staff: Shopper, payload, field: str
) -> None:  # type: ignore[no-untyped-def]
    header = {"X-CSRFToken": csrf_token(staff.get("/backoffice/tokens").get_data(as_text=True))}
    response = staff.client.post(f"{API}/leads", headers=header, json=payload)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    assert count(app, Lead) == 0


def test_unknown_leads_and_bad_updates(app: Flask, staff: Shopper) -> None:
    [lead_id] = make_leads(app, 1)
    header = {"X-CSRFToken": csrf_token(staff.get("/backoffice/tokens").get_data(as_text=True))}
    assert staff.get(f"{API}/leads/999999").status_code == 404
    response = staff.client.patch(
        f"{API}/leads/{lead_id}",
        headers=header,
        json={"email": "not-an-email", "lead_name": "Changed"},
    )
    assert response.status_code == 400 and "email" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.get(Lead, lead_id).lead_name == "Person 000"
    empty_note = staff.client.post(
        f"{API}/leads/{lead_id}/notes", headers=header, json={"body": "  "}
    )
    assert empty_note.status_code == 400 and "body" in empty_note.get_json()["errors"]
    for field, value in (("assigned_to", "999"), ("next_contact_by", ["1"])):
        response = staff.client.patch(f"{API}/leads/{lead_id}", headers=header, json={field: value})
        assert response.status_code == 400 and field in response.get_json()["errors"]
    assigned = staff.client.patch(f"{API}/leads/{lead_id}", headers=header, json={"assigned_to": 1})
    assert assigned.status_code == 200 and assigned.get_json()["assigned_to"] == "1"


def test_the_token_page_is_staff_only(client, shopper: Shopper) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/backoffice/tokens").status_code == 302
    shopper.register()
    assert shopper.get("/backoffice/tokens").status_code == 403


def test_the_html_list_filters_and_pages(app: Flask, staff: Shopper) -> None:
    make_leads(app, 7)
    app.config["LEADCAPTURE_PAGE_SIZE"] = 5
    first = staff.get("/backoffice/?sort=lead_name").get_data(as_text=True)
    assert "Person 000" in first and "Person 005" not in first
    following = re.search(r'class="next-page" href="([^"]+)"', first).group(1)  # type: ignore[union-attr]
    second = staff.get(following.replace("&amp;", "&")).get_data(as_text=True)
    assert "Person 005" in second and "Person 000" not in second
    searched = staff.get("/backoffice/?q=person+003").get_data(as_text=True)
    assert "Person 003" in searched and "Person 004" not in searched
    assert "Lead: 7" in searched
    refused = staff.get("/backoffice/?status=Hot")
    assert refused.status_code == 200 and 'data-field="status"' in refused.get_data(as_text=True)


def test_carts_and_customers_in_the_api(app: Flask, staff: Shopper, shopper: Shopper) -> None:
    from .helpers import age_carts, sweep

    shopper.register(email="jane@example.com", full_name="Jane Doe")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        guest_with_cart(app, email, "MUG-001", 1)
    age_carts(app, 120)
    sweep(app)

    abandoned = staff.get(f"{API}/carts?state=abandoned&limit=2").get_json()
    assert len(abandoned["items"]) == 2 and abandoned["next_cursor"]
    assert abandoned["items"][0]["total"] == "14.00" and abandoned["items"][0]["lead_id"]
    rest = staff.get(f"{API}/carts?state=abandoned&limit=2&cursor={abandoned['next_cursor']}")
    assert len(rest.get_json()["items"]) == 1 and rest.get_json()["next_cursor"] is None
    assert staff.get(f"{API}/carts?state=gone").status_code == 400
    assert staff.get(f"{API}/carts?limit=x").status_code == 400

    [customer] = staff.get(f"{API}/customers").get_json()["items"]
    assert customer["customer_name"] == "Jane Doe" and customer["customer_type"] == "Individual"
    assert customer["contacts"][0]["email"] == "jane@example.com"
    detail = staff.get(f"{API}/customers/{customer['id']}").get_json()
    assert {a["address_type"] for a in detail["addresses"]} == {"Billing", "Shipping"}
    events = [entry["event"] for entry in detail["history"]]  # its lead's, newest first
    assert events[0] == "converted" and "signed_up" in events and "history" not in customer
    assert staff.get(f"{API}/customers/999").status_code == 404


def test_search_is_served_by_trigram_indexes_on_postgresql(app: Flask) -> None:
    """The infix search's plan uses the pg_trgm GIN index of migration lc0008."""
    from leadcapture.leadlist import search_leads

    from .helpers import plan, statements

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("trigram indexes are PostgreSQL's")
        with db.engine.begin() as connection:  # enough leads for the planner to choose
            connection.exec_driver_sql(
                "INSERT INTO lc_leads (name, lead_name, email, status, is_organization,"
                " created_at, updated_at) SELECT 'LEAD-' || n, 'Person ' || n,"
                " 'p' || n || '@example.com', 'Lead', false, now(), now()"
                " FROM generate_series(1, 20000) AS n"
            )
            connection.exec_driver_sql("ANALYZE lc_leads")
        with statements(db.engine) as seen:
            found = search_leads(db.session, {"q": "son 12345"}).items
            assert [lead.lead_name for lead in found] == ["Person 12345"]
        statement, parameters = seen[-1]
        lines = plan(db.engine, statement, parameters)
    assert "ix_lc_leads_search" in "\n".join(lines)


def test_customer_search_is_served_by_trigram_indexes_on_postgresql(app: Flask) -> None:
    """The customer list's search reads the pg_trgm GIN indexes of lc0024 (customers and
    contacts), not every customer (its leads' arm reads lc0008's, proved above)."""
    from leadcapture.customerlist import customer_search
    from leadcapture.models import Customer

    from .helpers import plan, statements

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("trigram indexes are PostgreSQL's")
        with db.engine.begin() as connection:  # enough rows for the planner to choose
            connection.exec_driver_sql(
                "INSERT INTO lc_customers (name, customer_name, customer_type, created_at)"
                " SELECT 'CUST-' || n, 'Buyer ' || n, 'Individual', now()"
                " FROM generate_series(1, 100000) AS n"
            )
            connection.exec_driver_sql(
                "INSERT INTO lc_contacts (full_name, email, customer_id, is_primary, created_at)"
                " SELECT 'Person ' || id, 'p' || id || '@example.com', id, true, now()"
                " FROM lc_customers"
            )
            connection.exec_driver_sql("ANALYZE lc_customers")
            connection.exec_driver_sql("ANALYZE lc_contacts")
        with statements(db.engine) as seen:
            query = select(Customer).where(customer_search("p12345@exa"))
            found = db.session.scalars(query).all()
            assert [c.customer_name for c in found] == ["Buyer 12345"]
        statement, parameters = seen[-1]
        lines = "\n".join(plan(db.engine, statement, parameters))
    for index in ("ix_lc_customers_search", "ix_lc_contacts_search"):
        assert index in lines, lines


@pytest.mark.parametrize(
    "sort", ["-created_at", "created_at", "-updated_at", "-lead_name", "-score", "score"]
)
def test_cursors_walk_ties_once_each(app: Flask, staff: Shopper, sort: str) -> None:
    """Leads made in the same instant (an import, a sweep) page by their id."""
    from sqlalchemy import update

    from leadcapture.models.base import utcnow

    ids = make_leads(app, 7)
    with app.app_context():
        same = utcnow()
        db.session.execute(update(Lead).values(created_at=same, updated_at=same, lead_name="Twin"))
        db.session.commit()
    seen = walk(staff, f"{API}/leads?limit=3&sort={sort}")
    assert sorted(seen) == sorted(ids) and len(seen) == 7
