"""Assignment rules: round-robin among chosen staff, or by source, for new leads from
every source; "Mine" lists a user's leads."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from leadcapture import LeadSource, capture_lead
from leadcapture.models import Lead
from storefront.extensions import db

from .helpers import Shopper, age_carts, guest_with_cart, make_staff, sweep


def assignees(app: Flask) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(select(Lead.assigned_to).order_by(Lead.id)))


def test_rules_assign_new_leads_from_every_source(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    a, b, c, d, e = make_staff(app, "Ann", "Bob", "Cat", "Dan", "Eve")
    assert (
        staff.submit(
            "/backoffice/assignment", {"name": "Everyone", "users": f"{a}, {b}, {c}"}
        ).status_code
        == 302
    )
    staff.submit(
        "/backoffice/assignment", {"name": "Carts", "source": "Abandoned Cart", "users": f"{d},{e}"}
    )
    with app.app_context():
        for i in range(4):
            capture_lead(db.session, source=LeadSource.REFERENCE, lead_name=f"R{i}")
        db.session.commit()
    shopper.register(email="jane@example.com")  # a sign-up: source Website
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        guest_with_cart(app, email, "TEA-001", 1)
    age_carts(app, 120)
    sweep(app)
    assert assignees(app) == [a, b, c, a, b, d, e, d]
    rules = staff.get("/backoffice/assignment").get_data(as_text=True)
    assert "Ann, Bob, Cat" in rules and "Dan, Eve" in rules


def test_mine_lists_my_leads(app: Flask, staff: Shopper) -> None:
    page = staff.get("/backoffice/").get_data(as_text=True)
    import re

    mine = re.search(r'href="([^"]+)">Mine<', page).group(1)  # type: ignore[union-attr]
    me = mine.rsplit("=", 1)[1]
    (other,) = make_staff(app, "Other")
    with app.app_context():
        capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="For Me", assigned_to=me)
        capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="Not Me", assigned_to=other)
        db.session.commit()
    listing = staff.get(mine.replace("&amp;", "&")).get_data(as_text=True)
    assert "For Me" in listing and "Not Me" not in listing


def test_bad_rules_are_refused_naming_the_field(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    shopper.register(email="shopper@example.com")  # user 2: not staff
    for data, field in (
        ({"name": "X", "users": " , "}, "users"),
        ({"name": "X", "users": "999"}, "users"),  # nobody
        ({"name": "X", "users": "2"}, "users"),  # a shopper, not staff
        ({"name": "X", "source": "Pigeon", "users": "1"}, "source"),
        ({"name": "", "users": "1"}, "name"),
    ):
        response = staff.submit("/backoffice/assignment", data)
        assert response.status_code == 400
        assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert "No rules" in staff.get("/backoffice/assignment").get_data(as_text=True)


def test_a_paused_rule_assigns_nobody(app: Flask, staff: Shopper) -> None:
    staff.submit("/backoffice/assignment", {"name": "Everyone", "users": "1"})
    staff.submit("/backoffice/assignment", {}, action="/backoffice/assignment/1/toggle")
    with app.app_context():
        capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="Nobody's")
        db.session.commit()
    assert assignees(app) == [None]


def test_a_rule_is_switched_back_on_and_an_unknown_rule_is_not_found(
    app: Flask, staff: Shopper
) -> None:
    staff.submit("/backoffice/assignment", {"name": "Everyone", "users": "1"})
    for _ in range(2):  # off, then on again
        staff.submit("/backoffice/assignment", {}, action="/backoffice/assignment/1/toggle")
    with app.app_context():
        capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="Somebody's")
        db.session.commit()
    assert assignees(app) == ["1"]
    missing = staff.submit("/backoffice/assignment", {}, action="/backoffice/assignment/9/toggle")
    assert missing.status_code == 404
