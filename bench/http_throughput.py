"""Requests per second over real HTTP: the shop under gunicorn (two workers), with the
plug-in's signals muted, inline, and in worker mode, for guest add-to-cart, guest
checkout and a plain GET.

The three servers run side by side on the same database; eight client threads load
one at a time, for --seconds of each kind in all, in --slices turns. In worker mode the
web workers hand their events to Celery on Redis and no worker runs on this machine
meanwhile, as when the workers have machines of their own; then a worker starts and
the time it takes to handle everything that waits is measured too. Appends to
bench/RESULTS.md.

    python bench/http_throughput.py --broker redis://127.0.0.1:6379/12 [--seconds 10]
        [--slices 5] [--database-url URL] [--threads N]

``--threads N`` gives each gunicorn worker N threads (its ``gthread`` workers): a request
waiting on the database, a commit's flush to disk say, leaves the worker free for
another. Without it the workers are gunicorn's default, one request at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from import_speed import fresh_database  # noqa: E402  (bench/import_speed.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ORDER_KEY = re.compile(r'name="order_key"[^>]*value="([^"]+)"')
CLIENTS = 8


class Guest:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:  # noqa: S310
            return response.read().decode()

    def post(self, path: str, data: dict[str, str], page: str) -> None:
        html = self.get(page)
        form = {"csrf_token": TOKEN.search(html).group(1), **data}  # type: ignore[union-attr]
        key = ORDER_KEY.search(html)
        if key:
            form["order_key"] = key.group(1)
        body = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + path, body, timeout=30) as response:  # noqa: S310
            response.read()


def add_to_cart(base: str) -> int:
    Guest(base).post("/cart/add", {"product_id": "1", "quantity": "1"}, "/")
    return 1


def checkout(base: str) -> int:
    guest = Guest(base)
    guest.post("/cart/add", {"product_id": "1", "quantity": "1"}, "/")
    guest.post(
        "/checkout",
        {
            "email": f"g{uuid.uuid4().hex[:12]}@example.com",
            "full_name": "Http Bench",
            "billing-address_line1": "1 Road",
            "billing-city": "Leeds",
            "billing-country": "UK",
            "shipping_same": "y",
        },
        "/checkout",
    )
    return 1


def catalog(base: str) -> int:
    Guest(base).get("/")
    return 1


def rate(base: str, work: Callable[[str], int], seconds: float) -> float:
    """Journeys per second by :data:`CLIENTS` threads doing ``work`` for ``seconds``."""
    done = [0] * CLIENTS
    until = time.monotonic() + seconds

    def client(number: int) -> None:
        while time.monotonic() < until:
            done[number] += work(base)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


@contextlib.contextmanager
def served(env: dict[str, str], kind: str, port: int, threads: int = 1) -> Iterator[str]:
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    server = subprocess.Popen(  # noqa: S603 (this script's own command line)
        [gunicorn, "--workers", "2", "--threads", str(threads), "--bind", f"127.0.0.1:{port}"]
        + ["bench_wsgi:app"],
        cwd=ROOT / "bench",
        env={**env, "BENCH_KIND": kind, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 (a loopback URL)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(30)


@contextlib.contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[None]:
    command = [sys.executable, "-m", "celery", "-A", "worker", "worker"]
    worker = subprocess.Popen(  # noqa: S603 (this script's own command line)
        [*command, "--pool=solo", "--loglevel=WARNING", "-Q", env["FLASK_STOREFRONT_CELERY_QUEUE"]],
        cwd=ROOT,
        env=env,
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(30)


def pending(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        left = connection.execute(
            sa.text("SELECT count(*) FROM lc_inbound_events WHERE state = 'pending'")
        ).scalar()
    engine.dispose()
    return int(left or 0)


def drained(url: str, env: dict[str, str]) -> tuple[int, float]:
    """Start a worker on what worker mode left waiting: (events, seconds from its first
    event handled until none waits)."""
    waiting = pending(url)
    with celery_worker(env):
        while pending(url) == waiting:
            time.sleep(0.05)
        started = time.perf_counter()
        while pending(url):
            time.sleep(0.2)
    return waiting, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--broker", required=True, help="a Celery broker: redis://…")
    parser.add_argument("--slices", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="threads a gunicorn worker")
    args = parser.parse_args()
    kinds = ["muted", "inline", "worker"]
    works = {"add to cart": add_to_cart, "checkout": checkout, "GET /": catalog}
    rates: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.database_url, folder) as url:
        env = {
            **os.environ,
            "STOREFRONT_INSTANCE_PATH": folder,
            "FLASK_SQLALCHEMY_DATABASE_URI": url,
            "FLASK_SECRET_KEY": "bench",
            "FLASK_STOREFRONT_SECURE_COOKIES": "false",
            "FLASK_STOREFRONT_CAPTURE_RATE_LIMIT": "1000000 per minute",
            "FLASK_STOREFRONT_CAPTURE_SESSION_RATE_LIMIT": "1000000 per minute",
            "FLASK_STOREFRONT_CELERY_QUEUE": f"leadcapture-bench-{uuid.uuid4().hex[:8]}",
            "FLASK_LEADCAPTURE_BEAT_SECONDS": "{}",
        }
        subprocess.run(  # noqa: S603 (migrate and seed once, before the servers)
            [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
            cwd=ROOT,
            env={**env, "FLASK_STOREFRONT_AUTO_MIGRATE": "true"},
            check=True,
            capture_output=True,
        )
        env["FLASK_STOREFRONT_AUTO_MIGRATE"] = "false"
        env["FLASK_STOREFRONT_SEED_DEMO"] = "false"
        with contextlib.ExitStack() as servers:
            bases = {}
            for number, kind in enumerate(kinds):
                kind_env = dict(env)
                if kind == "worker":
                    kind_env["FLASK_STOREFRONT_CELERY_BROKER_URL"] = args.broker
                    worker_env = kind_env
                server = served(kind_env, kind, 8700 + number, args.threads)
                bases[kind] = servers.enter_context(server)
            # Short slices of each kind in turn: a slow moment of the machine falls on all
            # three alike, and only one server has clients at a time. The order turns
            # each round, so that no kind always follows the inline server, whose writes
            # leave the database work to finish (autovacuum, dirty pages) in the next slice.
            for name, work in works.items():
                done = {kind: 0.0 for kind in kinds}
                for turn in range(args.slices):
                    for kind in kinds[turn % 3 :] + kinds[: turn % 3]:
                        done[kind] += rate(bases[kind], work, args.seconds / args.slices)
                for kind in kinds:
                    rates.setdefault(kind, {})[name] = done[kind] / args.slices
        waiting, drain = drained(url, worker_env)
        backend = sa.make_url(url).get_backend_name()
    threads = f" ({args.threads} threads a worker)" if args.threads > 1 else ""
    for name in works:
        cells = " | ".join(f"{rates[kind][name]:.1f}/s" for kind in kinds)
        ratios = " | ".join(f"{rates[kind][name] / rates['muted'][name]:.2f}" for kind in kinds[1:])
        line = (
            f"{when_and_where()} {backend} | {name}{threads} | {cells} | {ratios} | "
            f"{waiting:,} events in {drain:.1f} s ({waiting / drain:.0f}/s) |"
        )
        print(line)
        record(
            "## Throughput over HTTP (`bench/http_throughput.py`)",
            "gunicorn with two workers, eight client threads, each kind served in turn on the\n"
            "same database: the plug-in's signals muted, inline, and in worker mode (events\n"
            "handed to Celery on Redis, no worker on this machine meanwhile). Guests add to\n"
            "cart, order, or read the catalog. Then one worker (solo pool) handles what the\n"
            "worker-mode run left waiting: all three kinds of requests, one row's figure.",
            [
                "date",
                "machine",
                "database",
                "requests",
                "muted",
                "inline",
                "worker mode",
                "inline ratio",
                "worker ratio",
                "then one worker handled",
            ],
            line,
        )


if __name__ == "__main__":
    main()
