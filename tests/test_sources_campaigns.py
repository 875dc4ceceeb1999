"""Sources the owner keeps (add, rename, retire; the built-in ones stay) and campaigns:
a landing's UTM values and referrer kept for the visit and carried onto the cart, the
sign-up and the order; the dashboard by source and by campaign for a date range."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture.models import HistoryEntry, Lead, TrackedCart
from storefront.extensions import db

from .conftest import Inbox
from .helpers import Shopper, age_carts, capture_email, csrf_token, sweep
from .test_recovery import links, path

API = "/backoffice/api"


def api_create(staff: Shopper, **lead: Any) -> Any:
    token = csrf_token(staff.get("/backoffice/").get_data(as_text=True))
    return staff.client.post(f"{API}/leads", json=lead, headers={"X-CSRFToken": token})


def add(staff: Shopper, name: str) -> Any:
    return staff.submit("/backoffice/sources", {"name": name})


def test_the_owner_adds_renames_and_retires_a_source(app: Flask, staff: Shopper) -> None:
    assert add(staff, "Instagram").status_code == 302
    page = staff.get("/backoffice/sources").get_data(as_text=True)
    assert "Instagram" in page and "Abandoned Cart" in page  # theirs and the built-in ones
    made = api_create(staff, source="instagram", email="ig@example.com")
    assert made.status_code == 201 and made.get_json()["source"] == "Instagram"
    lead_page = staff.get(f"/backoffice/leads/{made.get_json()['id']}").get_data(as_text=True)
    assert "<option selected>Instagram</option>" in lead_page.replace(' value="Instagram"', "")

    staff.submit(
        "/backoffice/sources",
        {"source": "Instagram", "name": "Instagram Ads"},
        action="/backoffice/sources/rename",
    )
    with app.app_context():
        assert db.session.scalar(select(Lead.source)) == "Instagram Ads"  # its leads follow

    staff.submit(
        "/backoffice/sources",
        {"source": "Instagram Ads", "active": "0"},
        action="/backoffice/sources/retire",
    )
    refused = api_create(staff, source="Instagram Ads", email="late@example.com")
    assert refused.status_code == 400 and "source" in refused.get_json()["errors"]
    lead_id = made.get_json()["id"]
    token = csrf_token(staff.get("/backoffice/").get_data(as_text=True))
    kept = staff.client.patch(
        f"{API}/leads/{lead_id}",
        json={"source": "Instagram Ads", "industry": "Tea"},
        headers={"X-CSRFToken": token},
    )
    assert kept.status_code == 200  # a lead that has a retired source keeps it
    staff.submit(
        "/backoffice/sources",
        {"source": "Instagram Ads", "active": "1"},
        action="/backoffice/sources/retire",
    )
    assert api_create(staff, source="Instagram Ads", email="back@example.com").status_code == 201


def test_the_built_in_sources_stay(app: Flask, staff: Shopper) -> None:
    answer = staff.submit(
        "/backoffice/sources",
        {"source": "Checkout", "name": "Till"},
        action="/backoffice/sources/rename",
        follow=True,
    )
    assert "Checkout is built in" in answer.get_data(as_text=True)
    staff.submit(
        "/backoffice/sources",
        {"source": "Checkout", "active": "0"},
        action="/backoffice/sources/retire",
    )
    assert api_create(staff, source="Checkout", email="c@example.com").status_code == 201


@pytest.mark.parametrize("name", ["", "checkout", "Web Form", "x" * 41, "bad\x00name"])
def test_a_source_name_that_cannot_be_added_is_named(staff: Shopper, name: str) -> None:
    answer = add(staff, name)
    assert answer.status_code == 400 and 'data-field="name"' in answer.get_data(as_text=True)


def test_an_unknown_source_is_refused_everywhere(staff: Shopper) -> None:
    answer = api_create(staff, source="Carrier Pigeon", email="p@example.com")
    assert answer.status_code == 400 and "source" in answer.get_json()["errors"]
    listed = staff.get(f"{API}/leads?source=Carrier%20Pigeon")
    assert listed.status_code == 400 and "source" in listed.get_json()["errors"]


LANDING = "/?utm_source=newsletter&utm_medium=email&utm_campaign=spring-tea"


def test_a_guests_campaign_goes_onto_the_cart_and_the_lead_the_sweep_makes(
    app: Flask, smtp: Inbox
) -> None:
    guest = Shopper(app)
    guest.get(LANDING, headers={"Referer": "https://mail.example/inbox"})
    guest.add_to_cart("TEA-001")
    assert capture_email(guest, "gus@example.com").status_code == 204
    age_carts(app, 120)
    sweep(app, now=datetime.now(UTC))
    with app.app_context():
        cart = db.session.scalars(select(TrackedCart)).one()
        lead = db.session.scalars(select(Lead)).one()
        for record in (cart, lead):
            assert (record.utm_source, record.utm_medium, record.utm_campaign) == (
                "newsletter",
                "email",
                "spring-tea",
            )
            assert record.referrer == "https://mail.example/inbox"


def test_a_lead_keeps_the_first_campaign_and_the_order_names_its_own(app: Flask) -> None:
    shopper = Shopper(app)
    shopper.get(LANDING)
    shopper.register(email="ana@example.com")
    shopper.get("/?utm_source=instagram&utm_campaign=summer")  # a later visit, another link
    shopper.add_to_cart("TEA-001")
    assert shopper.checkout(email=None).status_code == 302
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.utm_campaign == "spring-tea" and lead.utm_source == "newsletter"
        order = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "order_placed")
        ).one()
        assert order.data["campaign"]["utm_campaign"] == "summer"
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.utm_campaign == "summer"  # the cart names the visit that changed it


@pytest.mark.parametrize(
    "query",
    [
        "utm_campaign=" + "x" * 10_000,
        "utm_campaign=%00evil&utm_source=%0d%0aSet-Cookie",
        "utm_source=&utm_campaign=",
        "utm_campaign=a&utm_campaign=b",
    ],
)
def test_hostile_campaign_values_are_cut_or_dropped_never_a_500(app: Flask, query: str) -> None:
    shopper = Shopper(app)
    assert shopper.get(f"/?{query}").status_code == 200
    shopper.register(email="h@example.com")
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        for value in (lead.utm_source, lead.utm_campaign):
            assert value is None or (len(value) <= 200 and "\x00" not in value)


def test_an_internal_referrer_is_not_a_source(app: Flask) -> None:
    shopper = Shopper(app)
    shopper.get("/", headers={"Referer": "http://localhost/cart"})
    shopper.register(email="i@example.com")
    with app.app_context():
        assert db.session.scalar(select(Lead.referrer)) is None


def test_the_dashboard_shows_sources_and_campaigns_for_a_date_range(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    guest = Shopper(app)
    guest.get(LANDING)
    guest.add_to_cart("TEA-001", 2)
    assert capture_email(guest, "gus@example.com").status_code == 204
    age_carts(app, 120)
    now = datetime.now(UTC)
    sweep(app, now=now)
    sweep(app, now=now + timedelta(hours=1, minutes=1))
    buyer = Shopper(app)
    buyer.restore(path(links(smtp.messages[0])["restore"]))
    assert buyer.checkout(email="gus@example.com").status_code == 302
    Shopper(app).register(email="plain@example.com")  # no campaign

    page = staff.get("/backoffice/dashboard").get_data(as_text=True)
    by_campaign = page[page.index('class="by-campaign"') :]
    row = by_campaign[by_campaign.index("spring-tea") :].split("</tr>")[0]
    assert "newsletter / email" in row
    cells = [c.split(">")[-1] for c in row.split("</td>")]
    assert cells[2:4] == ["1", "1"] and cells[4].endswith(" EUR")  # converted, won back
    assert "no campaign" in by_campaign
    by_source = page[page.index('class="by-source"') : page.index('class="by-campaign"')]
    assert "Abandoned Cart" in by_source and "Website" in by_source

    past = (date.today() - timedelta(days=400)).isoformat()
    old = staff.get(f"/backoffice/dashboard?from={past}&to={past}").get_data(as_text=True)
    assert old.count("Nothing in this range.") == 2
    wrong = staff.get("/backoffice/dashboard?from=yesterday")
    assert wrong.status_code == 400 and 'data-field="from"' in wrong.get_data(as_text=True)
    upside = staff.get(f"/backoffice/dashboard?from={date.today()}&to={past}")
    assert upside.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-30&to=9999-12-31",
        "to=9999-12-31",
        "from=0001-01-01&to=0001-01-02",
        "from=2026-02-30",
        "from=" + "9" * 5000,
    ],
    ids=["the-last-day", "to-the-last-day", "year-one", "no-such-day", "5000-digits"],
)
def test_a_reports_range_of_days_outside_the_calendar_is_named_not_a_500(
    app: Flask, staff: Shopper, query: str
) -> None:
    """The dashboard, the cart page's recovery report and its API take one range of days
    alike: a day they cannot count to is refused by name, in the staff's language."""
    dashboard = staff.get(f"/backoffice/dashboard?{query}")
    assert dashboard.status_code == 400 and 'data-field="' in dashboard.get_data(as_text=True)
    carts = staff.get(f"/backoffice/carts?{query}")
    assert carts.status_code == 200 and 'data-field="' in carts.get_data(as_text=True)
    api = staff.get(f"/backoffice/api/recovery?{query}")
    assert api.status_code == 400 and set(api.get_json()["errors"]) <= {"from", "to"}
    staff.get("/language/pt?next=/")
    said = staff.get(f"/backoffice/dashboard?{query}").get_data(as_text=True)
    assert "Indique uma data como AAAA-MM-DD." in said or "Indique um dia de 1970-01-01" in said
