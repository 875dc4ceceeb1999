"""Sweeps from several hosts at once, on PostgreSQL with real parallel connections and
processes: every cart is claimed once, every lead made once, every email written once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from sqlalchemy import func, select

from leadcapture import record_cart
from leadcapture.models import Email, HistoryEntry, Lead, TrackedCart
from leadcapture.sweep import run_sweep
from storefront.extensions import db

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

pytestmark = pytest.mark.skipif(
    not os.environ.get("LEADCAPTURE_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrency is proved on PostgreSQL (run with LEADCAPTURE_TEST_DATABASE_URL)",
)

DONE = re.compile(r"(\d+) cart\(s\) abandoned, (\d+) new lead\(s\), \d+ lost, (\d+) recovery")
CARTS, EMAILS = 400, 100


def make_carts(app: Flask, prefix: str) -> None:
    with app.app_context():
        for i in range(CARTS):
            record_cart(
                db.session,
                cart_id=f"{prefix}-{i}",
                currency="EUR",
                email=f"{prefix}-{i % EMAILS}@example.com",
                lines=[
                    {"sku": "TEA-001", "name": "Tea", "quantity": 1 + i % 3, "unit_price": "8.50"}
                ],
                updated_at=datetime.now(UTC) - timedelta(hours=2),
            )
        db.session.commit()


def count(app: Flask, query: Any) -> int:
    with app.app_context():
        return db.session.scalar(query) or 0


def together(app: Flask, work: Callable[[], T], runs: int = 2) -> list[T]:
    """Run ``work`` on ``runs`` threads, each with its own app context and connection,
    released at the same instant by a barrier; returns their results, raises their errors."""
    start = threading.Barrier(runs)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                results.append(work())
                db.session.remove()
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert len(results) == runs
    return results


def assert_each_thing_done_once(app: Flask) -> None:
    total = select(func.count())
    assert (
        count(app, total.select_from(TrackedCart).where(TrackedCart.state == "abandoned")) == CARTS
    )
    assert count(app, total.select_from(Lead)) == EMAILS
    assert (
        count(app, total.select_from(HistoryEntry).where(HistoryEntry.event == "cart_abandoned"))
        == CARTS
    )
    assert count(app, total.select_from(Email)) == CARTS
    assert count(app, select(func.count(func.distinct(Email.cart_id)))) == CARTS
    assert (
        count(app, total.select_from(HistoryEntry).where(HistoryEntry.kind == "email_sent"))
        == CARTS
    )
    assert count(app, total.select_from(TrackedCart).where(TrackedCart.emails_sent != 1)) == 0


@pytest.mark.parametrize("round_", range(3))
def test_two_sweeps_in_threads_started_together(app: Flask, round_: int) -> None:
    """Two connections released at the same instant by a barrier."""
    app.config.update(LEADCAPTURE_SWEEP_BATCH_SIZE=5, LEADCAPTURE_RECOVERY_SCHEDULE_HOURS=(0,))
    make_carts(app, f"t{round_}")
    now = datetime.now(UTC)
    results = together(app, lambda: run_sweep(db.session, now=now))
    assert sum(r.abandoned for r in results) == CARTS
    assert sum(r.leads_created for r in results) == EMAILS
    assert sum(r.emails for r in results) == CARTS
    assert_each_thing_done_once(app)


@pytest.mark.parametrize("round_", range(2))
def test_two_sweep_processes_send_each_email_once(
    app: Flask, database_url: str, tmp_path: Path, round_: int
) -> None:
    """Two ``flask leads sweep`` processes on the same due emails."""
    make_carts(app, f"p{round_}")
    app.config.update(LEADCAPTURE_RECOVERY_EMAILS=False)
    with app.app_context():
        run_sweep(db.session, now=datetime.now(UTC) - timedelta(minutes=5))
        for cart in db.session.scalars(select(TrackedCart)):
            cart.next_email_at = cart.abandoned_at
        db.session.commit()

    env = {
        **os.environ,
        "STOREFRONT_INSTANCE_PATH": str(tmp_path),
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_SECRET_KEY": "test-secret",
        "FLASK_STOREFRONT_AUTO_MIGRATE": "false",
        "FLASK_LEADCAPTURE_SWEEP_BATCH_SIZE": "5",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "leads", "sweep"]
    sweeps = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [sweep.communicate(timeout=300) for sweep in sweeps]
    for sweep, (_out, err) in zip(sweeps, outputs, strict=True):
        assert sweep.returncode == 0, err
    sent = [int(DONE.search(out).group(3)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(sent) == CARTS, outputs
    assert_each_thing_done_once(app)


def test_two_reminder_runs_at_once_remind_each_lead_once(app: Flask) -> None:
    from datetime import date

    from leadcapture import LeadSource, capture_lead
    from leadcapture.followups import remind

    with app.app_context():
        for i in range(150):
            lead, _ = capture_lead(db.session, source=LeadSource.REFERENCE, lead_name=f"L{i}")
            lead.next_contact_date = date.today()
        db.session.commit()

    def run() -> int:
        reminded = remind(db.session, today=date.today())
        db.session.commit()
        return reminded

    counts = together(app, run)
    assert sum(counts) == 150
    assert (
        count(
            app,
            select(func.count())
            .select_from(HistoryEntry)
            .where(HistoryEntry.subject.like("Follow-up due%")),
        )
        == 150
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_fetch_mail_runs_at_once_take_each_message_once(
    app: Flask, mailbox: Any, round_: int
) -> None:
    """Both runs see every message unseen; the Message-ID claim gives each to one run, and
    a new sender's lead is made once even when both runs meet it at the same moment."""
    from email.message import EmailMessage

    from leadcapture.mailbox import fetch_mail
    from leadcapture.models import MailMessage

    def mail(i: int) -> bytes:
        message = EmailMessage()
        message["From"] = f"Sender {i % 10} <s{i % 10}@example.com>"
        message["Subject"] = f"Message {i}"
        message["Message-ID"] = f"<r{round_}-{i}@mail.example>"
        message.set_content(f"Body {i}")
        return message.as_bytes()

    mailbox.deliver(*(mail(i) for i in range(40)))
    results = together(app, lambda: fetch_mail(db.session, app.config))
    total = select(func.count())
    assert count(app, total.select_from(MailMessage)) == 40
    assert count(app, total.select_from(Lead)) == 10
    received = total.select_from(HistoryEntry).where(HistoryEntry.kind == "email_received")
    assert count(app, received) == 40
    taken = [r.leads_created + r.on_history for r in results]
    assert sum(taken) == 40 and sum(r.failed for r in results) == 0
    assert mailbox.unseen() == 0


