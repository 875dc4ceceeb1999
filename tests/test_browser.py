"""A person's path through the shop in a real browser: Debian's Chromium, driven by
playwright, against the shop served over HTTP."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from leadcapture import LeadStatus
from leadcapture.models import Lead
from storefront.extensions import db


def test_a_shopper_signs_up_adds_an_address_and_orders(
    app: Flask, live_server: str, page: Page
) -> None:
    page.goto(live_server + "/")
    page.locator(".product", has_text="Sencha green tea").get_by_role(
        "button", name="Add to cart"
    ).click()
    expect(page.locator("header nav")).to_contain_text("Cart (1)")

    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Full name").fill("Jane Doe")
    page.get_by_label("Email").fill("Jane@Example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_label("Repeat password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Add an address")).to_be_visible()
    expect(page.locator("header nav")).to_contain_text("Cart (1)")  # the guest cart came along
    page.get_by_label("Address type").select_option("Billing")
    page.get_by_label("Address line 1").fill("12 Harbour Road")
    page.get_by_label("City").fill("Lisbon")
    page.get_by_label("Country").fill("Portugal")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator(".addresses")).to_contain_text("Jane Doe-Billing")

    page.get_by_role("link", name="Cart (1)").click()
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_label("City").first).to_have_value("Lisbon")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading")).to_contain_text("is placed")

    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.email == "jane@example.com"
        assert lead.status == LeadStatus.CONVERTED
        assert lead.customer is not None and lead.customer.customer_name == "Jane Doe"


def test_the_browser_shows_field_errors_and_writes_nothing(
    app: Flask, live_server: str, page: Page
) -> None:
    page.goto(live_server + "/register")
    page.get_by_label("Full name").fill("Jane Doe")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_label("Repeat password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator('[data-field="email"]')).to_be_visible()
    with app.app_context():
        assert db.session.scalars(select(Lead)).first() is None


def test_the_checkout_page_captures_a_typed_email(app: Flask, live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.locator(".product", has_text="Stoneware mug").get_by_role(
        "button", name="Add to cart"
    ).click()
    page.goto(live_server + "/checkout")
    expect(page.locator(".capture-notice")).to_contain_text("remind you of your cart")
    with page.expect_response("**/checkout/email") as captured:
        page.get_by_label("Email").type("gus@example.com", delay=20)
    assert captured.value.status == 204

    from leadcapture.models import TrackedCart

    with app.app_context():
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.email == "gus@example.com"

    with page.expect_response("**/checkout/no-thanks") as declined:
        page.get_by_role("button", name="No thanks").click()
    assert declined.value.status == 204
    expect(page.locator(".capture-notice")).to_contain_text("we will not use your email")
    with app.app_context():
        db.session.expire_all()
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.email is None and cart.capture_declined


def test_staff_work_a_lead_in_the_back_office(app: Flask, live_server: str, page: Page) -> None:
    from leadcapture import capture_lead

    with app.app_context():
        for name, email in (("Ann Ray", "ann@example.com"), ("Bo Li", "bo@example.com")):
            capture_lead(db.session, source="Reference", lead_name=name, email=email)
        db.session.commit()

    page.goto(live_server + "/backoffice/")
    page.get_by_label("Email").fill("staff@example.com")  # sent to sign in first
    page.get_by_label("Password").fill("staff-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    expect(page.locator(".status-tabs")).to_contain_text("Lead: 2")

    page.get_by_label("Search").fill("RAY")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.leads tbody tr")).to_have_count(1)
    page.get_by_role("link", name="LEAD-00001").click()
    expect(page.locator("h1")).to_contain_text("Ann Ray")

    page.get_by_label("Note", exact=True).fill("Prefers <b>oolong</b>.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("ol.history")).to_contain_text("Prefers <b>oolong</b>.")  # as text
    page.get_by_label("What").select_option("call")
    page.get_by_label("Direction").select_option("sent")
    page.get_by_label("Subject", exact=True).fill("Intro call")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator(".lead-summary .status")).to_have_text("Replied")

    page.get_by_label("Assigned to").fill("1")
    page.get_by_label("Next contact by").fill("999")  # nobody
    page.get_by_role("button", name="Save lead").click()
    expect(page.locator('[data-field="next_contact_by"]')).to_contain_text("not a staff user")
    page.get_by_label("Next contact by").fill("1")
    page.get_by_role("button", name="Save lead").click()
    expect(page.locator(".lead-summary")).to_contain_text("assigned to Demo Staff")

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Make → Customer").click()
    expect(page.locator(".lead-summary .status")).to_have_text("Converted")
    expect(page.locator(".lead-summary")).to_contain_text("Ann Ray (Individual)")
    assert asked == ["Make a customer of Ann Ray?"]  # asked first, as ERPNext does
    page.locator("a.lead-customer").click()  # the customer, with what its lead did
    expect(page.locator("h1")).to_contain_text("Ann Ray CUST-00001")
    expect(page.locator("ol.history")).to_contain_text("Intro call")
    page.locator("a.customer-lead").click()  # and back
    expect(page.locator("h1")).to_contain_text("LEAD-00001")

    # Bo's follow-up is today; done from the Today page, the next one a week on.
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("link", name="LEAD-00002").click()
    page.get_by_label("Next contact date").fill(date.today().isoformat())
    page.get_by_label("Next contact by").fill("1")
    page.get_by_role("button", name="Save lead").click()
    page.get_by_role("link", name="Today").click()
    card = page.locator(".lc-followup", has_text="Bo Li")
    expect(card).to_contain_text("No call, email or note yet.")
    next_week = (date.today() + timedelta(days=7)).isoformat()
    card.get_by_label("Next follow-up").fill(next_week)
    card.get_by_label("What was said (optional)").fill("Wants samples")
    card.get_by_role("button", name="Done").click()
    expect(page.locator(".flash")).to_contain_text(
        f"Follow-up with Bo Li done; the next on {next_week}."
    )
    expect(page.locator(".lc-followup")).to_have_count(0)

    # And a word to Bo by email, from Bo's page (no SMTP server here: it waits in the outbox).
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("link", name="LEAD-00002").click()
    page.get_by_role("link", name="Write an email").click()
    page.get_by_label("Email subject").fill("Your samples")
    page.get_by_label("Email text").fill("They ship on Monday.")
    page.get_by_role("button", name="Send the email").click()
    expect(page.locator(".flash")).to_contain_text("Email to bo@example.com written to the outbox")

    page.get_by_role("link", name="Mine").click()
    expect(page.locator("table.leads tbody tr")).to_have_count(1)
    expect(page.locator("table.leads")).to_contain_text("Demo Staff")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg").first).to_be_visible()

    # Bo rang from another number and was typed in again: merged into Bo's lead.
    with app.app_context():
        capture_lead(db.session, source="Reference", lead_name="Bo", phone="+44 1632 960003")
        db.session.commit()
    page.goto(live_server + "/backoffice/leads/2")
    page.get_by_text("Merge a duplicate into this lead").click()
    page.get_by_label("The duplicate's number (LEAD-00042) or email").fill("lead-00003")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("table.merge-fields")).to_contain_text("+44 1632 960003")
    page.get_by_role("button", name="Merge LEAD-00003 into LEAD-00002").click()
    expect(page.locator(".flash")).to_contain_text("LEAD-00003 merged into this lead.")
    expect(page.locator(".lead-reach")).to_contain_text("+44 1632 960003")
    expect(page.locator("ol.history")).to_contain_text("LEAD-00003 (Bo) merged into this lead")
    page.goto(live_server + "/backoffice/leads/3")  # an old link to the duplicate
    expect(page.locator("h1")).to_contain_text("Bo Li LEAD-00002")


def test_on_a_phone_the_lead_list_shows_its_leads_first(
    app: Flask, live_server: str, page: Page
) -> None:
    """On a phone the list's first screen is for the leads: the filters fold under one
    line, and what to do with the selected ones shows once one is selected."""
    from leadcapture import capture_lead

    with app.app_context():
        capture_lead(db.session, source="Reference", lead_name="Ann Ray", email="ann@example.com")
        db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/backoffice/")
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill("staff-password")
    page.get_by_role("button", name="Sign in").click()
    first = page.locator("table.leads tbody tr").first.bounding_box()
    assert first and first["y"] < 844, first  # the list on the first screen, filters folded
    bulk = page.locator("form#bulk")
    expect(bulk).to_be_hidden()
    page.get_by_label("Select LEAD-00001").check()
    expect(bulk).to_be_visible()
    page.get_by_label("Set status").select_option("Replied")
    page.get_by_role("button", name="Apply to the selected").click()
    expect(page.locator("table.leads")).to_contain_text("Replied")
    page.get_by_text("Filter and sort").click()  # unfolded on a tap
    page.get_by_label("Search").fill("ann")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.leads tbody tr")).to_have_count(1)
    expect(page.get_by_label("Search")).to_be_visible()  # a filter in use keeps them open
    page.set_viewport_size({"width": 1280, "height": 900})  # on a desk it is always there
    page.goto(live_server + "/backoffice/")
    expect(bulk).to_be_visible()
    expect(page.get_by_label("Search")).to_be_visible()


def test_the_web_form_works_framed_in_another_site_and_as_its_plain_html(
    app: Flask, live_server: str, page: Page
) -> None:
    served: list[str] = []

    def other_site(environ: dict, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [served[-1].encode()]

    # Another site: its own server on loopback (Chromium's local-network checks refuse a
    # public page framing a loopback one), at another origin.
    server = make_server("127.0.0.1", 0, other_site)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def blog(html: str) -> None:
        """Open ``html`` as a page of the other site."""
        served.append(html)
        page.goto(f"http://localhost:{server.server_port}/")

    blog(f'<h1>A blog</h1><iframe src="{live_server}/leadcapture/form?source=Campaign"></iframe>')
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your name").fill("Framed Fay")
    frame.get_by_label("Email").fill("fay@example.com")
    frame.get_by_label("Message").fill("Hello from a blog.")
    frame.get_by_role("button", name="Send").click()
    expect(frame.get_by_role("heading")).to_have_text("Thank you")

    blog(  # the form copied into another site's page as plain HTML
        f'<form method="post" action="{live_server}/leadcapture/form">'
        '<input name="lead_name" value="Plain Pat"><input name="email" value="pat@example.com">'
        '<button type="submit">Go</button></form>'
    )
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading")).to_have_text("Thank you")
    server.shutdown()
    with app.app_context():
        sources = dict(db.session.execute(select(Lead.email, Lead.source)).all())
    assert sources == {"fay@example.com": "Campaign", "pat@example.com": "Web Form"}


def test_the_shops_contact_page_frames_the_form_under_its_policies(
    app: Flask, live_server: str, page: Page
) -> None:
    """The shop's CSP and the form's own both hold in a real browser (see ``page``)."""
    page.goto(live_server + "/contact")
    frame = page.frame_locator("iframe.contact-form")
    frame.get_by_label("Your name").fill("Cora Contact")
    frame.get_by_label("Email").fill("cora@example.com")
    frame.get_by_role("button", name="Send").click()
    expect(frame.get_by_role("heading")).to_have_text("Thank you")
    with app.app_context():
        assert db.session.scalars(select(Lead.source)).all() == ["Web Form"]


SCREENSHOTS = "LEADCAPTURE_SCREENSHOTS"


def snap(page: Page, name: str) -> None:
    """Screenshots at 1280 and 390 px into ``$LEADCAPTURE_SCREENSHOTS``, when it is set."""
    import os

    folder = os.environ.get(SCREENSHOTS)
    if not folder:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_restore_link_asks_then_fills_the_cart_and_staff_retry_a_dead_event(
    app: Flask, live_server: str, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from leadcapture import record_cart, signals
    from leadcapture.events import store as outbox
    from leadcapture.models import Email, TrackedCart
    from leadcapture.recovery import restore_url
    from leadcapture.sweep import run_sweep

    with app.app_context():
        record_cart(
            db.session,
            cart_id="guest-1",
            currency="EUR",
            email="gus@example.com",
            lines=[{"sku": "TEA-001", "name": "Sencha green tea", "quantity": 2,
                    "unit_price": "12.50"}],
            updated_at=datetime.now(UTC) - timedelta(hours=3),
        )  # fmt: skip
        db.session.commit()
        run_sweep(db.session, now=datetime.now(UTC) - timedelta(hours=1, minutes=5))
        run_sweep(db.session)
        email = db.session.scalars(select(Email)).one()
        cart = db.session.get(TrackedCart, email.cart_id)
        with app.test_request_context(base_url=live_server):
            link = restore_url(cart, 1)  # type: ignore[arg-type]

    page.goto(link)
    expect(page.get_by_role("heading", name="Your cart is waiting")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Sencha green tea")
    snap(page, "restore")
    with app.app_context():  # opening the page changed nothing
        assert db.session.scalars(select(Lead)).one().status == LeadStatus.OPEN
    page.get_by_role("button", name="Put these in my cart").click()
    expect(page.locator("main")).to_contain_text("Sencha green tea")
    with app.app_context():
        assert db.session.scalars(select(Lead)).one().status == LeadStatus.INTERESTED

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the CRM tables are locked")

    monkeypatch.setitem(outbox.HANDLERS, "user_registered", broken)
    app.config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"] = 1
    with app.app_context():
        signals.user_registered.send(app, user_id="77", email="lou@example.com", full_name="Lou")
    monkeypatch.undo()

    page.goto(live_server + "/backoffice/dashboard")
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill("staff-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_contain_text("1 captured event could not be handled")
    snap(page, "dashboard")
    page.get_by_role("link", name="retry or discard them on the outbox page").click()
    expect(page.locator("table.dead-events")).to_contain_text("the CRM tables are locked")
    snap(page, "outbox")
    page.locator("table.dead-events").get_by_role("button", name="Retry").click()
    expect(page.locator("body")).to_contain_text("The event was handled.")
    expect(page.locator("table.dead-events")).to_contain_text("None.")
    page.goto(live_server + "/backoffice/today")
    page.get_by_role("button", name="Replace this address").click()
    expect(page.locator("body")).to_contain_text("the old one no longer works")
    snap(page, "today")
