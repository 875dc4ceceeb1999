"""Outbound webhooks against a real HTTP receiver on a loopback port: registered in the
back office, written with their cause, posted signed, tried again, given up, resent,
and never sent inside the shop's network unless the config allows it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from leadcapture import capture_lead, set_status
from leadcapture.constants import LeadSource
from leadcapture.models import Lead, Webhook, WebhookDelivery
from leadcapture.models.base import utcnow
from storefront.extensions import db

from .conftest import Receiver, free_port
from .helpers import Shopper, register_webhook, statements, sweep
from .test_recovery import abandoned_guest, links, path

ROOT = Path(__file__).resolve().parent.parent


def retry(app: Flask) -> str:
    return app.test_cli_runner().invoke(args=["leads", "retry"]).output


def deliveries(app: Flask) -> list[WebhookDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        db.session.expunge_all()
        return rows


def make_due(app: Flask) -> None:
    with app.app_context():
        db.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))
        db.session.commit()


def a_lead(app: Flask, email: str) -> None:
    """A lead made and committed, as the web form makes one."""
    with app.app_context():
        capture_lead(db.session, email=email, source=LeadSource.WEB_FORM)
        db.session.commit()


def documented_verify() -> Any:
    """The receiver's check as docs/webhooks.md gives it, run as a receiver would."""
    text = (ROOT / "docs" / "webhooks.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code, "docs/webhooks.md shows a Python receiver"
    scope: dict[str, Any] = {}
    exec(code.group(1), scope)  # noqa: S102
    return scope["verify"]


def test_a_sign_up_is_posted_to_the_endpoint_signed_as_the_docs_say(
    app: Flask, staff: Shopper, shopper: Shopper, receiver: Receiver
) -> None:
    assert register_webhook(staff, receiver.url).status_code == 302
    with app.app_context():
        secret = db.session.scalars(select(Webhook.secret)).one()
    shopper.register(email="jane@example.com", full_name="Jane Doe")
    assert [d.state for d in deliveries(app)] == ["waiting", "waiting"]  # off the request path
    assert receiver.posts == []

    assert "2 webhooks delivered, 0 failed" in retry(app)
    assert receiver.events() == ["lead.status_changed", "lead.created"]
    target, headers, body = receiver.posts[1]
    assert target == "/hooks/leads?shop=1"
    assert headers["Content-Type"] == "application/json"
    assert headers["Leadcapture-Event"] == "lead.created"
    payload = json.loads(body)
    assert payload["data"]["lead"]["email"] == "jane@example.com"
    assert payload["data"]["lead"]["lead_name"] == "Jane Doe"
    verify = documented_verify()
    assert verify(secret, headers["Leadcapture-Signature"], body)
    assert not verify(secret, headers["Leadcapture-Signature"], body + b" ")
    assert not verify("whsec_other", headers["Leadcapture-Signature"], body)
    stamp = int(headers["Leadcapture-Signature"].split(",")[0][2:])
    old = headers["Leadcapture-Signature"].replace(f"t={stamp}", f"t={stamp - 3600}")
    assert not verify(secret, old, body)  # a replayed post, an hour on

    assert [(d.state, d.response_code, d.attempts) for d in deliveries(app)] == [
        ("delivered", 200, 1),
        ("delivered", 200, 1),
    ]
    page = staff.get("/backoffice/webhooks").get_data(as_text=True)
    assert secret in page and "pill-delivered" in page and "lead.created" in page
    assert "0 webhooks delivered" in retry(app)  # each is posted once
    assert len(receiver.posts) == 2


def test_each_event_reaches_the_endpoints_that_chose_it(
    app: Flask, staff: Shopper, receiver: Receiver, smtp: Any
) -> None:
    register_webhook(staff, receiver.url, ["cart.abandoned", "cart.recovered", "lead.converted"])
    _, t0 = abandoned_guest(app)  # the sweep abandons the cart: one event for its batch
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))  # the first recovery email
    buyer = Shopper(app)
    buyer.restore(path(links(smtp.messages[0])["restore"]))
    assert buyer.checkout(email="gus@example.com").status_code == 302
    retry(app)
    assert receiver.events() == ["cart.abandoned", "cart.recovered", "lead.converted"]
    abandoned, recovered, converted = (json.loads(b)["data"] for _, _, b in receiver.posts)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
    assert abandoned["created_lead_ids"] == [lead.id] and len(abandoned["cart_ids"]) == 1
    assert recovered["cart_ids"] == abandoned["cart_ids"] and recovered["total"] == "31.00"
    assert recovered["lead"]["email"] == "gus@example.com"
    assert converted["customer"]["customer_name"]
    assert converted["lead"]["status"] == "Converted"


