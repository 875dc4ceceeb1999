"""The embedded SQLite database under four gunicorn workers writing for half a minute:
guests fill carts, give their email and order, all at once, and no request meets
"database is locked"."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
from pathlib import Path

import pytest
import sqlalchemy as sa

from .test_deployment import Browser, running_shop

SECONDS = float(os.environ.get("LEADCAPTURE_TEST_SQLITE_SECONDS", 30))
CLIENTS = 8

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("LEADCAPTURE_TEST_DATABASE_URL")),
    reason="the embedded database is SQLite; the PostgreSQL run has its own concurrency tests",
)


def guest_journeys(base: str, until: float, done: list[int], failures: list[str]) -> None:
    """One guest after another: two lines, an email typed at checkout, an order."""
    number = 0
    while time.monotonic() < until:
        number += 1
        guest = Browser(base)
        email = f"guest-{threading.get_ident()}-{number}@example.com"
        try:
            guest.submit("/", {"product_id": "1", "quantity": "2"}, action="/cart/add")
            guest.submit("/", {"product_id": "2", "quantity": "1"}, action="/cart/add")
            page = guest.submit(
                "/checkout",
                {
                    "email": email,
                    "full_name": "Wal Worker",
                    "billing-address_line1": "1 Journal Road",
                    "billing-city": "Leeds",
                    "billing-country": "UK",
                    "shipping_same": "y",
                },
            )
        except (urllib.error.URLError, OSError) as error:  # HTTPError is a URLError
            failures.append(f"{email}: {error}")
            continue
        if "is placed" in page:
            done.append(1)
        else:
            failures.append(f"{email}: no order ({page[:200]!r})")


def test_four_workers_write_to_sqlite_for_half_a_minute_without_a_lock_error(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    limits = {
        "STOREFRONT_CAPTURE_RATE_LIMIT": "100000 per minute",
        "STOREFRONT_CAPTURE_SESSION_RATE_LIMIT": "100000 per minute",
    }
    done: list[int] = []
    failures: list[str] = []
    with running_shop(database, tmp_path, workers=4, settings=limits) as (base, _env, server):
        until = time.monotonic() + SECONDS
        clients = [
            threading.Thread(target=guest_journeys, args=(base, until, done, failures))
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "database is locked" not in output, output[-3000:]
    assert failures == [], failures[:5]
    assert output.count("Booting worker") >= 4
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        orders = connection.execute(sa.text("SELECT count(*) FROM shop_orders")).scalar()
        customers = connection.execute(sa.text("SELECT count(*) FROM lc_customers")).scalar()
        mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
    engine.dispose()
    assert orders == customers == len(done) > 0
    assert mode == "wal"
