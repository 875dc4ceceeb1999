"""Merging a duplicate lead into the lead that stays: what moves, what the lead keeps,
what is refused, and that it is done once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import (
    LeadSource,
    LeadStatus,
    ValidationError,
    capture_lead,
    convert_lead,
    merge_leads,
    set_status,
    signals,
)
from leadcapture.addresses import add_address
from leadcapture.communications import add_note
from leadcapture.deals import make_opportunity
from leadcapture.models import Address, HistoryEntry, Lead, LeadMerge, Opportunity
from storefront.extensions import db

from .helpers import Shopper, csrf_token


def make(app: Flask, **values: Any) -> int:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=values.pop("source", LeadSource.REFERENCE), **values
        )
        db.session.commit()
        return lead.id


def merge(app: Flask, lead_id: int, duplicate: Any, by: str | None = "staff-1") -> Any:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        done = merge_leads(db.session, lead, duplicate, by=by)
        db.session.commit()
        return done


def test_a_duplicate_without_an_email_goes_into_the_lead_with_one(app: Flask) -> None:
    kept = make(app, lead_name="Jane Doe", email="jane@example.com", notes="Met at the fair.")
    phoned = make(
        app,
        lead_name="J. Doe",
        phone="+44 20 7946 0000",
        company_name="Doe Teas",
        industry="Retail",
        notes="Called about wholesale.",
    )
    with app.app_context():
        duplicate = db.session.get(Lead, phoned)
        duplicate.next_contact_date = date.today() + timedelta(days=3)
        duplicate.next_contact_by = "staff-2"
        set_status(db.session, duplicate, LeadStatus.OPPORTUNITY)
        add_note(db.session, duplicate, "Wants 40 kg a month.", by="staff-2")
        make_opportunity(db.session, duplicate, title="Wholesale", amount=Decimal("900"))
        add_address(
            db.session,
            duplicate,
            {
                "address_type": "Office",
                "address_line1": "1 Tea Row",
                "city": "Leeds",
                "country": "UK",
            },
        )
        db.session.commit()
        name = duplicate.name

    with signals.lead_merged.connected_to(heard := _Heard()):
        done = merge(app, kept, name)
    assert done is not None and set(done.changes) >= {"phone", "company_name", "industry", "notes"}
    assert (done.moved["opportunities"], done.moved["addresses"], done.moved["customer"]) == (
        1,
        1,
        0,
    )

    with app.app_context():
        assert db.session.get(Lead, phoned) is None
        lead = db.session.get(Lead, kept)
        assert lead.lead_name == "Jane Doe"  # its own value stays
        assert lead.email == "jane@example.com"
        assert (lead.phone, lead.company_name, lead.industry) == (
            "+44 20 7946 0000",
            "Doe Teas",
            "Retail",
        )
        assert lead.notes == "Met at the fair.\n\nCalled about wholesale."
        assert lead.next_contact_date == date.today() + timedelta(days=3)
        assert lead.next_contact_by == "staff-2"
        assert lead.status == LeadStatus.OPPORTUNITY  # the further along of the two
        subjects = [entry.subject for entry in lead.history]
        assert f"{name} (J. Doe) merged into this lead" in subjects
        assert "Wants 40 kg a month." in subjects  # the duplicate's history moved
        assert "Opportunity made: Wholesale" in subjects
        assert [o.lead_id for o in db.session.scalars(select(Opportunity))] == [kept]
        assert [a.lead_id for a in db.session.scalars(select(Address))] == [kept]
        merged = db.session.get(LeadMerge, phoned)
        assert (merged.name, merged.into_id, merged.merged_by) == (name, kept, "staff-1")
    assert heard.calls == [{"merged_id": phoned, "merged_name": name, "lead": kept}]


class _Heard:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append({**kwargs, "lead": kwargs["lead"].id})


def test_the_lead_takes_the_duplicates_email_and_customer_when_it_has_none(app: Flask) -> None:
    kept = make(app, lead_name="Walk-in", phone="+351 912 345 678")
    bought = make(app, lead_name="Ana Lima", email="ana@example.com")
    with app.app_context():
        customer = convert_lead(db.session, db.session.get(Lead, bought))
        db.session.commit()
        customer_id = customer.id
    merge(app, kept, "ana@example.com")
    with app.app_context():
        lead = db.session.get(Lead, kept)
        assert lead.email == "ana@example.com" and lead.status == LeadStatus.CONVERTED
        assert lead.customer is not None and lead.customer.id == customer_id
        # The lead's own history now reads from the customer too.
        assert all(entry.customer_id == customer_id for entry in lead.history)


def test_do_not_contact_is_never_lost_in_a_merge(app: Flask) -> None:
    kept = make(app, lead_name="Rui", email="rui@example.com")
    unsubscribed = make(app, lead_name="Rui", phone="+351 911 111 111")
    with app.app_context():
        set_status(db.session, db.session.get(Lead, unsubscribed), LeadStatus.DO_NOT_CONTACT)
        db.session.commit()
    merge(app, kept, unsubscribed)
    with app.app_context():
        assert db.session.get(Lead, kept).status == LeadStatus.DO_NOT_CONTACT


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "This field is required."),
        ("LEAD-00x", "Give the lead's number (LEAD-00042) or its email."),
        ("LEAD-99999", "No lead has this number."),
        ("LEAD-²", "Give the lead's number"),
        ("99999999999", "Give the lead's number"),
        ("LEAD-0", "Give the lead's number"),
        ("9" * 300, "at most 254"),
        ("LEAD-1\x00", "not allowed"),
        ("nobody@example.com", "No lead has this email."),
        ("not an email@", "not a valid email"),
    ],
)
def test_a_duplicate_that_is_not_there_is_refused_by_name(
    app: Flask, typed: str, message: str
) -> None:
    kept = make(app, lead_name="Only One")
    with pytest.raises(ValidationError) as refused:
        merge(app, kept, typed)
    assert list(refused.value.errors) == ["duplicate"]
    assert message.lower() in " ".join(refused.value.errors["duplicate"]).lower()


def test_two_emails_two_accounts_or_two_customers_stay_two_leads(app: Flask) -> None:
    first = make(app, lead_name="A", email="a@example.com")
    second = make(app, lead_name="B", email="b@example.com")
    with pytest.raises(ValidationError, match="Both leads have an email"):
        merge(app, first, second)
    with pytest.raises(ValidationError, match="That is this lead"):
        merge(app, first, first)
    walk_in, other_walk_in = make(app, lead_name="C"), make(app, lead_name="D")
    with app.app_context():
        for lead_id in (walk_in, other_walk_in):
            convert_lead(db.session, db.session.get(Lead, lead_id))
        db.session.commit()
    with pytest.raises(ValidationError, match="Both leads are customers"):
        merge(app, walk_in, other_walk_in)
    with app.app_context():
        assert db.session.scalar(select(LeadMerge.lead_id)) is None
        assert db.session.get(Lead, second) is not None


def test_merging_twice_does_it_once_and_a_link_to_the_duplicate_still_leads_somewhere(
    app: Flask, staff: Shopper
) -> None:
    kept = make(app, lead_name="Kept", email="kept@example.com")
    duplicate = make(app, lead_name="Dup")
    assert merge(app, kept, duplicate) is not None
    assert merge(app, kept, duplicate) is None  # the second finds it done
    with app.app_context():
        merges = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "merged")
        ).all()
        assert len(merges) == 1
    third = make(app, lead_name="Third")
    with pytest.raises(ValidationError, match="was merged into LEAD-"):
        merge(app, third, duplicate)
    # A lead merged in turn takes the leads merged into it along.
    newest = make(app, lead_name="Newest", phone="+44 1632 960000")
    merge(app, newest, kept)
    response = staff.get(f"/backoffice/leads/{duplicate}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/backoffice/leads/{newest}")


def test_staff_see_what_a_merge_does_then_merge_from_the_leads_page(
    app: Flask, staff: Shopper
) -> None:
    kept = make(app, lead_name="Jane Doe", email="jane@example.com")
    phoned = make(app, lead_name="Jane D.", phone="+44 20 7946 0000", industry="Retail")
    with app.app_context():
        add_note(db.session, db.session.get(Lead, phoned), "Rang about <samples>.", by=None)
        db.session.commit()
        name = db.session.get(Lead, phoned).name
    page = staff.get(f"/backoffice/leads/{kept}").get_data(as_text=True)
    assert "Merge a duplicate into this lead" in page
    assert f'action="/backoffice/leads/{kept}/merge"' in page

    compared = staff.get(f"/backoffice/leads/{kept}/merge?duplicate={name.lower()}")
    html = compared.get_data(as_text=True)
    assert compared.status_code == 200
    assert f"Merge {name} into" in html
    assert "+44 20 7946 0000" in html and "Retail" in html
    assert "3 lines of history" in html  # made, its first status, the note
    with app.app_context():
        assert db.session.get(Lead, phoned) is not None  # nothing done yet

    merged = staff.submit(
        f"/backoffice/leads/{kept}/merge?duplicate={name}",
        {"duplicate": str(phoned)},
        action=f"/backoffice/leads/{kept}/merge",
        follow=True,
    )
    html = merged.get_data(as_text=True)
    assert f"{name} merged into this lead." in html
    assert "Rang about &lt;samples&gt;." in html  # the note moved, escaped
    assert "+44 20 7946 0000" in html
    again = staff.get(f"/backoffice/leads/{phoned}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/leads/{kept}")


def test_a_refused_merge_names_the_field_on_the_leads_page_and_changes_nothing(
    app: Flask, staff: Shopper
) -> None:
    kept = make(app, lead_name="A", email="a@example.com")
    other = make(app, lead_name="B", email="b@example.com")
    refused = staff.get(f"/backoffice/leads/{kept}/merge?duplicate={other}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert '<details id="merge" class="lead-merge lc-card" open>' in html
    assert 'id="merge-duplicate-error"' in html and "Both leads have an email" in html
    empty = staff.get(f"/backoffice/leads/{kept}/merge?duplicate=")
    assert empty.status_code == 400 and "This field is required." in empty.get_data(as_text=True)
    # A POST without the CSRF token merges nothing.
    third = make(app, lead_name="C")
    forged = staff.client.post(f"/backoffice/leads/{kept}/merge", data={"duplicate": str(third)})
    assert forged.status_code == 400
    posted = staff.submit(
        f"/backoffice/leads/{kept}",
        {"duplicate": str(other)},
        action=f"/backoffice/leads/{kept}/merge",
    )
    assert posted.status_code == 400 and "Both leads have an email" in posted.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lead, third) is not None and db.session.get(Lead, other) is not None
        assert db.session.scalar(select(LeadMerge.lead_id)) is None


def test_the_api_merges_once_and_names_where_a_merged_lead_went(app: Flask, staff: Shopper) -> None:
    kept = make(app, lead_name="Kept Ltd", email="buyer@kept.example")
    duplicate = make(app, lead_name="Kept", phone="+44 1632 960001")
    token = csrf_token(staff.get("/backoffice/tokens").get_data(as_text=True))

    def post(body: Any) -> Any:
        return staff.client.post(
            f"/backoffice/api/leads/{kept}/merge", json=body, headers={"X-CSRFToken": token}
        )

    first = post({"duplicate": duplicate})
    assert first.status_code == 200
    assert first.get_json()["phone"] == "+44 1632 960001"
    assert any("merged into this lead" in h["subject"] for h in first.get_json()["history"])
    assert post({"duplicate": duplicate}).status_code == 200  # again: nothing more
    gone = staff.client.get(f"/backoffice/api/leads/{duplicate}")
    assert gone.status_code == 404
    assert f"merged into LEAD-{kept:05d}" in gone.get_json()["errors"]["request"][0]
    assert post({"duplicate": "x", "into": 1}).get_json() == {
        "errors": {"into": ["Unknown field."]}
    }
    assert "duplicate" in post({}).get_json()["errors"]
    assert "duplicate" in post({"duplicate": ["LEAD-1"]}).get_json()["errors"]
    assert post({"duplicate": kept}).get_json()["errors"]["duplicate"] == ["That is this lead."]


def test_a_leads_page_names_its_possible_duplicates(app: Flask, staff: Shopper) -> None:
    kept = make(app, lead_name="Maria Silva", email="maria@example.com", phone="+351 912 000 222")
    by_phone = make(app, lead_name="M. Silva", phone="+351 912 000 222")
    by_name = make(app, lead_name="Maria Silva", company_name="Silva Lda")
    other_email = make(app, lead_name="Maria Silva", email="maria@silva.example")
    stranger = make(app, lead_name="Rui Costa", phone="+351 913 000 000")
    html = staff.get(f"/backoffice/leads/{kept}").get_data(as_text=True)
    listed = html.split('<ul class="lead-duplicates">', 1)[1].split("</ul>", 1)[0]
    assert f"LEAD-{by_phone:05d}" in listed and f"LEAD-{by_name:05d}" in listed
    assert f"LEAD-{other_email:05d}" not in listed  # two emails: two people to the plug-in
    assert f"LEAD-{stranger:05d}" not in listed
    assert f"/backoffice/leads/{kept}/merge?duplicate=LEAD-{by_phone:05d}" in listed
    assert '<a href="#merge">2 possible duplicates: the same phone or name</a>' in html
    alone = staff.get(f"/backoffice/leads/{stranger}").get_data(as_text=True)
    assert "lead-duplicates" not in alone


def test_possible_duplicates_are_found_by_index(app: Flask) -> None:
    """The lead page's look for duplicates reads the phone and name indexes of lc0026,
    not every lead."""
    from leadcapture.merging import possible_duplicates

    from .helpers import plan, statements

    kept = make(app, lead_name="Ann Lee", phone="+44 20 7946 0101")
    with app.app_context():
        with db.engine.begin() as connection:  # enough rows for the planner to choose
            series = (
                "generate_series(1, 50000) AS n"
                if db.engine.dialect.name == "postgresql"
                else "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s"
                " WHERE n < 50000) SELECT n FROM s)"
            )
            connection.exec_driver_sql(
                "INSERT INTO lc_leads (lead_name, phone, is_organization, status, score,"
                " created_at, updated_at)"
                f" SELECT 'Person ' || n, '+44 1632 ' || n, false, 'Lead', 0,"
                f" CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM {series}"
            )
            connection.exec_driver_sql("ANALYZE lc_leads")
        lead = db.session.get(Lead, kept)
        with statements(db.engine) as seen:
            assert possible_duplicates(db.session, lead) == []
        statement, parameters = seen[-1]
        lines = "\n".join(plan(db.engine, statement, parameters))
    assert "ix_lc_leads_phone" in lines and "ix_lc_leads_lead_name" in lines, lines


def test_two_leads_ticked_on_the_list_go_to_their_comparison(app: Flask, staff: Shopper) -> None:
    older = make(app, lead_name="Tea Shop", email="buy@teashop.example")
    newer = make(app, lead_name="Tea Shop", phone="+44 1632 960004")
    third = make(app, lead_name="Other")
    ticked = staff.submit(
        "/backoffice/",
        {"ids": [str(newer), str(older)], "merge": "1"},
        action="/backoffice/leads/bulk",
    )
    assert ticked.status_code == 302
    assert ticked.headers["Location"].endswith(
        f"/backoffice/leads/{older}/merge?duplicate=LEAD-{newer:05d}"
    )
    html = staff.get(ticked.headers["Location"]).get_data(as_text=True)
    assert f'href="/backoffice/leads/{newer}/merge?duplicate=LEAD-{older:05d}"' in html
    assert f"Keep LEAD-{newer:05d} instead" in html
    three = staff.submit(
        "/backoffice/",
        {"ids": [str(older), str(newer), str(third)], "merge": "1"},
        action="/backoffice/leads/bulk",
        follow=True,
    )
    assert "Tick two leads to merge them." in three.get_data(as_text=True)