def test_a_status_set_by_staff_is_posted(app: Flask, staff: Shopper, receiver: Receiver) -> None:
    register_webhook(staff, receiver.url, ["lead.status_changed"])
    with app.app_context():
        lead, _ = capture_lead(db.session, email="ann@example.com", source=LeadSource.WEB_FORM)
        db.session.commit()
        set_status(db.session, lead, "Interested", by="staff")
        db.session.commit()
    retry(app)
    changes = [json.loads(b)["data"] for _, _, b in receiver.posts]
    assert [(c["old_status"], c["new_status"]) for c in changes] == [
        (None, "Lead"),
        ("Lead", "Interested"),
    ]


def test_a_delivery_commits_or_rolls_back_with_its_cause(
    app: Flask, staff: Shopper, receiver: Receiver
) -> None:
    register_webhook(staff, receiver.url)
    with app.app_context():
        capture_lead(db.session, email="ann@example.com", source=LeadSource.WEB_FORM)
        db.session.rollback()
    assert deliveries(app) == []
    a_lead(app, "ann@example.com")
    assert len(deliveries(app)) == 2


def test_a_commit_whose_signals_make_no_event_does_not_read_the_endpoints(
    app: Flask, staff: Shopper, receiver: Receiver, tmp_path: Path
) -> None:
    """An import announces ``leads_imported``, which no webhook takes: its commit sends
    nothing about webhooks, with endpoints there to read."""
    register_webhook(staff, receiver.url)
    sheet = tmp_path / "leads.csv"
    sheet.write_text("email,lead_name\nann@example.com,Ann\n")
    with app.app_context(), statements(db.engine) as seen:
        result = app.test_cli_runner().invoke(args=["leads", "import", str(sheet)])
    assert result.exit_code == 0, result.output
    assert any("lc_leads" in sql for sql, _ in seen)  # the import did write
    assert not [sql for sql, _ in seen if "lc_webhook" in sql]
    assert deliveries(app) == []


def test_a_failing_endpoint_is_tried_later_then_given_up_and_resent(
    app: Flask, staff: Shopper, receiver: Receiver
) -> None:
    app.config["LEADCAPTURE_WEBHOOK_MAX_ATTEMPTS"] = 3
    register_webhook(staff, receiver.url, ["lead.created"])
    receiver.status = 500
    a_lead(app, "ann@example.com")
    assert "0 webhooks delivered, 1 failed" in retry(app)
    [delivery] = deliveries(app)
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("waiting", 500, 1)
    assert delivery.error == "The endpoint answered 500."
    first_wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < first_wait <= timedelta(minutes=1)
    assert "0 webhooks delivered, 0 failed" in retry(app)  # not due yet
    make_due(app)
    retry(app)
    [delivery] = deliveries(app)
    assert delivery.next_attempt_at - utcnow() > timedelta(minutes=1, seconds=50)  # doubled
    make_due(app)
    retry(app)
    [delivery] = deliveries(app)
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    make_due(app)
    retry(app)
    assert len(receiver.posts) == 3  # given up: never tried again by itself
    page = staff.get("/backoffice/webhooks").get_data(as_text=True)
    assert "pill-failed" in page and "The endpoint answered 500." in page

    receiver.status = 204
    answer = staff.submit(
        "/backoffice/webhooks", {}, action=f"/backoffice/webhooks/deliveries/{delivery.id}/resend"
    )
    assert answer.status_code == 302
    [delivery] = deliveries(app)
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("delivered", 204, 1)
    bodies = {body for _, _, body in receiver.posts}
    assert len(bodies) == 1  # the same event, the same id, each time