@pytest.mark.parametrize("round_", range(3))
def test_twenty_simultaneous_orders_of_one_shopper_make_one_customer(
    app: Flask, round_: int
) -> None:
    from leadcapture import signals
    from leadcapture.models import Contact, Customer

    with app.app_context():
        signals.user_registered.send(
            app, user_id="42", email=f"jo{round_}@example.com", full_name="Jo Buyer"
        )
    orders = iter(range(20))
    lock = threading.Lock()

    def order() -> None:
        with lock:
            number = next(orders)
        signals.order_placed.send(
            app,
            order_id=f"{round_}-{number}",
            user_id="42",
            email=f"jo{round_}@example.com",
            full_name="Jo Buyer",
            total="12.00",
            currency="EUR",
        )

    together(app, order, runs=20)
    total = select(func.count())
    assert count(app, total.select_from(Customer)) == 1
    assert count(app, total.select_from(Contact)) == 1
    converted = total.select_from(HistoryEntry).where(HistoryEntry.event == "converted")
    assert count(app, converted) == 1
    placed = total.select_from(HistoryEntry).where(HistoryEntry.event == "order_placed")
    assert count(app, placed) == 20


@pytest.mark.parametrize("round_", range(3))
def test_a_registration_race_on_one_email_makes_one_user_and_one_lead(
    app: Flask, round_: int
) -> None:
    from storefront.models import User

    from .helpers import csrf_token

    browsers = []
    for _ in range(6):
        client = app.test_client()
        browsers.append((client, csrf_token(client.get("/register").get_data(as_text=True))))
    queue = iter(browsers)
    lock = threading.Lock()

    def register() -> int:
        with lock:
            client, token = next(queue)
        return client.post(
            "/register",
            data={
                "csrf_token": token,
                "email": f"Race{round_}@Example.com",
                "full_name": "Ray Racer",
                "password": "correct horse battery",
                "confirm": "correct horse battery",
            },
        ).status_code

    statuses = together(app, register, runs=6)
    assert sorted(statuses) == [200] * 5 + [302]  # one account; the others are told why
    total = select(func.count())
    assert count(app, total.select_from(User).where(User.is_staff.is_(False))) == 1
    assert count(app, total.select_from(Lead)) == 1


