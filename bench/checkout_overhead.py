"""What the plug-in adds to a shopper's journey: sign-up, add to cart, checkout.

Runs the same journeys through the shop with the plug-in listening and with its inbound
signals muted, interleaved in one run, and reports the ratio of the medians. Appends
the result to bench/RESULTS.md with the machine and the date.

    python bench/checkout_overhead.py [--journeys 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from import_speed import fresh_database  # noqa: E402  (bench/import_speed.py)
from results import record  # noqa: E402  (bench/results.py)
from sqlalchemy import make_url  # noqa: E402

from leadcapture import signals  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: The checkout form's order key: one form places one order.
ORDER_KEY = re.compile(r'name="order_key"[^>]*value="([^"]+)"')
INBOUND = (signals.user_registered, signals.cart_changed, signals.order_placed)


def journey(app, n: int) -> float:  # type: ignore[no-untyped-def]
    """One shopper from sign-up to order; returns the seconds it took."""
    client = app.test_client()

    def post(page: str, data: dict, action: str | None = None) -> None:
        html = client.get(page).get_data(as_text=True)
        token = TOKEN.search(html).group(1)  # type: ignore[union-attr]
        key = ORDER_KEY.search(html)
        form = {"csrf_token": token, **({"order_key": key.group(1)} if key else {}), **data}
        response = client.post(action or page, data=form)
        assert response.status_code == 302, (action or page, response.status_code)

    started = time.perf_counter()
    password = "bench password 1"  # noqa: S105 (a throwaway bench account)
    post(
        "/register",
        {
            "email": f"bench{n}@example.com",
            "full_name": f"Bench {n}",
            "password": password,
            "confirm": password,
        },
    )
    post("/", {"product_id": 1, "quantity": 2}, action="/cart/add")
    post(
        "/checkout",
        {
            "full_name": f"Bench {n}",
            "billing-address_line1": "1 Road",
            "billing-city": "Lisbon",
            "billing-country": "Portugal",
            "shipping_same": "y",
        },
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.database_url, folder) as url:
        os.environ["STOREFRONT_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "STOREFRONT_REGISTER_RATE_LIMIT": "1000000 per minute",  # one machine signs up
            }
        )
        times: dict[bool, list[float]] = {True: [], False: []}
        for n in range(args.journeys * 2):
            with_plugin = n % 2 == 0
            with contextlib.ExitStack() as stack:
                if not with_plugin:
                    for signal in INBOUND:
                        stack.enter_context(signal.muted())
                times[with_plugin].append(journey(app, n))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    with_ms = statistics.median(times[True]) * 1000
    without_ms = statistics.median(times[False]) * 1000
    backend = make_url(url).get_backend_name()
    line = (
        f"| {datetime.now(UTC):%Y-%m-%d} | {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()} | {backend} | "
        f"{args.journeys} + {args.journeys} | {without_ms:.1f} ms | {with_ms:.1f} ms | "
        f"{with_ms / without_ms:.2f} |"
    )
    print(line)
    record(
        "## Sign-up → cart → checkout, with the plug-in vs without (`bench/checkout_overhead.py`)",
        "Median wall time of one journey through the shop's test client; the plug-in's\n"
        "inbound signals muted for the runs without it, the two kinds interleaved.",
        ["date", "machine", "database", "journeys (with + without)", "without", "with", "ratio"],
        line,
    )


if __name__ == "__main__":
    main()
