"""A staff user writes to a lead from its page (or the API): the email goes through the
outbox to a real SMTP server, lands on the history as theirs, makes the lead Replied, and
is written once however often the form is sent; Do Not Contact gets none."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import LeadSource, capture_lead, set_status
from leadcapture.models import Email, HistoryEntry, Lead
from storefront.extensions import db

from .helpers import Shopper, csrf_token, hidden_fields


def make_lead(app: Flask, email: str | None = "ann@example.com", status: str = "Lead") -> int:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, lead_name="Ann Ray", email=email
        )
        set_status(db.session, lead, status)
        db.session.commit()
        return lead.id


def write(staff: Shopper, lead_id: int, **typed: str) -> Any:
    """Fill in the lead page's "Write an email" form and send it."""
    page = staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(page),
        "key": hidden_fields(page).get("key", ""),
        **typed,
    }
    return staff.client.post(f"/backoffice/leads/{lead_id}/emails", data=form)


def emails(app: Flask) -> list[Email]:
    with app.app_context():
        return list(db.session.scalars(select(Email).order_by(Email.id)))


def test_staff_email_a_lead_and_it_goes_out_once(app: Flask, staff: Shopper, smtp: Any) -> None:
    lead_id = make_lead(app)
    page = staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    key = hidden_fields(page)["key"]
    form = {
        "csrf_token": csrf_token(page),
        "key": key,
        "subject": "Your tasting box",
        "text": "Hello Ann,\n\nthe box ships on Monday.\n<b>Leaf & Kettle</b>",
    }
    url = f"/backoffice/leads/{lead_id}/emails"
    sent = staff.client.post(url, data=form, follow_redirects=True)
    shown = sent.get_data(as_text=True)
    assert "Email sent to ann@example.com." in shown
    [message] = smtp.messages
    assert message["To"] == "ann@example.com" and message["Subject"] == "Your tasting box"
    assert "the box ships on Monday." in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Leaf &amp; Kettle&lt;/b&gt;" in html  # the text, escaped, never markup
    # On the history as the staff user's, and the lead is Replied (as when logged by hand).
    assert "Email to ann@example.com: Your tasting box" in shown
    assert "the box ships on Monday." in shown  # what was written, on the history
    assert re.search(r"· Demo Staff</span>\s*<br>Email to ann@example\.com", shown)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead is not None and lead.status == "Replied"

    again = staff.client.post(url, data=form)  # a double click, a reload
    assert again.status_code == 302
    assert len(smtp.messages) == 1 and len(emails(app)) == 1
    with app.app_context():
        lines = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.subject.like("Email to %"))
        ).all()
        assert len(lines) == 1


def test_without_an_smtp_server_it_waits_in_the_outbox(app: Flask, staff: Shopper) -> None:
    lead_id = make_lead(app)
    answer = write(staff, lead_id, subject="Hello", text="A word")
    page = staff.client.get(answer.location).get_data(as_text=True)
    assert "Email to ann@example.com written to the outbox: it is sent from there." in page
    [email] = emails(app)
    assert email.status == "outbox" and email.sent_by is not None
    assert "Email to ann@example.com" not in page.split("lc-timeline", 1)[1]  # not sent yet
    assert re.search(r"Not sent yet: <a href=\"/backoffice/outbox/\d+\">Hello</a>", page)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"subject": "", "text": "Hi"}, "subject", "Email subject: "),
        ({"subject": "Hi", "text": "   "}, "text", "Email text: "),
        ({"subject": "Hi\r\nBcc: all@example.com", "text": "Hi"}, "subject", "Email subject: "),
        ({"subject": "x" * 241, "text": "Hi"}, "subject", "Email subject: "),
    ],
)
def test_a_refused_email_names_its_field_and_writes_nothing(
    app: Flask, staff: Shopper, smtp: Any, typed: dict[str, str], field: str, message: str
) -> None:
    lead_id = make_lead(app)
    answer = write(staff, lead_id, **typed)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'data-field="{field}"' in page and message in page
    assert emails(app) == [] and smtp.messages == []


def test_no_email_to_do_not_contact_or_to_a_lead_without_an_address(
    app: Flask, staff: Shopper, smtp: Any
) -> None:
    blocked = make_lead(app, status="Do Not Contact")
    page = staff.get(f"/backoffice/leads/{blocked}").get_data(as_text=True)
    assert "This lead is Do Not Contact: no email." in page
    assert write(staff, blocked, subject="Hi", text="Hi").status_code == 400
    nameless = make_lead(app, email=None)
    page = staff.get(f"/backoffice/leads/{nameless}").get_data(as_text=True)
    assert "This lead has no email address" in page
    assert write(staff, nameless, subject="Hi", text="Hi").status_code == 400
    assert emails(app) == [] and smtp.messages == []


