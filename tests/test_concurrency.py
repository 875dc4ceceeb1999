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

DONE = re.compile(r"(\d+) carts? abandoned, (\d+) new leads?, \d+ lost, (\d+) recovery")
SENT = re.compile(r"(\d+) emails? sent")
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


def assert_each_thing_done_once(app: Flask, inbox: Any) -> None:
    """Every cart abandoned once, every lead made once, and one recovery series per
    address (the carts share 100 addresses), each email delivered once."""
    total = select(func.count())
    assert (
        count(app, total.select_from(TrackedCart).where(TrackedCart.state == "abandoned")) == CARTS
    )
    assert count(app, total.select_from(Lead)) == EMAILS
    assert (
        count(app, total.select_from(HistoryEntry).where(HistoryEntry.event == "cart_abandoned"))
        == CARTS
    )
    assert count(app, total.select_from(Email).where(Email.status == "sent")) == EMAILS
    assert count(app, select(func.count(func.distinct(Email.to)))) == EMAILS
    assert (
        count(app, total.select_from(HistoryEntry).where(HistoryEntry.kind == "email_sent"))
        == EMAILS
    )
    assert count(app, select(func.sum(TrackedCart.emails_sent))) == EMAILS
    delivered = [m["To"] for m in inbox.messages]
    assert len(delivered) == len(set(delivered)) == EMAILS


@pytest.mark.parametrize("round_", range(3))
def test_two_sweeps_in_threads_started_together(app: Flask, smtp: Any, round_: int) -> None:
    """Two connections released at the same instant by a barrier."""
    app.config.update(LEADCAPTURE_SWEEP_BATCH_SIZE=5, LEADCAPTURE_RECOVERY_SCHEDULE_HOURS=(0,))
    make_carts(app, f"t{round_}")
    now = datetime.now(UTC)
    results = together(app, lambda: run_sweep(db.session, now=now))
    assert sum(r.abandoned for r in results) == CARTS
    assert sum(r.leads_created for r in results) == EMAILS
    assert sum(r.emails for r in results) == EMAILS
    assert_each_thing_done_once(app, smtp)


