"""Recovery emails never go to a buyer, never bomb a stranger, and survive a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from leadcapture.models import Email, HistoryEntry, InboundEvent, TrackedCart
from leadcapture.models.base import utcnow
from storefront.extensions import db

from .conftest import Inbox, free_port
from .helpers import Shopper, age_carts, capture_email, count, sweep
from .test_recovery import abandoned_guest


def stuck_orders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plug-in fails to handle every order: the event waits, the order stands."""
    from leadcapture.events import store as outbox

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the CRM tables are locked")

    monkeypatch.setitem(outbox.HANDLERS, "order_placed", broken)


def the_whole_schedule(app: Flask, t0: datetime) -> int:
    return sum(
        sweep(app, now=t0 + timedelta(hours=hours, minutes=1)).emails for hours in (1, 24, 72)
    )


def test_a_signed_in_buyer_whose_order_waits_gets_no_recovery_email(
    app: Flask, smtp: Inbox, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    stuck_orders(monkeypatch)
    assert shopper.checkout(email=None).status_code == 302
    age_carts(app, 120)
    t0 = datetime.now(UTC)
    assert sweep(app, now=t0).abandoned == 1  # the plug-in never heard of the order
    assert the_whole_schedule(app, t0) == 0
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalars(select(InboundEvent.state)).all()[-1] == "pending"


def test_an_order_by_the_carts_email_after_its_last_activity_stops_its_emails(
    app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, t0 = abandoned_guest(app, "gus@example.com")
    stuck_orders(monkeypatch)
    buyer = Shopper(app)  # another device: another cart, the same email
    buyer.add_to_cart("TEA-002")
    assert buyer.checkout(email="gus@example.com").status_code == 302
    assert the_whole_schedule(app, t0) == 0
    assert smtp.messages == []


def test_an_order_before_the_carts_last_activity_does_not_stop_it(
    app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck_orders(monkeypatch)  # an order the plug-in never handled: the lead is not converted
    buyer = Shopper(app)
    buyer.add_to_cart("TEA-002")
    buyer.checkout(email="gus@example.com")
    with app.app_context():  # that order was placed a day ago
        db.session.execute(update(InboundEvent).values(created_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    _, t0 = abandoned_guest(app, "gus@example.com")
    assert the_whole_schedule(app, t0) == 3


def test_thirty_carts_naming_one_address_send_it_one_series(app: Flask, smtp: Inbox) -> None:
    for n in range(30):
        guest = Shopper(app)
        guest.add_to_cart("TEA-001")
        address = f"192.0.2.{n % 2 + 1}"
        guest.client.environ_base["REMOTE_ADDR"] = address
        assert capture_email(guest, "victim@example.com").status_code == 204
    age_carts(app, 120)
    t0 = datetime.now(UTC)
    assert sweep(app, now=t0).abandoned == 30
    assert the_whole_schedule(app, t0) == 3
    assert [m["To"] for m in smtp.messages] == ["victim@example.com"] * 3
    with app.app_context():
        codes = db.session.scalars(
            select(Email.discount_code).where(Email.discount_code.is_not(None))
        )
        assert len(list(codes)) == 1
        carts = {e.cart_id for e in db.session.scalars(select(Email))}
        assert len(carts) == 1


def test_a_new_series_may_start_after_the_cooldown(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app, "gus@example.com")
    assert the_whole_schedule(app, t0) == 3
    later = Shopper(app)
    later.add_to_cart("TEA-002")
    capture_email(later, "gus@example.com")
    t1 = t0 + timedelta(days=8)
    with app.app_context():
        db.session.execute(
            update(TrackedCart)
            .where(TrackedCart.state == "active")
            .values(last_activity_at=t1 - timedelta(hours=2))
        )
        db.session.commit()
    assert sweep(app, now=t1).abandoned == 1
    assert sweep(app, now=t1 + timedelta(hours=1, minutes=1)).emails == 1


def test_an_abandoned_cart_changed_again_is_active_and_its_emails_stop(
    app: Flask, smtp: Inbox
) -> None:
    guest, t0 = abandoned_guest(app)
    guest.add_to_cart("TEA-002")  # the shopper came back
    with app.app_context():
        cart = db.session.scalars(select(TrackedCart)).one()
        assert (cart.state, cart.next_email_at) == ("active", None)
    assert sweep(app, now=t0 + timedelta(minutes=61)).emails == 0
    assert smtp.messages == []


def test_one_bad_cart_does_not_stop_the_others_in_a_run(
    app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    abandoned_guest(app, "ann@example.com")
    _, t0 = abandoned_guest(app, "bob@example.com")
    from leadcapture import recovery

    real = recovery.write_recovery_email

    def breaks_for_ann(session: Any, cart: Any, *args: Any) -> Any:
        if cart.email == "ann@example.com":
            raise RuntimeError("a template error")
        return real(session, cart, *args)

    monkeypatch.setattr(recovery, "write_recovery_email", breaks_for_ann)
    assert sweep(app, now=t0 + timedelta(hours=1, minutes=1)).emails == 1
    assert [m["To"] for m in smtp.messages] == ["bob@example.com"]


def test_counts_are_what_was_delivered_and_a_run_stops_after_failures_in_a_row(
    app: Flask,
) -> None:
    """An SMTP server answering 451 to every message: nothing is counted as sent, and the
    run stops after three failures, leaving the rest for the next run."""
    from aiosmtpd.controller import Controller

    class Busy:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            return "451 Try again later"

    port = free_port()
    controller = Controller(Busy(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        for n in range(6):
            guest = Shopper(app)
            guest.add_to_cart("TEA-001")
            capture_email(guest, f"g{n}@example.com")
        age_carts(app, 120)
        t0 = datetime.now(UTC)
        assert sweep(app, now=t0).abandoned == 6
        with app.app_context():
            db.session.execute(
                update(TrackedCart).values(next_email_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
        result = app.test_cli_runner().invoke(args=["leads", "sweep"])
    finally:
        controller.stop()
    assert "0 emails sent, 3 failed" in result.output
    assert "sending stopped: 3 emails left for the next run" in result.output
    with app.app_context():
        statuses = sorted(db.session.scalars(select(Email.status)))
        assert statuses == ["failed"] * 3 + ["outbox"] * 3
        assert count(app, HistoryEntry, HistoryEntry.kind == "email_sent") == 0


def test_a_run_killed_mid_send_leaves_the_email_to_the_next_run(app: Flask, smtp: Inbox) -> None:
    """The lease: an email claimed by a run that died is taken again once it runs out, and
    the history names it once, when it is delivered."""
    _, t0 = abandoned_guest(app)
    app.config["MAIL_SERVER"], server = None, app.config["MAIL_SERVER"]
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))  # written, not sent (no SMTP)
    app.config["MAIL_SERVER"] = server
    with app.app_context():  # a run claimed it, then was killed
        db.session.execute(
            update(Email).values(status="sending", lease_until=utcnow() + timedelta(minutes=5))
        )
        db.session.commit()
    runner = app.test_cli_runner()
    assert "0 emails sent" in runner.invoke(args=["leads", "retry"]).output  # lease holds
    with app.app_context():
        db.session.execute(update(Email).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "1 email sent" in runner.invoke(args=["leads", "retry"]).output
    assert "0 emails sent" in runner.invoke(args=["leads", "retry"]).output
    assert len(smtp.messages) == 1
    assert count(app, HistoryEntry, HistoryEntry.kind == "email_sent") == 1


def test_a_guests_order_for_the_cart_itself_stops_its_emails(
    app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bought under another email than the one captured: the cart's own key says so."""
    guest, t0 = abandoned_guest(app, "gus@example.com")
    stuck_orders(monkeypatch)
    assert guest.checkout(email="someone.else@example.com").status_code == 302
    with app.app_context():
        [order] = db.session.scalars(
            select(InboundEvent).where(InboundEvent.kind == "order_placed")
        ).all()
        cart = db.session.scalars(select(TrackedCart)).one()
        assert order.cart_key == cart.cart_key  # as the shop wrote it, letter case and all
    assert the_whole_schedule(app, t0) == 0
    assert smtp.messages == []


def test_an_order_naming_what_no_database_stores_is_still_kept(app: Flask) -> None:
    from leadcapture import signals

    with app.app_context():
        signals.order_placed.send(
            app,
            order_id="1",
            email="kim\x00@example.com",
            full_name="Kim",
            total="1.00",
            currency="EUR",
            cart_id="guest-\x00",
        )
        event = db.session.scalars(select(InboundEvent)).one()
        assert (event.cart_key, event.email, event.state) == (None, None, "dead")


def test_a_customer_set_back_to_open_by_hand_is_never_scheduled_an_email(
    app: Flask, smtp: Inbox
) -> None:
    """One rule says who may be emailed, for the sweep's batch and for the send: a lead
    with a customer has bought, whatever status staff gave it since."""
    from leadcapture import LeadStatus, capture_lead, convert_lead, set_status

    with app.app_context():
        lead, _ = capture_lead(
            db.session, source="Web Form", email="cy@example.com", lead_name="Cy"
        )
        convert_lead(db.session, lead, by="1")
        set_status(db.session, lead, LeadStatus.OPEN, by="1")
        db.session.commit()
    guest = Shopper(app)
    guest.add_to_cart("TEA-001")
    assert capture_email(guest, "cy@example.com").status_code == 204
    age_carts(app, 120)
    t0 = datetime.now(UTC)
    assert sweep(app, now=t0).abandoned == 1
    with app.app_context():
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.customer_id is not None and cart.next_email_at is None
    assert the_whole_schedule(app, t0) == 0 and smtp.messages == []
