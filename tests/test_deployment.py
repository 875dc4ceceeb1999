"""The shop as the README deploys it: migrations run once by the CLI, then gunicorn with
two workers on the database, and a shopper's sign-up-to-order journey over real HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from .conftest import free_port
from .helpers import hidden_fields

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def running_shop(
    database: str, tmp_path: Path, *, workers: int = 2, settings: dict[str, str] | None = None
) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    """The shop migrated and seeded by the CLI, served by gunicorn with ``workers``
    workers; yields its base URL, the environment of its commands, and the server."""
    if shutil.which("gunicorn", path=os.path.dirname(sys.executable)) is None:
        pytest.skip("gunicorn is not installed (pip install '.[deploy]')")
    env = {
        **os.environ,
        "STOREFRONT_INSTANCE_PATH": str(tmp_path),
        "FLASK_SQLALCHEMY_DATABASE_URI": database,
        "FLASK_SECRET_KEY": "deployment-test-secret",
        "FLASK_STOREFRONT_AUTO_MIGRATE": "false",
        "FLASK_STOREFRONT_SEED_DEMO": "false",
        "FLASK_STOREFRONT_SECURE_COOKIES": "false",  # plain HTTP here; TLS in front in life
        **{f"FLASK_{name}": value for name, value in (settings or {}).items()},
    }
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([*FLASK, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 (a loopback URL)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base, env, server
    finally:
        if server.poll() is None:
            server.terminate()


@pytest.fixture
def served(empty_database: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with running_shop(empty_database, tmp_path) as (base, _env, server):
        yield base, empty_database
    output, _ = server.communicate(timeout=30)
    assert "Booting worker" in output and output.count("Booting worker") >= 2, output


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def submit(self, page: str, data: dict[str, str], action: str | None = None) -> str:
        html = self.get(page)
        hidden = hidden_fields(html) if action is None else {}
        token = TOKEN.search(html).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode({**hidden, "csrf_token": token, **data}).encode()
        with self.opener.open(self.base + (action or page), body, timeout=30) as response:
            return response.read().decode()


def test_a_journey_through_gunicorn_with_two_workers(served: tuple[str, str]) -> None:
    base, database = served
    shopper = Browser(base)
    password = "correct horse battery"
    page = shopper.submit(
        "/register",
        {
            "full_name": "Gus Gunicorn",
            "email": "gus@example.com",
            "password": password,
            "confirm": password,
        },
    )
    assert "Add an address" in page
    shopper.submit("/", {"product_id": "1", "quantity": "2"}, action="/cart/add")
    assert "Cart (2)" in shopper.get("/cart")
    done = shopper.submit(
        "/checkout",
        {
            "full_name": "Gus Gunicorn",
            "billing-address_line1": "1 Worker Way",
            "billing-city": "Leeds",
            "billing-country": "UK",
            "shipping_same": "y",
        },
    )
    assert "is placed" in done
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        status = connection.execute(
            sa.text("SELECT status FROM lc_leads WHERE email = 'gus@example.com'")
        ).scalar_one()
        customers = connection.execute(sa.text("SELECT count(*) FROM lc_customers")).scalar()
    engine.dispose()
    assert (status, customers) == ("Converted", 1)