def test_a_lead_made_do_not_contact_before_sending_gets_nothing(app: Flask, staff: Shopper) -> None:
    """Written while no SMTP server answered; the lead unsubscribed before the next run."""
    from leadcapture.mail.sending import send_waiting

    from .conftest import Inbox, free_port

    lead_id = make_lead(app)
    write(staff, lead_id, subject="Hello", text="A word")
    with app.app_context():
        set_status(db.session, db.session.get(Lead, lead_id), "Do Not Contact")  # type: ignore[arg-type]
        db.session.commit()
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with app.app_context():
            assert send_waiting(db.session, app.config).cancelled == 1
    finally:
        controller.stop()
    assert inbox.messages == [] and emails(app)[0].status == "cancelled"


def test_a_customer_is_written_to_too(app: Flask, staff: Shopper, smtp: Any) -> None:
    """Converted leads get no recovery email, but their salesperson may write to them."""
    from leadcapture.conversion import convert_lead

    lead_id = make_lead(app)
    with app.app_context():
        convert_lead(db.session, db.session.get(Lead, lead_id), by="1")  # type: ignore[arg-type]
        db.session.commit()
    assert write(staff, lead_id, subject="Thank you", text="For your order").status_code == 302
    assert [m["Subject"] for m in smtp.messages] == ["Thank you"]
    with app.app_context():
        assert db.session.get(Lead, lead_id).status == "Converted"  # type: ignore[union-attr]


def test_the_api_writes_an_email_once_per_key(app: Flask, staff: Shopper, smtp: Any) -> None:
    lead_id = make_lead(app)
    token = csrf_token(staff.get("/backoffice/tokens").get_data(as_text=True))
    url = f"/backoffice/api/leads/{lead_id}/emails"

    def post(body: Any) -> Any:
        return staff.client.post(url, json=body, headers={"X-CSRFToken": token})

    body = {"subject": "Samples", "text": "On their way.", "key": "crm-42"}
    first = post(body)
    assert first.status_code == 201 and first.get_json()["status"] == "sent"
    assert post(body).status_code == 200  # the same key: the same email
    assert len(smtp.messages) == 1
    assert post({"subject": "x", "text": "y", "cc": "z"}).get_json() == {
        "errors": {"cc": ["Unknown field."]}
    }
    assert "subject" in post({"text": "y"}).get_json()["errors"]
    assert "text" in post({"subject": "y", "text": 5}).get_json()["errors"]
    other = make_lead(app, email="bo@example.com")
    reused = staff.client.post(
        f"/backoffice/api/leads/{other}/emails", json=body, headers={"X-CSRFToken": token}
    )
    assert reused.get_json()["errors"]["key"]
    assert len(smtp.messages) == 1


def test_the_history_shows_what_was_written_but_not_a_recovery_emails_text(
    app: Flask, staff: Shopper, smtp: Any
) -> None:
    from .helpers import age_carts, guest_with_cart, sweep

    guest_with_cart(app, "gus@example.com", "MUG-001", 1)
    age_carts(app, 120)
    assert sweep(app).abandoned == 1
    with app.app_context():
        lead_id = db.session.scalars(select(Lead.id)).one()
    staff.submit(
        f"/backoffice/leads/{lead_id}",
        {"medium": "email", "direction": "sent", "subject": "Quote", "body": "Sent the 5% quote"},
        action=f"/backoffice/leads/{lead_id}/communications",
    )
    with app.app_context():  # the first recovery email, sent
        from datetime import UTC, datetime, timedelta

        assert sweep(app, now=datetime.now(UTC) + timedelta(hours=2)).written == 1
    [recovery] = smtp.messages
    page = staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert "Sent the 5% quote" in page  # logged by hand: its details show
    assert "Recovery email 1 to gus@example.com" in page
    recovery_text = recovery.get_body(("plain",)).get_content()
    first_line = next(line for line in recovery_text.splitlines() if len(line) > 20)
    assert first_line not in page  # the template's text, the same for every cart


def test_the_outbox_says_who_wrote_each_email(app: Flask, staff: Shopper) -> None:
    from .helpers import age_carts, guest_with_cart, sweep

    guest_with_cart(app, "gus@example.com", "MUG-001", 1)
    age_carts(app, 120)
    sweep(app)
    from datetime import UTC, datetime, timedelta

    assert sweep(app, now=datetime.now(UTC) + timedelta(hours=2)).written == 1
    lead_id = make_lead(app)
    write(staff, lead_id, subject="Hello", text="A word")
    page = staff.get("/backoffice/outbox").get_data(as_text=True)
    kinds = re.findall(r'class="email-kind">([^<]+)<', page)
    assert kinds == ["By Demo Staff", "Recovery email 1"]


def test_the_history_shows_a_text_once_with_its_lines(app: Flask, staff: Shopper) -> None:
    lead_id = make_lead(app)
    url = f"/backoffice/leads/{lead_id}"
    staff.submit(url, {"body": "Short note"}, action=f"{url}/notes")
    staff.submit(url, {"body": "First line\nSecond line"}, action=f"{url}/notes")
    page = staff.get(url).get_data(as_text=True)
    history = page.split("lc-timeline", 1)[1]
    assert history.count("Short note") == 1  # the subject line says it all
    assert '<div class="body">First line\nSecond line</div>' in history
    css = staff.get("/leadcapture/static/backoffice.css").get_data(as_text=True)
    assert ".lc-timeline .body { white-space: pre-wrap;" in css  # its lines kept
