"""What the plug-in adds to a shopper's journey: sign-up, add to cart, checkout.

Runs the same journeys through the shop with the plug-in listening and with its inbound
signals muted, interleaved in one run, and reports the ratio of the medians. Appends
the result to bench/RESULTS.md with the machine and the date.

With ``--broker redis://…`` a third kind joins them: the plug-in in worker mode, its
events and emails handed to Celery tasks after each commit, which a worker started by
this script (``celery -A worker worker``, at the lowest CPU priority, as if on another
machine) handles meanwhile. Inline and worker mode are then reported side by side.

    python bench/checkout_overhead.py [--journeys 40] [--database-url URL] [--broker URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from import_speed import fresh_database  # noqa: E402  (bench/import_speed.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)
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


def make_app(url: str, broker: str | None = None, queue: str = ""):  # type: ignore[no-untyped-def]
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "STOREFRONT_REGISTER_RATE_LIMIT": "1000000 per minute",  # one machine signs up
    }
    if broker:
        settings.update(STOREFRONT_CELERY_BROKER_URL=broker, STOREFRONT_CELERY_QUEUE=queue)
    return create_app(settings)


@contextlib.contextmanager
def worker(url: str, broker: str, queue: str, folder: str):  # type: ignore[no-untyped-def]
    """A Celery worker on ``queue``, at the lowest CPU priority."""
    env = {
        **os.environ,
        "STOREFRONT_INSTANCE_PATH": folder,
        "FLASK_SQLALCHEMY_DATABASE_URI": url,
        "FLASK_SECRET_KEY": "bench",
        "FLASK_STOREFRONT_AUTO_MIGRATE": "false",
        "FLASK_STOREFRONT_CELERY_BROKER_URL": broker,
        "FLASK_STOREFRONT_CELERY_QUEUE": queue,
        "FLASK_LEADCAPTURE_BEAT_SECONDS": json.dumps({}),
    }
    command = ["nice", "-n", "19", sys.executable, "-m", "celery", "-A", "worker", "worker"]
    process = subprocess.Popen(  # noqa: S603 (this script's own command line)
        [*command, "--pool=solo", "--loglevel=WARNING", "-Q", queue],
        cwd=ROOT,
        env=env,
    )
    time.sleep(3)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=40)
    parser.add_argument("--database-url")
    parser.add_argument("--broker", help="a Celery broker (redis://…): worker mode too")
    args = parser.parse_args()
    kinds = ["muted", "inline"] + (["worker"] if args.broker else [])
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    queue = f"leadcapture-bench-{uuid.uuid4().hex[:8]}"
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database(args.database_url, folder) as url,
        contextlib.ExitStack() as running,
    ):
        os.environ["STOREFRONT_INSTANCE_PATH"] = folder
        apps = {kind: make_app(url) for kind in ("muted", "inline")}
        if args.broker:
            apps["worker"] = make_app(url, args.broker, queue)
            running.enter_context(worker(url, args.broker, queue, folder))
        for n in range(args.journeys * len(kinds)):
            kind = kinds[n % len(kinds)]
            with contextlib.ExitStack() as stack:
                if kind == "muted":
                    for signal in INBOUND:
                        stack.enter_context(signal.muted())
                times[kind].append(journey(apps[kind], n))
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    ms = {kind: statistics.median(times[kind]) * 1000 for kind in kinds}
    backend = make_url(url).get_backend_name()
    machine = f"{when_and_where()} {backend} | "
    if not args.broker:
        line = (
            f"{machine}{args.journeys} + {args.journeys} | {ms['muted']:.1f} ms | "
            f"{ms['inline']:.1f} ms | {ms['inline'] / ms['muted']:.2f} |"
        )
        print(line)
        record(
            "## Sign-up → cart → checkout, with the plug-in vs without"
            " (`bench/checkout_overhead.py`)",
            "Median wall time of one journey through the shop's test client; the plug-in's\n"
            "inbound signals muted for the runs without it, the two kinds interleaved.",
            [
                "date",
                "machine",
                "database",
                "journeys (with + without)",
                "without",
                "with",
                "ratio",
            ],
            line,
        )
        return
    line = (
        f"{machine}{args.journeys} of each | {ms['muted']:.1f} ms | {ms['inline']:.1f} ms | "
        f"{ms['worker']:.1f} ms | {ms['inline'] / ms['muted']:.2f} | "
        f"{ms['worker'] / ms['muted']:.2f} |"
    )
    print(line)
    record(
        "## The journey in worker mode (`bench/checkout_overhead.py --broker`)",
        "Median wall time of one journey: signals muted, the plug-in inline (events handled\n"
        "in the request after the commit), and in worker mode (handed to Celery on Redis, a\n"
        "worker handling them meanwhile at the lowest CPU priority); the three interleaved.",
        [
            "date",
            "machine",
            "database",
            "journeys",
            "muted",
            "inline",
            "worker mode",
            "inline ratio",
            "worker ratio",
        ],
        line,
    )


if __name__ == "__main__":
    main()
