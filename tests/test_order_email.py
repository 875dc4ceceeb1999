"""The order confirmation the page promises: written with the order into the plug-in's
outbox, sent over SMTP at once when a server is set, waiting in the outbox otherwise, and
never a reason for an order to fail."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from leadcapture.models import Email
from storefront.extensions import db

from .conftest import Inbox, free_port
from .helpers import Shopper


def order(app: Flask) -> None:
    buyer = Shopper(app)
    buyer.add_to_cart("TEA-001", 2)
    placed = buyer.checkout(email="jo@example.com", full_name="Jo March")
    assert placed.status_code == 302 and "/orders/" in placed.location


def emails(app: Flask) -> list[Email]:
    with app.app_context():
        found = list(db.session.scalars(select(Email)))
        db.session.expunge_all()
        return found


def test_the_confirmation_goes_out_over_smtp_with_the_order(app: Flask, smtp: Inbox) -> None:
    order(app)
    [message] = smtp.confirmations
    assert message["To"] == "jo@example.com"
    assert message["Subject"].startswith("Your order SO-") and "Leaf & Kettle" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "2 x Sencha green tea" in text and "Total: 17.00 EUR" in text
    assert "Jo March" in html and "17.00 EUR" in html
    [email] = emails(app)
    assert email.status == "sent" and email.lead_id is None


def test_without_smtp_it_waits_in_the_outbox_for_staff_to_see(app: Flask, staff: Shopper) -> None:
    order(app)
    [email] = emails(app)
    assert email.status == "outbox" and email.to == "jo@example.com"
    assert "Your order SO-" in staff.get("/backoffice/outbox").get_data(as_text=True)


def test_a_mail_server_that_is_down_never_fails_the_order(app: Flask) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    order(app)
    [email] = emails(app)
    assert email.status == "failed" and email.next_attempt_at is not None  # tried again later
