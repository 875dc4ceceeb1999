"""Sign-up makes the shopper's lead (docs/rules.md §1)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from leadcapture import LeadSource, LeadStatus, capture_lead, signals
from leadcapture.models import Contact, Customer, Lead
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper, count, heard


def lead_of(app: Flask, email: str) -> Lead:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        db.session.expunge(lead)
        return lead


def user_id(app: Flask, email: str) -> str:
    with app.app_context():
        return str(db.session.scalars(select(User.id).where(User.email == email)).one())


def test_sign_up_makes_an_open_website_lead_owned_by_the_web_user(
    app: Flask, shopper: Shopper
) -> None:
    def read(payload: dict) -> tuple:
        return payload["sender"], payload["lead"].email, payload["lead"].status

    with (
        heard(signals.lead_created, read) as created,
        heard(signals.lead_status_changed) as changed,
    ):
        response = shopper.register(email="  Jane.Doe@Example.COM ", full_name="Jane Doe")
    assert response.status_code == 302
    assert response.location.endswith("/account/addresses/new")

    lead = lead_of(app, "jane.doe@example.com")
    uid = user_id(app, "jane.doe@example.com")
    assert lead.status == LeadStatus.OPEN
    assert lead.source == LeadSource.WEBSITE
    assert lead.owner == uid
    assert lead.web_user_id == uid
    assert lead.lead_name == "Jane Doe"
    assert lead.name == f"LEAD-{lead.id:05d}"
    assert created == [(app, "jane.doe@example.com", "Open")]
    assert [(c["old_status"], c["new_status"]) for c in changed] == [(None, "Open")]


def test_the_shopper_lands_on_the_address_form_after_sign_up(shopper: Shopper) -> None:
    page = shopper.register(email="jane@example.com")
    form = shopper.get(page.location)
    assert form.status_code == 200
    assert "Add an address" in form.get_data(as_text=True)


def test_sign_up_links_the_existing_lead_of_that_email(app: Flask, shopper: Shopper) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.WEB_FORM, email="Jane@Example.com", lead_name="J. Doe"
        )
        db.session.commit()
        lead_id = lead.id
    shopper.register(email="jane@example.com", full_name="Jane Doe")
    assert count(app, Lead) == 1
    lead = lead_of(app, "jane@example.com")
    assert lead.id == lead_id
    assert lead.web_user_id == user_id(app, "jane@example.com")
    assert lead.source == LeadSource.WEB_FORM
    assert lead.status == LeadStatus.OPEN


def test_signing_in_again_and_again_creates_nothing(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    before = (count(app, Lead), count(app, Customer), count(app, Contact))
    for _ in range(3):
        shopper.logout()
        assert shopper.login("jane@example.com").status_code == 302
    assert (count(app, Lead), count(app, Customer), count(app, Contact)) == before == (1, 1, 1)


def test_a_business_account_makes_an_organization_lead(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="buyer@acme.example", full_name="Ada Buyer", company_name="Acme Ltd")
    lead = lead_of(app, "buyer@acme.example")
    assert lead.is_organization
    assert lead.company_name == "Acme Ltd"
    assert lead.lead_name == "Ada Buyer"
