"""Data rights: everything held about an email, exported as one JSON file or erased —
by staff, by the signed-in shopper, or from the unsubscribe link ("forget me") — and
after an erasure no personal value of the person is left in any table, the shop's
included, while the amounts still add up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select

from leadcapture.models import Erasure, Lead, TrackedCart
from leadcapture.personal_data import email_digest, erase_person
from storefront.extensions import db
from storefront.models import Order

from .conftest import Inbox, Receiver
from .helpers import Shopper, age_carts, guest_with_cart, register_webhook, sweep
from .test_recovery import links, path

PERSON = {
    "email": "zoltan.quimby@example.com",
    "full_name": "Zoltan Quimby",
    "phone": "+351 911 222 333",
    "address_line1": "7 Quillfeather Row",
    "city": "Vilanova de Zed",
    "pincode": "4099-777",
}
OTHER = {
    "email": "olga.other@example.com",
    "full_name": "Olga Otherwise",
    "phone": "+351 966 555 444",
    "address_line1": "3 Elsewhere Lane",
    "city": "Porto Outro",
    "pincode": "4000-123",
}


def address_of(who: dict[str, str]) -> dict[str, str]:
    return {
        "address_line1": who["address_line1"],
        "address_line2": "",
        "city": who["city"],
        "state": "",
        "pincode": who["pincode"],
        "country": "Portugal",
    }


def a_customer(app: Flask, who: dict[str, str]) -> Shopper:
    """An account with a saved address and an order (so a customer, contacts,
    addresses, history and a checked-out cart), then a cart left with a recovery email."""
    shopper = Shopper(app)
    shopper.register(email=who["email"], full_name=who["full_name"], phone=who["phone"])
    shopper.add_address(**address_of(who), phone=who["phone"])
    shopper.add_to_cart("TEA-001", 2)
    answer = shopper.checkout(
        email=None, full_name=who["full_name"], phone=who["phone"], billing=address_of(who)
    )
    assert answer.status_code == 302
    shopper.add_to_cart("MUG-001", 1)
    return shopper


def a_guest_with_a_recovery_email(app: Flask, smtp: Inbox, who: dict[str, str]) -> Shopper:
    guest = guest_with_cart(app, who["email"], "MUG-001", 3)
    age_carts(app, 120)
    now = datetime.now(UTC)
    sweep(app, now=now)
    sweep(app, now=now + timedelta(hours=1, minutes=1))
    assert smtp.messages
    return guest


def every_value(app: Flask) -> list[tuple[str, str, str]]:
    """Every text of every row of every table: (table, column, value)."""
    found = []
    with app.app_context():
        engine = db.engine
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as connection:
            for table in meta.sorted_tables:
                for row in connection.execute(table.select()).mappings():
                    for column, value in row.items():
                        if value is not None:
                            found.append((table.name, column, json.dumps(value, default=str)))
    return found


def traces(app: Flask, who: dict[str, str]) -> list[tuple[str, str, str]]:
    """Where any of the person's values is still held."""
    values = [v.lower() for v in who.values()] + [who["full_name"].split()[0].lower()]
    return [
        (table, column, text[:80])
        for table, column, text in every_value(app)
        if any(v in text.lower() for v in values)
    ]


