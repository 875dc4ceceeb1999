"""A short soak on PostgreSQL: gunicorn with four workers under mixed shopping, sweeps
every few seconds (sometimes two at once) and retries, all at the same time. It fails on
any deadlock, any job exiting non-zero, any 5xx, and any captured event left waiting."""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
import urllib.error
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from .test_deployment import FLASK, ROOT, Browser, running_shop

pytestmark = pytest.mark.skipif(
    not os.environ.get("LEADCAPTURE_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the soak runs on PostgreSQL (run with LEADCAPTURE_TEST_DATABASE_URL)",
)

SECONDS = 20
SHOPPERS = 6
#: Few names, so that orders under one name meet in address naming (Sam Lee-Billing-N).
NAMES = ["Sam Lee", "Ann Ray", "Bo Chen"]
SETTINGS = {
    "LEADCAPTURE_ABANDONED_AFTER_MINUTES": "0",  # every idle cart is swept at once
    "LEADCAPTURE_RECOVERY_SCHEDULE_HOURS": "[0, 0.0005]",
    "STOREFRONT_LOGIN_RATE_LIMIT": '"100000 per minute"',
    "STOREFRONT_REGISTER_RATE_LIMIT": '"100000 per minute"',
    "STOREFRONT_CAPTURE_RATE_LIMIT": '"100000 per minute"',
    "STOREFRONT_CAPTURE_SESSION_RATE_LIMIT": '"100000 per minute"',
}
ADDRESS = {
    "billing-address_line1": "1 Soak Street",
    "billing-city": "Leeds",
    "billing-country": "UK",
    "shipping_same": "y",
}


class Shopping:
    """Shoppers in threads until the time is up, every status code kept."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.statuses: list[int] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.serial = 0

    def _count(self, call: Any) -> None:
        try:
            call()
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
            if status >= 500:
                self.failures.append(f"{status}: {error.read()[:300]!r}")
        with self.lock:
            self.statuses.append(status)

    def journey(self, rng: random.Random) -> None:
        with self.lock:
            self.serial += 1
            n = self.serial
        browser = Browser(self.base)
        name = rng.choice(NAMES)
        email = f"soak{n}@example.com"
        self._count(lambda: browser.get("/"))
        kind = rng.choice(["member", "guest", "guest-email-only"])
        if kind == "member":
            password = "correct horse battery"
            self._count(
                lambda: browser.submit(
                    "/register",
                    {"full_name": name, "email": email, "password": password, "confirm": password},
                )
            )
        product = str(rng.randint(1, 4))
        self._count(
            lambda: browser.submit(
                "/", {"product_id": product, "quantity": "1"}, action="/cart/add"
            )
        )
        if kind != "member":
            self._count(lambda: capture(browser, email))
            time.sleep(rng.uniform(0, 1.5))  # idle: a sweep may abandon the cart meanwhile
        if kind == "guest-email-only":
            return
        form = {"full_name": name, **ADDRESS}
        if kind == "guest":
            form["email"] = email
        self._count(lambda: browser.submit("/checkout", form))

    def run(self, until: float, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < until:
            self.journey(rng)


def capture(browser: Browser, email: str) -> None:
    import json
    import urllib.request

    from .test_deployment import TOKEN

    token = TOKEN.search(browser.get("/checkout")).group(1)  # type: ignore[union-attr]
    request = urllib.request.Request(  # noqa: S310 (a loopback URL)
        browser.base + "/checkout/email",
        data=json.dumps({"email": email}).encode(),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    browser.opener.open(request, timeout=30).read()


def job(env: dict[str, str], *command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*FLASK, "leads", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_short_soak_has_no_deadlock_no_5xx_and_leaves_nothing_waiting(
    empty_database: str, tmp_path: Path
) -> None:
    with running_shop(empty_database, tmp_path, workers=4, settings=SETTINGS) as (
        base,
        env,
        server,
    ):
        shopping = Shopping(base)
        until = time.monotonic() + SECONDS
        shoppers = [
            threading.Thread(target=shopping.run, args=(until, seed)) for seed in range(SHOPPERS)
        ]
        for thread in shoppers:
            thread.start()
        jobs: list[tuple[str, subprocess.Popen[str]]] = []
        tick = 0
        while time.monotonic() < until:
            tick += 1
            jobs.append(("sweep", job(env, "sweep")))
            if tick % 3 == 0:  # sometimes two sweeps at once
                jobs.append(("sweep", job(env, "sweep")))
            if tick % 2 == 0:
                jobs.append(("retry", job(env, "retry")))
            time.sleep(2.5)
        for thread in shoppers:
            thread.join(timeout=120)
        outputs = [(name, process, process.communicate(timeout=120)[0]) for name, process in jobs]
        final = job(env, "retry")
        last, _ = final.communicate(timeout=120)
        server.terminate()
        log, _ = server.communicate(timeout=30)

    for name, process, output in outputs:
        assert process.returncode == 0, (name, output)
        assert "deadlock" not in output.lower(), (name, output)
    assert final.returncode == 0, last
    assert "deadlock" not in log.lower(), log[-5000:]
    assert "failed (event" not in log, log[-5000:]  # no captured event needed a retry
    assert not shopping.failures, shopping.failures[:5]
    assert len(shopping.statuses) > 100, len(shopping.statuses)
    engine = sa.create_engine(empty_database)
    with engine.connect() as connection:
        waiting = connection.execute(
            sa.text("SELECT kind, state, last_error FROM lc_inbound_events WHERE state <> 'done'")
        ).all()
        orders = connection.execute(sa.text("SELECT count(*) FROM shop_orders")).scalar()
        converted = connection.execute(
            sa.text("SELECT count(*) FROM lc_leads WHERE status = 'Converted'")
        ).scalar()
    engine.dispose()
    assert waiting == [], waiting
    assert orders and converted, (orders, converted)