@pytest.mark.parametrize("round_", range(2))
def test_two_sweep_processes_send_each_email_once(
    app: Flask, database_url: str, tmp_path: Path, smtp: Any, round_: int
) -> None:
    """Two ``flask leads sweep`` processes on the same due emails."""
    make_carts(app, f"p{round_}")
    app.config.update(LEADCAPTURE_RECOVERY_EMAILS=False)
    with app.app_context():
        run_sweep(db.session, now=datetime.now(UTC) - timedelta(minutes=5))
        for cart in db.session.scalars(select(TrackedCart)):
            cart.next_email_at = cart.abandoned_at
        db.session.commit()

    sweeps = [flask_command(app, database_url, tmp_path, "sweep") for _ in range(2)]
    outputs = [sweep.communicate(timeout=300) for sweep in sweeps]
    for sweep, (_out, err) in zip(sweeps, outputs, strict=True):
        assert sweep.returncode == 0, err
    written = [int(DONE.search(out).group(3)) for out, _ in outputs]  # type: ignore[union-attr]
    sent = [int(SENT.search(out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(written) == sum(sent) == EMAILS, outputs
    assert_each_thing_done_once(app, smtp)


def flask_command(
    app: Flask, database_url: str, tmp_path: Path, *args: str, **settings: str
) -> subprocess.Popen[str]:
    """``flask --app wsgi leads ARGS`` in a process of its own, on the test database and
    the test's SMTP server; ``settings`` become ``FLASK_<NAME>`` variables."""
    env = {
        **os.environ,
        "STOREFRONT_INSTANCE_PATH": str(tmp_path),
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_SECRET_KEY": "test-secret",
        "FLASK_STOREFRONT_AUTO_MIGRATE": "false",
        "FLASK_LEADCAPTURE_SWEEP_BATCH_SIZE": "5",
        # The plug-in's own timing, as in the tests' app, not the demo shop's.
        "FLASK_LEADCAPTURE_ABANDONED_AFTER_MINUTES": "60",
        "FLASK_LEADCAPTURE_RECOVERY_SCHEDULE_HOURS": "[1, 24, 72]",
        "FLASK_MAIL_SERVER": str(app.config.get("MAIL_SERVER") or ""),
        "FLASK_MAIL_PORT": str(app.config.get("MAIL_PORT") or 25),
        **{f"FLASK_{name}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "leads", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


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

    from leadcapture.mail.imap import fetch_mail
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
def test_a_recovery_link_opened_at_once_on_ten_devices_is_one_line_of_history(
    app: Flask, round_: int
) -> None:
    from leadcapture.recovery import open_restore_link

    from .helpers import age_carts, guest_with_cart, sweep

    guest_with_cart(app, f"link{round_}@example.com")
    age_carts(app, 120)
    now = datetime.now(UTC)
    assert sweep(app, now=now).abandoned == 1
    assert sweep(app, now=now + timedelta(hours=2)).written == 1
    with app.app_context():
        email = db.session.scalars(select(Email)).one()
        link = {"cart": email.cart_id, "step": email.step}

    def open_link() -> None:
        open_restore_link(db.session, link)
        db.session.commit()

    together(app, open_link, runs=10)
    opened = select(func.count()).select_from(HistoryEntry)
    assert count(app, opened.where(HistoryEntry.event == "recovery_link_clicked")) == 1
    with app.app_context():
        assert db.session.get(Email, email.id).link_opened_at is not None


@pytest.mark.parametrize("round_", range(3))
def test_a_follow_up_done_at_once_by_ten_hands_is_done_once(app: Flask, round_: int) -> None:
    """A double click, or two staff on one lead: the follow-up is claimed by one."""
    from datetime import date

    from leadcapture import LeadSource, capture_lead
    from leadcapture.errors import ValidationError
    from leadcapture.followups import finish_follow_up

    due = date.today()
    with app.app_context():
        lead, _ = capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="Called")
        lead.next_contact_date = due
        db.session.commit()
        lead_id = lead.id

    def done() -> bool:
        try:
            finish_follow_up(
                db.session,
                db.session.get(Lead, lead_id),  # type: ignore[arg-type]
                due=due,
                next_date=due + timedelta(days=round_ + 1),
                by="1",
                today=due,
            )
            db.session.commit()
        except ValidationError as refused:
            db.session.rollback()
            assert "due" in refused.errors
            return False
        return True

    assert sorted(together(app, done, runs=10)) == [False] * 9 + [True]
    finished = select(func.count()).select_from(HistoryEntry)
    assert count(app, finished.where(HistoryEntry.event == "follow_up_done")) == 1


@pytest.mark.parametrize("round_", range(3))
def test_one_email_form_sent_ten_times_at_once_writes_one_email(app: Flask, round_: int) -> None:
    """A staff user's email with its form's key, sent by ten requests at the same moment."""
    from leadcapture import LeadSource, capture_lead
    from leadcapture.communications import email_lead

    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, email=f"once{round_}@example.com"
        )
        db.session.commit()
        lead_id = lead.id

    def write() -> int:
        lead = db.session.get(Lead, lead_id)
        assert lead is not None
        email = email_lead(db.session, lead, subject="Hi", text="Once", by="1", key="form-1")
        db.session.commit()
        return email.id

    assert len(set(together(app, write, runs=10))) == 1
    assert count(app, select(func.count()).select_from(Email)) == 1


@pytest.mark.parametrize("round_", range(3))
def test_ten_unsubscribes_at_once_change_the_status_once(app: Flask, round_: int) -> None:
    """One-click unsubscribe (RFC 8058): a mail provider's POST and the reader's, at once."""
    from leadcapture.recovery import unsubscribe

    from .helpers import age_carts, guest_with_cart, sweep

    guest_with_cart(app, f"stop{round_}@example.com")
    age_carts(app, 120)
    assert sweep(app).abandoned == 1
    with app.app_context():
        lead_id = db.session.scalars(select(Lead.id)).one()
    entries = select(func.count()).select_from(HistoryEntry)
    changes = entries.where(HistoryEntry.event == "status_changed")
    before = count(app, changes)  # "Status set to Open"

    def stop() -> None:
        unsubscribe(db.session, lead_id)
        db.session.commit()

    together(app, stop, runs=10)
    assert count(app, entries.where(HistoryEntry.event == "unsubscribed")) == 1
    assert count(app, changes) == before + 1


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
    from leadcapture import signals
    from leadcapture.events import store as outbox
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


def post_together(app: Flask, cookie: Any, url: str, data: dict[str, str], runs: int) -> list[int]:
    """``runs`` connections of one browser session post ``data`` at the same instant."""
    browsers = []
    for _ in range(runs):
        client = app.test_client()
        client.set_cookie("session", cookie.value, domain=cookie.domain)
        browsers.append(client)
    queue = iter(browsers)
    lock = threading.Lock()

    def post() -> int:
        with lock:
            client = next(queue)
        return client.post(url, data=data).status_code

    return together(app, post, runs=runs)


@pytest.mark.parametrize("round_", range(2))
@pytest.mark.parametrize("signed_in", [True, False], ids=["account", "guest"])
def test_twenty_submits_of_one_checkout_place_one_order(
    app: Flask, round_: int, signed_in: bool
) -> None:
    """The same checkout form posted twenty times at once (a shopper hammering the
    button): one order, one customer, one contact."""
    from leadcapture.models import Contact, Customer
    from storefront.models import Order

    from .helpers import ADDRESS, Shopper, hidden_fields

    shopper = Shopper(app)
    if signed_in:
        shopper.register(email=f"hammer{round_}@example.com", full_name="Hal Hammer")
    shopper.add_to_cart("TEA-001", 2)
    cookie = shopper.client.get_cookie("session")
    assert cookie is not None
    data = hidden_fields(shopper.get("/checkout").get_data(as_text=True))
    assert data["order_key"]
    data.update({"full_name": "Hal Hammer", "shipping_same": "y"})
    if not signed_in:
        data["email"] = f"hammer{round_}@example.com"
    data.update({f"billing-{key}": value for key, value in ADDRESS.items()})
    statuses = post_together(app, cookie, "/checkout", data, runs=20)
    assert set(statuses) == {302}
    total = select(func.count())
    assert count(app, total.select_from(Order)) == 1
    assert count(app, total.select_from(Customer)) == 1
    assert count(app, total.select_from(Contact)) == 1
    for event in ("converted", "order_placed"):
        noted = total.select_from(HistoryEntry).where(HistoryEntry.event == event)
        assert count(app, noted) == 1


class HoldingServer:
    """An SMTP server that holds one conversation — in its DATA or RCPT step — until it is
    let go, and then refuses that message; every other message it takes."""

    def __init__(self, hold_at: int, step: str) -> None:
        from .conftest import Inbox

        self.inbox = Inbox()
        self.hold_at, self.step, self.seen = hold_at, step, 0
        self.holding = threading.Event()
        self.held = threading.Event()

    async def _hold(self) -> bool:
        import asyncio

        self.seen += 1
        if self.seen != self.hold_at:
            return False
        self.held.set()
        while not self.holding.is_set():
            await asyncio.sleep(0.05)
        return True

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802
        if self.step == "RCPT" and await self._hold():
            return "421 Going away"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.step == "DATA" and await self._hold():
            return "421 Going away"
        return await self.inbox.handle_DATA(server, session, envelope)


@pytest.mark.parametrize(("hold_at", "step"), [(1, "DATA"), (5, "DATA"), (3, "RCPT")])
def test_a_sweep_killed_mid_conversation_loses_no_email_and_sends_none_twice(
    app: Flask, database_url: str, tmp_path: Path, hold_at: int, step: str
) -> None:
    """``kill -9`` on a ``flask leads sweep`` while the SMTP server holds its conversation;
    then a clean run: every due email delivered once, the history naming each once."""
    import signal
    import time

    from aiosmtpd.controller import Controller

    from .conftest import free_port

    server = HoldingServer(hold_at, step)
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    addresses = [f"k{hold_at}{step.lower()}-{i}@example.com" for i in range(12)]
    with app.app_context():
        for i, address in enumerate(addresses):
            record_cart(
                db.session,
                cart_id=f"k-{i}",
                currency="EUR",
                email=address,
                lines=[{"sku": "TEA-001", "name": "Tea", "quantity": 1, "unit_price": "8.50"}],
                updated_at=datetime.now(UTC) - timedelta(hours=3),
            )
        db.session.commit()
        app.config["MAIL_SERVER"] = None  # abandoned an hour ago; the first email is due
        run_sweep(db.session, now=datetime.now(UTC) - timedelta(hours=1, minutes=5))
        app.config["MAIL_SERVER"] = "127.0.0.1"
    try:
        first = flask_command(
            app, database_url, tmp_path, "sweep", LEADCAPTURE_EMAIL_LEASE_SECONDS="2"
        )
        assert server.held.wait(timeout=60), first.communicate(timeout=5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        server.holding.set()
        with app.app_context():
            written = db.session.scalars(select(Email.status)).all()
        assert len(written) == len(addresses) and "sending" in written
        time.sleep(2.5)  # the killed run's lease runs out
        clean = flask_command(app, database_url, tmp_path, "sweep")
        out, err = clean.communicate(timeout=120)
        assert clean.returncode == 0, err
    finally:
        controller.stop()
    delivered = sorted(m["To"] for m in server.inbox.messages)
    assert delivered == sorted(addresses)  # every one, none twice
    with app.app_context():
        assert set(db.session.scalars(select(Email.status))) == {"sent"}
        sent_history = select(func.count()).select_from(HistoryEntry)
        assert db.session.scalar(sent_history.where(HistoryEntry.kind == "email_sent")) == len(
            addresses
        )


@pytest.mark.parametrize("round_", range(2))
def test_orders_under_one_name_at_once_name_their_addresses_apart(app: Flask, round_: int) -> None:
    """Ten shoppers called Sam Lee order at the same instant: each address gets its own
    ``Sam Lee-Billing-N``, and every order's event is handled at its first try."""
    from leadcapture import signals
    from leadcapture.models import Address, InboundEvent

    ids = iter(range(10))
    lock = threading.Lock()

    def order() -> None:
        with lock:
            n = next(ids)
        signals.order_placed.send(
            app,
            order_id=f"{round_}-{n}",
            email=f"sam{round_}-{n}@example.com",
            full_name="Sam Lee",
            total="10.00",
            currency="EUR",
            user_id=f"{round_}{n:03d}",
            billing_address={"address_line1": f"{n} Main St", "city": "Leeds", "country": "UK"},
        )

    together(app, order, runs=10)
    with app.app_context():
        names = db.session.scalars(select(Address.name)).all()
        events = db.session.execute(select(InboundEvent.state, InboundEvent.attempts)).all()
    assert len(names) == len(set(names)) == 10
    assert all(name.startswith("Sam Lee-Billing") for name in names)
    assert set(events) == {("done", 0)}


@pytest.mark.parametrize("round_", range(3))
def test_two_leads_merged_both_ways_by_ten_hands_at_once_become_one(
    app: Flask, round_: int
) -> None:
    """Five staff merge B into A while five merge A into B: one merge is done, the rest
    find it done or refused, and nothing deadlocks (the rows are locked in id order)."""
    from leadcapture import LeadSource, capture_lead, merge_leads
    from leadcapture.errors import ValidationError
    from leadcapture.models import LeadMerge

    with app.app_context():
        first, _ = capture_lead(
            db.session,
            source=LeadSource.REFERENCE,
            lead_name="Ann",
            email=f"ann{round_}@example.com",
        )
        second, _ = capture_lead(
            db.session, source=LeadSource.REFERENCE, lead_name="Ann", phone="+44 1632 960002"
        )
        db.session.commit()
        ids = [first.id, second.id]
    turn = iter(range(10))
    lock = threading.Lock()

    def merge() -> str:
        with lock:
            n = next(turn)
        kept, duplicate = (ids[0], ids[1]) if n % 2 else (ids[1], ids[0])
        lead = db.session.get(Lead, kept)
        if lead is None:
            return "gone"
        try:
            done = merge_leads(db.session, lead, duplicate, by="1")
            db.session.commit()
        except ValidationError as refused:
            db.session.rollback()
            assert "duplicate" in refused.errors
            return "refused"
        return "merged" if done is not None else "done before"

    outcomes = together(app, merge, runs=10)
    assert outcomes.count("merged") == 1
    assert count(app, select(func.count()).select_from(LeadMerge)) == 1
    assert count(app, select(func.count()).select_from(Lead)) == 1
    merges = select(func.count()).select_from(HistoryEntry).where(HistoryEntry.event == "merged")
    assert count(app, merges) == 1
