"""Background work on a real Celery worker (this machine's Redis as the broker, the test
database on PostgreSQL): events, emails and beat jobs are each handled once, also when
the worker is killed in the middle of a task, and the pages that need a result at once
work while no worker runs at all."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from leadcapture.models import (
    Customer,
    Email,
    HistoryEntry,
    InboundEvent,
    Lead,
    TrackedCart,
    WebhookDelivery,
)
from storefront.extensions import db

from .conftest import DATABASE_URL_VARIABLE, Inbox, Receiver
from .helpers import Shopper, age_carts, count, guest_with_cart, register_webhook

celery = pytest.importorskip("celery")
redis = pytest.importorskip("redis")

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/11"

pytestmark = pytest.mark.skipif(
    not os.environ.get(DATABASE_URL_VARIABLE),
    reason="the worker shares the test database: run on PostgreSQL (LEADCAPTURE_TEST_DATABASE_URL)",
)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_timeout=2).ping())
    except redis.RedisError:
        return False


class Worker:
    """``celery -A worker worker`` in its own process, on the test's own queue."""

    def __init__(self, env: dict[str, str], *, beat: bool, folder: Path) -> None:
        command = [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool=solo"]
        command += ["--loglevel=INFO", "-Q", env["FLASK_STOREFRONT_CELERY_QUEUE"]]
        if beat:
            command += ["-B", "--schedule", str(folder / f"beat-{uuid.uuid4().hex}")]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its group: the embedded beat is its child process
        )
        self.output: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            pytest.fail("the worker did not start:\n" + "".join(self.output[-40:]))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def kill(self) -> None:
        """``kill -9`` of the worker and what it started (its beat): no clean-up, no ack."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # whatever of its group is left, a beat process above all


@pytest.fixture
def worker_env(
    app: Flask, database_url: str, smtp: Inbox, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The worker's settings (the web app's, through ``FLASK_*``), and the web app made
    to hand its work to the same queue, the test's own."""
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from storefront.background import make_celery

    queue = f"leadcapture-test-{uuid.uuid4().hex[:8]}"
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "STOREFRONT_AUTO_MIGRATE": False,
        "STOREFRONT_SEED_DEMO": False,
        "STOREFRONT_CELERY_BROKER_URL": BROKER,
        "STOREFRONT_CELERY_QUEUE": queue,
        "STOREFRONT_CELERY_VISIBILITY_TIMEOUT": 5,
        "LEADCAPTURE_ABANDONED_AFTER_MINUTES": 60,
        "LEADCAPTURE_RECOVERY_SCHEDULE_HOURS": [0, 24, 72],
        "LEADCAPTURE_BEAT_SECONDS": {"sweep": 1, "retry": 1, "remind": 3600},
        "LEADCAPTURE_EMAIL_LEASE_SECONDS": 3,
        "LEADCAPTURE_WEBHOOKS_ALLOW_PRIVATE": True,  # the test's receiver is on loopback
        "MAIL_SERVER": app.config["MAIL_SERVER"],
        "MAIL_PORT": app.config["MAIL_PORT"],
        "MAIL_DEFAULT_SENDER": app.config["MAIL_DEFAULT_SENDER"],
    }
    app.config.update(settings)
    make_celery(app)
    yield {
        **os.environ,
        "STOREFRONT_INSTANCE_PATH": str(tmp_path),
        **{
            f"FLASK_{key}": value if isinstance(value, str) else json.dumps(value)
            for key, value in settings.items()
        },
    }
    redis.Redis.from_url(BROKER).delete(queue)


@pytest.fixture
def start_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(*, beat: bool = False) -> Worker:
        worker = Worker(worker_env, beat=beat, folder=tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    sys.stdout.write("".join(line for w in started for line in w.output[-60:]))


def eventually(check: Callable[[], Any], *, seconds: float = 30) -> Any:
    """Wait for ``check()`` to be truthy; fail with its last value after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"still {value!r} after {seconds} s"
            return value
        time.sleep(0.2)


def waiting_on_a_lock(engine: sa.Engine) -> int:
    """How many sessions wait for a row lock on the leads: the worker, mid-task."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE '%lc_leads%'"
                )
            ).scalar()
            or 0
        )


def lead_status(app: Flask, email: str) -> str | None:
    with app.app_context():
        status = db.session.scalar(sa.select(Lead.status).where(Lead.email == email))
        db.session.remove()
        return status


def test_a_sign_up_is_handled_by_the_worker_once(
    app: Flask, start_worker: Callable[..., Worker]
) -> None:
    start_worker()
    shopper = Shopper(app)
    shopper.register(email="wendy@example.com")
    assert eventually(lambda: lead_status(app, "wendy@example.com")) == "Open"
    time.sleep(2)  # a second delivery would come now
    assert count(app, Lead) == 1
    assert count(app, HistoryEntry, HistoryEntry.event == "created") == 1
    assert count(app, InboundEvent, InboundEvent.state == "done") == count(app, InboundEvent)


