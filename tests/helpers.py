"""Helpers that use the shop as a browser would: real forms, real CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

from blinker import Signal
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from storefront.extensions import db
from storefront.models import Product

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

ADDRESS = {
    "address_line1": "12 Harbour Road",
    "address_line2": "",
    "city": "Lisbon",
    "state": "",
    "pincode": "1100-001",
    "country": "Portugal",
}


class _HiddenFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values.setdefault(found["name"] or "", found.get("value") or "")


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (its forms' CSRF token, a checkout's order key …)."""
    parser = _HiddenFields()
    parser.feed(html)
    return parser.values


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Shopper:
    """One browser: its own cookie jar, filling in the shop's forms."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def submit(
        self, page: str, data: dict[str, Any], *, action: str | None = None, follow: bool = False
    ) -> TestResponse:
        """Open ``page``, take its CSRF token (and, for the page itself, its other hidden
        fields), and post ``data`` to ``action`` (or the page)."""
        html = self.client.get(page).get_data(as_text=True)
        hidden = hidden_fields(html) if action is None else {}
        return self.client.post(
            action or page,
            data={**hidden, "csrf_token": csrf_token(html), **data},
            follow_redirects=follow,
        )

    def register(
        self,
        email: str = "jane@example.com",
        full_name: str = "Jane Doe",
        password: str = "correct horse battery",
        **extra: Any,
    ) -> TestResponse:
        return self.submit(
            "/register",
            {
                "email": email,
                "full_name": full_name,
                "password": password,
                "confirm": password,
                **extra,
            },
        )

    def login(
        self,
        email: str = "jane@example.com",
        password: str = "correct horse battery",
        next: str = "",
    ) -> TestResponse:
        return self.submit("/login", {"email": email, "password": password, "next": next})

    def logout(self) -> TestResponse:
        return self.submit("/account", {}, action="/logout")

    def add_to_cart(self, sku: str, quantity: int = 1) -> TestResponse:
        return self.submit(
            "/", {"product_id": product_id(self.app, sku), "quantity": quantity}, action="/cart/add"
        )

    def checkout(
        self,
        *,
        email: str | None = "guest@example.com",
        full_name: str = "Jane Doe",
        phone: str = "+351 912 345 678",
        billing: dict[str, str] | None = None,
        shipping: dict[str, str] | None = None,
    ) -> TestResponse:
        data: dict[str, Any] = {"full_name": full_name, "phone": phone}
        if email is not None:
            data["email"] = email
        for key, value in (billing or ADDRESS).items():
            data[f"billing-{key}"] = value
        if shipping is None:
            data["shipping_same"] = "y"
        else:
            for key, value in shipping.items():
                data[f"shipping-{key}"] = value
        return self.submit("/checkout", data)

    def restore(self, url: str) -> TestResponse:
        """Open a recovery email's restore link and press its button, as a shopper does."""
        return self.submit(url, {})

    def add_address(self, address_type: str = "Billing", **fields: Any) -> TestResponse:
        return self.submit(
            "/account/addresses/new", {**ADDRESS, "address_type": address_type, **fields}
        )


def product_id(app: Flask, sku: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Product.id).where(Product.sku == sku)).one()


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@contextmanager
def heard(
    signal: Signal, read: Callable[[dict[str, Any]], Any] | None = None
) -> Iterator[list[Any]]:
    """Collect what ``signal`` carries while the block runs (through ``read``, if given,
    at the moment it is sent, while its objects are still attached)."""
    calls: list[Any] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        payload = {"sender": sender, **kwargs}
        calls.append(read(payload) if read else payload)

    signal.connect(listener)
    try:
        yield calls
    finally:
        signal.disconnect(listener)


def age_carts(app: Flask, minutes: float) -> None:
    """Pretend every tracked cart has been idle for ``minutes`` more."""
    from datetime import timedelta

    from leadcapture.models import TrackedCart

    with app.app_context():
        for cart in db.session.scalars(select(TrackedCart)):
            cart.last_activity_at = cart.last_activity_at - timedelta(minutes=minutes)
        db.session.commit()


def sweep(app: Flask, now: Any = None) -> Any:
    from leadcapture.sweep import run_sweep

    with app.app_context():
        return run_sweep(db.session, now=now)


def capture_email(browser: Shopper, email: Any) -> TestResponse:
    """What the checkout page's script does while a guest types an email."""
    token = csrf_token(browser.get("/checkout").get_data(as_text=True))
    return browser.client.post(
        "/checkout/email", json={"email": email}, headers={"X-CSRFToken": token}
    )


def guest_with_cart(
    app: Flask, email: str | None = "gus@example.com", sku: str = "TEA-001", quantity: int = 2
) -> Shopper:
    """A guest with ``quantity`` of ``sku`` in the cart who typed ``email`` at checkout."""
    guest = Shopper(app)
    guest.add_to_cart(sku, quantity)
    if email:
        assert capture_email(guest, email).status_code == 204
    return guest


def make_staff(app: Flask, *names: str) -> list[str]:
    """Staff users named ``names`` (emails derived from them); their ids as strings."""
    from storefront.seed import create_staff

    with app.app_context():
        users = [
            create_staff(db.session, f"{name.lower()}@example.com", "staff-password", name)
            for name in names
        ]
        db.session.commit()
        return [str(user.id) for user in users]


@contextmanager
def statements(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and their parameters) sent to ``engine`` while the block runs,
    so a test can explain the plan of the statement the code really sends."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def plan(engine: Any, statement: str, parameters: Any) -> list[str]:
    """The lines of the database's plan for ``statement`` (``EXPLAIN`` on PostgreSQL,
    ``EXPLAIN QUERY PLAN`` on SQLite)."""
    postgres = engine.dialect.name == "postgresql"
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters)
        return [str(row[0] if postgres else row[-1]) for row in rows]


#: Every event a webhook may choose.
WEBHOOK_EVENTS = [
    "lead.created",
    "lead.status_changed",
    "cart.abandoned",
    "cart.recovered",
    "lead.converted",
]


def register_webhook(staff: Shopper, url: str, events: list[str] = WEBHOOK_EVENTS) -> Any:
    """Add an endpoint on the back office's Webhooks page, as staff do."""
    return staff.submit("/backoffice/webhooks", {"url": url, "events": events})