def test_staff_export_everything_held_about_an_email_as_one_json_file(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    a_customer(app, PERSON)
    a_customer(app, OTHER)
    answer = staff.submit(
        "/backoffice/privacy", {"email": "  Zoltan.Quimby@EXAMPLE.com ", "export": "1"}
    )
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"]
    document = json.loads(answer.get_data())
    assert document["email"] == PERSON["email"]
    [lead] = document["leads"]
    assert (lead["email"], lead["lead_name"]) == (PERSON["email"], PERSON["full_name"])
    assert [c["customer_name"] for c in document["customers"]] == [PERSON["full_name"]]
    lines = {a["address_line1"] for a in document["addresses"]}
    assert lines == {PERSON["address_line1"]}
    assert document["contacts"] and document["history"]
    assert [c["email"] for c in document["carts"]] == [PERSON["email"]]
    assert OTHER["email"] not in answer.get_data(as_text=True)


def test_an_erasure_leaves_no_personal_value_in_any_table(
    app: Flask, staff: Shopper, smtp: Inbox, receiver: Receiver
) -> None:
    register_webhook(staff, receiver.url)  # deliveries waiting with the person's lead in them
    a_guest_with_a_recovery_email(app, smtp, PERSON)
    a_customer(app, PERSON)
    a_customer(app, OTHER)
    assert traces(app, PERSON)  # held everywhere before
    with app.app_context():
        leads = db.session.scalar(select(func.count()).select_from(Lead))
        carts = db.session.scalar(select(func.count()).select_from(TrackedCart))
        totals = db.session.scalar(select(func.sum(Order.total)))

    answer = staff.submit(
        "/backoffice/privacy", {"email": PERSON["email"], "erase": "1", "confirm": "y"}
    )
    assert answer.status_code == 302
    assert traces(app, PERSON) == []
    assert traces(app, OTHER)  # the other person is untouched
    with app.app_context():  # the reports still add up
        assert db.session.scalar(select(func.count()).select_from(Lead)) == leads
        assert db.session.scalar(select(func.count()).select_from(TrackedCart)) == carts
        assert db.session.scalar(select(func.sum(Order.total))) == totals
        erasure = db.session.scalars(select(Erasure)).one()
        assert erasure.email_digest == email_digest(PERSON["email"])
        assert erasure.requested_by != "shopper" and erasure.counts["leads"] == 1
    page = staff.get("/backoffice/privacy").get_data(as_text=True)
    assert erasure.email_digest[:16] in page
    again = staff.submit("/backoffice/privacy", {"email": PERSON["email"], "export": "1"})
    assert again.status_code == 400
    assert "Nothing is held about this email (its data was erased on" in again.get_data(True)
    posted_before = len(receiver.posts)
    app.test_cli_runner().invoke(args=["leads", "retry"])  # what waits is posted now
    later = b"".join(body for _, _, body in receiver.posts[posted_before:])
    assert OTHER["email"].encode() in later and PERSON["email"].encode() not in later


def test_a_shopper_downloads_their_data_and_has_it_erased(app: Flask, smtp: Inbox) -> None:
    shopper = a_customer(app, PERSON)
    a_customer(app, OTHER)
    assert 'href="/account/privacy"' in shopper.get("/account").get_data(as_text=True)
    page = shopper.get("/account/privacy")
    assert page.status_code == 200 and PERSON["email"] in page.get_data(as_text=True)

    answer = shopper.submit("/account/privacy", {"download-submit": "1"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    document = json.loads(answer.get_data())
    assert document["leads"][0]["email"] == PERSON["email"]
    assert OTHER["email"] not in answer.get_data(as_text=True)

    refused = shopper.submit("/account/privacy", {"erase-submit": "1"})  # box not ticked
    assert refused.status_code == 400 and 'data-field="confirm"' in refused.get_data(True)
    assert traces(app, PERSON)
    done = shopper.submit("/account/privacy", {"erase-submit": "1", "erase-confirm": "y"})
    assert done.status_code == 302
    assert traces(app, PERSON) == []
    assert shopper.get("/account").status_code == 302  # signed out: the account is gone
    login = Shopper(app).login(PERSON["email"])
    assert login.status_code == 200  # the form again: no such account
    with app.app_context():
        assert db.session.scalars(select(Erasure.requested_by)).one() == "shopper"


def test_only_a_signed_in_shopper_reaches_their_data_page(app: Flask) -> None:
    anonymous = Shopper(app).get("/account/privacy")
    assert anonymous.status_code in (302, 401)
    posted = Shopper(app).client.post("/account/privacy", data={"erase-submit": "1"})
    assert posted.status_code in (302, 400, 401)
    assert every_value(app)  # nothing broke


def test_forget_me_from_the_unsubscribe_link(app: Flask, smtp: Inbox) -> None:
    a_guest_with_a_recovery_email(app, smtp, PERSON)
    url = path(links(smtp.messages[0])["unsubscribe"])
    browser = Shopper(app)
    page = browser.get(url).get_data(as_text=True)
    assert "Forget me" in page
    token = url.rsplit("/", 1)[1]
    forged = browser.client.post(f"/leadcapture/forget/{token}")  # no CSRF token
    assert forged.status_code == 400
    assert traces(app, PERSON)
    answer = browser.submit(url, {}, action=f"/leadcapture/forget/{token}")
    assert answer.status_code == 200 and "We have forgotten you" in answer.get_data(True)
    assert traces(app, PERSON) == []
    bad = browser.submit(url, {}, action="/leadcapture/forget/not-a-token")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "data, field_name",
    [
        ({"email": "", "export": "1"}, "email"),
        ({"email": "not-an-email", "export": "1"}, "email"),
        ({"email": "a@b.example\x00", "export": "1"}, "email"),
        ({"email": "nobody@example.com", "export": "1"}, "email"),
        ({"email": PERSON["email"], "erase": "1"}, "confirm"),  # not ticked
        ({"email": "x" * 300 + "@example.com", "erase": "1", "confirm": "y"}, "email"),
    ],
)
def test_bad_requests_name_the_field_and_erase_nothing(
    app: Flask, staff: Shopper, smtp: Inbox, data: dict[str, Any], field_name: str
) -> None:
    a_customer(app, PERSON)
    answer = staff.submit("/backoffice/privacy", data)
    assert answer.status_code == 400
    assert f'data-field="{field_name}"' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Erasure)).all() == []
    assert traces(app, PERSON)


def test_an_erasure_that_fails_half_way_changes_nothing(
    app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_customer(app, PERSON)
    before = traces(app, PERSON)
    from leadcapture import personal_data

    def broken(email: str) -> str:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(personal_data, "email_digest", broken)  # the last step, the log
    with app.app_context(), pytest.raises(RuntimeError):
        try:
            erase_person(db.session, PERSON["email"], requested_by="staff")
            db.session.commit()
        finally:
            db.session.rollback()
    assert traces(app, PERSON) == before


def test_amounts_survive_an_erasure(app: Flask, staff: Shopper, smtp: Inbox) -> None:
    a_customer(app, PERSON)
    with app.app_context():
        value = db.session.scalar(select(func.sum(Order.total)))
        assert value is not None and value > Decimal(0)
    staff.submit("/backoffice/privacy", {"email": PERSON["email"], "erase": "1", "confirm": "y"})
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.lead_name == "Erased")).one()
        assert lead.email is None and lead.status == "Converted"
        assert db.session.scalar(select(func.sum(Order.total))) == value
    staff.get("/language/pt?next=/")
    page = staff.get(f"/backoffice/leads/{lead.id}").get_data(as_text=True)
    assert "<br>Apagado" in page and "<br>Erased" not in page  # its history, in Portuguese