def test_a_webhook_is_posted_by_a_task_once(
    app: Flask, start_worker: Callable[..., Worker], staff: Shopper, receiver: Receiver
) -> None:
    """The worker handles the sign-up, writes its deliveries with the lead, and hands each
    to ``leadcapture.deliver_webhook`` after that commit: no sweep is needed."""
    register_webhook(staff, receiver.url, ["lead.created"])
    start_worker()
    Shopper(app).register(email="wendy@example.com")
    eventually(lambda: receiver.posts)
    time.sleep(2)  # a second post would come now
    assert receiver.events() == ["lead.created"]
    with app.app_context():
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        assert (delivery.state, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_worker_killed_in_the_middle_of_an_order_loses_nothing_and_doubles_nothing(
    app: Flask, start_worker: Callable[..., Worker], database_url: str
) -> None:
    first = start_worker()
    buyer = Shopper(app)
    buyer.register(email="kim@example.com")
    eventually(lambda: lead_status(app, "kim@example.com"))
    engine = sa.create_engine(database_url)
    with engine.connect() as blocker:
        # Hold the lead's row: the worker's order handling waits on it, mid-task.
        blocker.execute(
            sa.text("SELECT id FROM lc_leads WHERE email = 'kim@example.com' FOR UPDATE")
        )
        buyer.add_to_cart("TEA-001")
        assert buyer.checkout(email=None).status_code == 302
        eventually(lambda: waiting_on_a_lock(engine))
        first.kill()
        blocker.rollback()
    engine.dispose()
    assert lead_status(app, "kim@example.com") == "Open"  # the killed task's work rolled back
    start_worker(beat=True)  # its retry, or the broker giving the task again, finishes it
    assert eventually(lambda: lead_status(app, "kim@example.com") == "Converted")
    time.sleep(7)  # past the broker's visibility timeout: the killed task comes back now
    assert count(app, Customer) == 1
    assert count(app, HistoryEntry, HistoryEntry.event == "converted") == 1
    assert count(app, InboundEvent, InboundEvent.state != "done") == 0


def idle_guest_cart(app: Flask, email: str) -> None:
    """A guest's cart with ``email``, once the worker has taken its events, made idle."""
    guest_with_cart(app, email, "TEA-001", 2)
    eventually(lambda: count(app, TrackedCart, TrackedCart.email == email))
    age_carts(app, 120)


def test_beat_sweeps_and_the_worker_sends_each_recovery_email_once(
    app: Flask, start_worker: Callable[..., Worker], smtp: Inbox
) -> None:
    start_worker(beat=True)
    idle_guest_cart(app, "gil@example.com")
    eventually(lambda: smtp.messages)
    time.sleep(4)  # beat sweeps and retries four more times meanwhile
    assert [m["To"] for m in smtp.messages] == ["gil@example.com"]
    with app.app_context():
        cart = db.session.scalars(sa.select(TrackedCart)).one()
        email = db.session.scalars(sa.select(Email)).one()
        assert (cart.state, cart.emails_sent, email.status, email.attempts) == (
            "abandoned",
            1,
            "sent",
            1,
        )


def test_a_worker_killed_in_the_middle_of_an_smtp_conversation_loses_no_email(
    app: Flask, start_worker: Callable[..., Worker], smtp: Inbox
) -> None:
    """Killed while the SMTP server has the email's recipient but not its text: after the
    lease, beat's retry hands it to the next worker, which sends it; it arrives once."""
    smtp.gate = threading.Event()
    first = start_worker(beat=True)
    idle_guest_cart(app, "hal@example.com")
    eventually(lambda: smtp.held)
    first.kill()
    smtp.gate.set()  # the killed worker's conversation ends without a message
    start_worker(beat=True)
    eventually(lambda: smtp.messages)
    time.sleep(4)  # more retries meanwhile, past another lease
    assert [m["To"] for m in smtp.messages] == ["hal@example.com"]
    with app.app_context():
        email = db.session.scalars(sa.select(Email)).one()
        assert (email.status, email.attempts) == ("sent", 2)


def test_the_address_page_after_sign_up_works_while_no_worker_runs(
    app: Flask, worker_env: dict[str, str]
) -> None:
    """The sign-up is handed off, and no worker takes it: the page that needs the lead
    handles the waiting event itself, with everything the shop sent."""
    shopper = Shopper(app)
    shopper.register(email="nia@example.com", phone="+44 20 7946 0000")
    assert count(app, Lead) == 0  # waiting in the queue
    added = shopper.add_address(address_line1="1 Lag Lane", city="Leeds", country="UK")
    assert added.status_code == 302
    with app.app_context():
        lead = db.session.scalars(sa.select(Lead)).one()
        assert (lead.email, lead.phone, lead.source) == (
            "nia@example.com",
            "+44 20 7946 0000",  # from the sign-up's event, handled by the page
            "Website",
        )
        assert [a.address_line1 for a in lead.addresses] == ["1 Lag Lane"]
        assert db.session.scalars(sa.select(InboundEvent.state)).all() == ["done"]
