"""Every page of the back office and of the shop, in a real browser at 1280 and 390 px wide: no serious or
critical axe-core violation, nothing wider than a phone, no console error and no
Content-Security-Policy violation. Screenshots go to ``tests/screenshots/``.

axe-core comes from npm (``npm install --prefix tests``, which ``.ci/run`` does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from leadcapture.models import Address, Contact, Email, Lead
from storefront.extensions import db

from .helpers import Shopper, age_carts, capture_email, sweep

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTHS = (1280, 390)

pytestmark = pytest.mark.skipif(
    not AXE.exists(), reason="axe-core is not installed: npm install --prefix tests"
)


def seed(app: Flask) -> dict[str, int]:
    """A converted buyer with addresses and a contact; a guest's abandoned cart with a
    recovery email waiting in the outbox."""
    buyer = Shopper(app)
    buyer.register(email="ada@example.com")
    buyer.add_to_cart("TEA-001", 2)
    assert buyer.checkout(email=None, full_name="Ada Lovelace").status_code == 302
    guest = Shopper(app)
    guest.add_to_cart("MUG-001")
    assert capture_email(guest, "gus@example.com").status_code == 204
    age_carts(app, 120)
    now = datetime.now(UTC)
    assert sweep(app, now=now).abandoned == 1
    assert sweep(app, now=now + timedelta(hours=2)).written == 1
    with app.app_context():
        return {
            "lead": db.session.scalar(select(Lead.id).where(Lead.email == "ada@example.com")),
            "address": db.session.scalar(select(Address.id).limit(1)),
            "contact": db.session.scalar(select(Contact.id).limit(1)),
            "email": db.session.scalar(select(Email.id).limit(1)),
            "cart": db.session.scalar(select(Email.cart_id).where(Email.cart_id.is_not(None))),
        }


def pages(ids: dict[str, int]) -> dict[str, str]:
    return {
        "leads": "/backoffice/",
        "lead": f"/backoffice/leads/{ids['lead']}",
        "address": f"/backoffice/addresses/{ids['address']}",
        "contact": f"/backoffice/contacts/{ids['contact']}",
        "today": "/backoffice/today",
        "dashboard": "/backoffice/dashboard",
        "carts": "/backoffice/carts",
        "cart": f"/backoffice/carts/{ids['cart']}",
        "outbox": "/backoffice/outbox",
        "email": f"/backoffice/outbox/{ids['email']}",
        "import": "/backoffice/import",
        "assignment": "/backoffice/assignment",
        "tokens": "/backoffice/tokens",
    }


def check(page: Page, name: str) -> list[str]:
    """What is wrong with the page now open, at each width."""
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(AXE.read_text())
        found: list[dict[str, Any]] = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
        )
        for violation in found:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name} at {width}: {violation['id']}: {targets}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{name} at {width}: {wide} px wide")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    return problems


def test_every_back_office_page_is_accessible_and_fits_a_phone(
    app: Flask,
    live_server: str,
    page: Page,
) -> None:
    ids = seed(app)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill("staff-password")
    page.get_by_role("button", name="Sign in").click()

    problems: list[str] = []
    for name, path in pages(ids).items():
        answer = page.goto(live_server + path)
        assert answer is not None and answer.status == 200, (name, path)
        problems += check(page, f"backoffice-{name}")
    assert not problems, "\n".join(problems)
    assert not errors, errors


def test_every_shop_page_is_accessible_and_fits_a_phone(
    app: Flask, live_server: str, page: Page
) -> None:
    """The shopper's pages, the plug-in's among them (addresses, web form, the links in
    emails), and a form showing its errors."""
    from leadcapture.models import TrackedCart
    from leadcapture.recovery import restore_url, unsubscribe_url

    ids = seed(app)
    with app.app_context(), app.test_request_context(base_url=live_server):
        cart = db.session.scalars(select(TrackedCart).where(TrackedCart.email.is_not(None))).first()
        lead = db.session.get(Lead, ids["lead"])
        links = {"restore": restore_url(cart, 1), "unsubscribe": unsubscribe_url(lead)}
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    problems: list[str] = []

    def visit(name: str, url: str) -> None:
        answer = page.goto(url if url.startswith("http") else live_server + url)
        assert answer is not None and answer.status == 200, (name, url)
        problems.extend(check(page, f"shop-{name}"))

    for name, url in (
        ("catalog", "/"),
        ("register", "/register"),
        ("login", "/login"),
        ("contact", "/contact"),
        ("webform", "/leadcapture/form"),
        ("restore", links["restore"]),
        ("unsubscribe", links["unsubscribe"]),
    ):
        visit(name, url)
    page.goto(live_server + "/register")
    page.get_by_role("button", name="Create account").click()  # empty: every error shown
    problems.extend(check(page, "shop-register-errors"))
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 2
    for number in range(invalid.count()):
        described = invalid.nth(number).get_attribute("aria-describedby") or ""
        assert described and page.locator(f"#{described.split()[0]}").is_visible()

    page.get_by_label("Full name").fill("Ann Ray")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password", exact=True).fill("long-enough-password")
    page.get_by_label("Repeat password").fill("long-enough-password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(live_server + "/")
    page.get_by_role("link").filter(has_text="Sencha").first.click()
    problems.extend(check(page, "shop-product"))
    page.get_by_role("button", name="Add to cart").click()
    for name, url in (
        ("cart", "/cart"),
        ("checkout", "/checkout"),
        ("account", "/account"),
        ("password", "/account/password"),
        ("addresses", "/account/addresses/"),
        ("address-new", "/account/addresses/new"),
    ):
        visit(name, url)
    # The checkout lists what is bought; shipping fields only when they are wanted.
    page.goto(live_server + "/checkout")
    expect(page.locator("table.order-lines")).to_contain_text("Sencha green tea")
    shipping = page.locator("fieldset.shipping")
    expect(shipping).to_be_hidden()
    page.get_by_label("Ship to the billing address").uncheck()
    expect(shipping).to_be_visible()
    # A line leaves the cart by its own button.
    page.goto(live_server + "/cart")
    page.get_by_role("button", name="Remove Sencha green tea").click()
    expect(page.get_by_text("Your cart is empty")).to_be_visible()
    # An order placed in the browser, and its confirmation page.
    page.goto(live_server + "/products/sencha-green-tea")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(live_server + "/checkout")
    page.get_by_label("Phone").fill("+1 555 0100 ext 12")
    for name, value in (("address_line1", "1 Tea Street"), ("city", "Leeds"), ("country", "UK")):
        page.locator(f"#billing-{name}").fill(value)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    problems.extend(check(page, "shop-confirmation"))
    assert not problems, "\n".join(problems)
    assert not errors, errors