def test_two_retry_runs_at_once_handle_each_kept_event_once(app: Flask) -> None:
    from leadcapture import outbox, signals
    from leadcapture.models import InboundEvent
    from leadcapture.models.base import utcnow

    real = outbox.HANDLERS["user_registered"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("down")

    outbox.HANDLERS["user_registered"] = broken
    try:
        with app.app_context():
            for i in range(60):
                signals.user_registered.send(
                    app, user_id=str(i), email=f"k{i}@example.com", full_name=f"K {i}"
                )
    finally:
        outbox.HANDLERS["user_registered"] = real
    with app.app_context():
        db.session.query(InboundEvent).update({"next_attempt_at": utcnow()})
        db.session.commit()
    handled = together(app, lambda: outbox.retry(db.session))
    assert sum(handled) == 60
    total = select(func.count())
    assert count(app, total.select_from(Lead)) == 60
    done = total.select_from(InboundEvent).where(InboundEvent.state == "done")
    assert count(app, done) == 60


@pytest.mark.parametrize("round_", range(2))
def test_twenty_checkouts_at_once_by_one_signed_in_shopper(app: Flask, round_: int) -> None:
    """The same browser session posts the checkout twenty times at once (a shopper
    hammering the button): however many orders the shop makes of it, the plug-in makes
    one customer and one contact."""
    from leadcapture.models import Contact, Customer
    from storefront.models import Order

    from .helpers import ADDRESS, Shopper, csrf_token

    shopper = Shopper(app)
    shopper.register(email=f"hammer{round_}@example.com", full_name="Hal Hammer")
    shopper.add_to_cart("TEA-001", 2)
    cookie = shopper.client.get_cookie("session")
    assert cookie is not None
    token = csrf_token(shopper.get("/checkout").get_data(as_text=True))
    data = {"csrf_token": token, "full_name": "Hal Hammer", "shipping_same": "y"}
    data.update({f"billing-{key}": value for key, value in ADDRESS.items()})
    browsers = []
    for _ in range(20):  # twenty connections of the same browser session
        client = app.test_client()
        client.set_cookie("session", cookie.value, domain=cookie.domain)
        browsers.append(client)
    queue = iter(browsers)
    lock = threading.Lock()

    def checkout() -> int:
        with lock:
            client = next(queue)
        return client.post("/checkout", data=data).status_code

    statuses = together(app, checkout, runs=20)
    assert set(statuses) == {302}
    total = select(func.count())
    orders = count(app, total.select_from(Order))
    assert orders >= 1
    assert count(app, total.select_from(Customer)) == 1
    assert count(app, total.select_from(Contact)) == 1
    converted = total.select_from(HistoryEntry).where(HistoryEntry.event == "converted")
    assert count(app, converted) == 1
    placed = total.select_from(HistoryEntry).where(HistoryEntry.event == "order_placed")
    assert count(app, placed) == orders  # every order noted, none twice
