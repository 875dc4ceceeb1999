"""The Lead rules live in the domain layer, whatever surface calls it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import (
    LeadSource,
    LeadStatus,
    ValidationError,
    capture_lead,
    convert_lead,
    set_status,
    update_lead,
)
from leadcapture.models import Lead
from storefront.extensions import db

from .helpers import count


def test_emails_are_stored_trimmed_and_lower_case(app: Flask) -> None:
    with app.app_context():
        lead, created = capture_lead(
            db.session,
            source=LeadSource.IMPORT,
            email="  Mixed.Case@Example.ORG ",
            lead_name="Mixed",
        )
        db.session.commit()
        assert created and lead.email == "mixed.case@example.org"


def test_a_second_capture_in_other_case_updates_the_same_lead(app: Flask) -> None:
    with app.app_context():
        first, _ = capture_lead(
            db.session, source=LeadSource.IMPORT, email="a@example.com", lead_name="A"
        )
        second, created = capture_lead(
            db.session,
            source=LeadSource.WEB_FORM,
            email="A@EXAMPLE.COM",
            lead_name="A",
            phone="+1 555 0100",
        )
        db.session.commit()
        assert not created and second.id == first.id
        assert second.phone == "+1 555 0100"
        assert second.source == LeadSource.IMPORT
    assert count(app, Lead) == 1


def test_staff_and_forms_make_leads_in_status_lead_with_a_human_id(app: Flask) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.COLD_CALLING, lead_name="Cold", owner="7"
        )
        db.session.commit()
        assert lead.status == LeadStatus.LEAD and lead.owner == "7"
        assert lead.name == f"LEAD-{lead.id:05d}"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"is_organization": True, "lead_name": "Ann"}, "company_name"),
        ({"lead_name": ""}, "lead_name"),
        ({"lead_name": "A", "email": "not an email"}, "email"),
        ({"lead_name": "x" * 10_000}, "lead_name"),
        ({"lead_name": "A", "status": "Hot"}, "status"),
        ({"lead_name": "A", "gender": "Robot"}, "gender"),
        ({"lead_name": "A", "lead_type": "Friend"}, "lead_type"),
        ({"lead_name": "A", "next_contact_date": "tomorrow"}, "next_contact_date"),
        ({"lead_name": "A", "phone": "call me"}, "phone"),
        ({"lead_name": "Nul\x00l"}, "lead_name"),
        ({"lead_name": "A", "favourite_colour": "red"}, "favourite_colour"),
    ],
)
def test_bad_leads_are_refused_naming_the_field(app: Flask, data: dict, field: str) -> None:
    with app.app_context():
        with pytest.raises(ValidationError) as refused:
            capture_lead(db.session, source=LeadSource.IMPORT, **data)
        assert field in refused.value.errors
        db.session.rollback()
    assert count(app, Lead) == 0


def test_an_organization_lead_needs_only_a_company_name(app: Flask) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.EXHIBITION, is_organization=True, company_name="Acme Ltd"
        )
        db.session.commit()
        assert lead.is_organization and lead.lead_name is None


def test_an_unknown_source_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValidationError) as refused:
        capture_lead(db.session, source="Carrier Pigeon", lead_name="A")
    assert "source" in refused.value.errors


def test_staff_may_set_any_status_by_hand(app: Flask) -> None:
    with app.app_context():
        lead, _ = capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="A")
        for status in LeadStatus:
            set_status(db.session, lead, status, by="staff")
            assert lead.status == status
        db.session.commit()


def test_update_keeps_the_email_unique(app: Flask) -> None:
    with app.app_context():
        capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="A", email="a@example.com")
        b, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, lead_name="B", email="b@example.com"
        )
        with pytest.raises(ValidationError) as refused:
            update_lead(db.session, b, {"email": "A@example.com"})
        assert "email" in refused.value.errors


def test_converting_by_hand_twice_makes_one_customer(app: Flask) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, lead_name="Ann Ray", email="ann@example.com"
        )
        first = convert_lead(db.session, lead, by="staff")
        second = convert_lead(db.session, lead, by="staff")
        db.session.commit()
        assert first.id == second.id
        assert first.customer_name == "Ann Ray" and first.customer_type == "Individual"
        lead = db.session.scalars(select(Lead)).one()
        assert lead.status == LeadStatus.CONVERTED
        assert len(first.contacts) == 1 and first.contacts[0].email == "ann@example.com"