def test_an_endpoint_that_is_down_costs_a_run_three_tries(
    app: Flask, staff: Shopper, receiver: Receiver
) -> None:
    down = f"http://127.0.0.1:{free_port()}/hook"
    register_webhook(staff, down, ["lead.created"])
    register_webhook(staff, receiver.url, ["lead.created"])
    with app.app_context():
        for n in range(5):
            capture_lead(db.session, email=f"a{n}@example.com", source=LeadSource.WEB_FORM)
        db.session.commit()
    said = retry(app)
    assert "5 webhooks delivered, 3 failed, 2 left for the next run" in said
    failed = [d for d in deliveries(app) if d.state == "waiting" and d.attempts]
    assert len(failed) == 3 and all((d.error or "").startswith("No answer") for d in failed)


def test_a_turned_off_endpoint_is_sent_nothing(
    app: Flask, staff: Shopper, receiver: Receiver
) -> None:
    register_webhook(staff, receiver.url, ["lead.created"])
    a_lead(app, "ann@example.com")
    with app.app_context():
        webhook_id = db.session.scalars(select(Webhook.id)).one()
    staff.submit("/backoffice/webhooks", {}, action=f"/backoffice/webhooks/{webhook_id}/toggle")
    a_lead(app, "bob@example.com")
    retry(app)
    assert receiver.posts == []
    [delivery] = deliveries(app)  # the one written while it was on, given up
    assert (delivery.state, delivery.error) == ("failed", "Not sent: the endpoint is turned off.")
    staff.submit("/backoffice/webhooks", {}, action=f"/backoffice/webhooks/{webhook_id}/delete")
    assert deliveries(app) == []


def test_a_refused_address_is_explained_in_the_staffs_language(app: Flask, staff: Shopper) -> None:
    staff.get("/language/pt?next=/")
    page = register_webhook(staff, "https://10.0.0.5/hook").get_data(as_text=True)
    assert "10.0.0.5 é um endereço privado" in page, page
    assert "private, loopback" not in page


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_addresses_inside_the_network_are_refused(app: Flask, staff: Shopper, url: str) -> None:
    answer = register_webhook(staff, url)
    assert answer.status_code == 400
    assert 'data-field="url"' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Webhook)).all() == []


@pytest.mark.parametrize(
    "data, field_name",
    [
        ({"url": "", "events": ["lead.created"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["lead.created"]}, "url"),
        ({"url": "ftp://files.example/x", "events": ["lead.created"]}, "url"),
        ({"url": "http://crm.example/hook", "events": ["lead.created"]}, "url"),  # not https
        ({"url": "https://user:pw@crm.example/hook", "events": ["lead.created"]}, "url"),
        ({"url": "https://crm.example:99999/hook", "events": ["lead.created"]}, "url"),
        ({"url": "https://crm.example/h\nook", "events": ["lead.created"]}, "url"),
        ({"url": "https://crm.example/" + "a" * 2001, "events": ["lead.created"]}, "url"),
        ({"url": "https://crm.example/hook"}, "events"),
        ({"url": "https://crm.example/hook", "events": ["lead.deleted"]}, "events"),
        (
            {"url": "https://crm.example/hook", "events": ["lead.created"], "description": "\x00"},
            "description",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    app: Flask, staff: Shopper, data: dict[str, Any], field_name: str
) -> None:
    answer = staff.submit("/backoffice/webhooks", data)
    assert answer.status_code == 400
    assert f'data-field="{field_name}"' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Webhook)).all() == []


def test_an_address_refused_at_delivery_is_given_up_at_once(
    app: Flask, staff: Shopper, receiver: Receiver
) -> None:
    """Registered while allowed (or a name that resolves elsewhere now): each post checks
    the address again, and connects to the one it checked."""
    register_webhook(staff, receiver.url, ["lead.created"])
    app.config["LEADCAPTURE_WEBHOOKS_ALLOW_PRIVATE"] = False
    a_lead(app, "ann@example.com")
    retry(app)
    [delivery] = deliveries(app)
    assert delivery.state == "failed" and delivery.attempts == 1
    assert "https:// addresses only" in (delivery.error or "")
    assert receiver.posts == []


def test_the_sweep_posts_what_waits_and_prunes_the_old_log(
    app: Flask, staff: Shopper, receiver: Receiver
) -> None:
    register_webhook(staff, receiver.url, ["lead.created"])
    a_lead(app, "ann@example.com")
    assert sweep(app).webhooks.delivered == 1
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=31)
        db.session.execute(update(WebhookDelivery).values(created_at=long_ago))
        db.session.commit()
    sweep(app)
    assert deliveries(app) == []
