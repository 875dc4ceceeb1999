"""Every page of the back office and of the shop, in a real browser at 1280 and 390 px
wide: no serious or critical axe-core violation, nothing wider than a phone, no console
error and no Content-Security-Policy violation; from the keyboard, focus moves forward
and shows where it is; forms with errors tie each to its field. Screenshots go to
``tests/screenshots/``.

axe-core comes from npm (``npm install --prefix tests``, which ``.ci/run`` does)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from leadcapture import LeadSource, capture_lead
from leadcapture.communications import add_note
from leadcapture.models import Address, Contact, Customer, Email, Lead
from leadcapture.webhooks import add_webhook
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper, age_carts, guest_with_cart, sweep

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTHS = (1280, 390)

pytestmark = pytest.mark.skipif(
    not AXE.exists(), reason="axe-core is not installed: npm install --prefix tests"
)


def seed(app: Flask) -> dict[str, int]:
    """A converted buyer with addresses and a contact; a guest's abandoned cart with a
    recovery email waiting in the outbox; a webhook endpoint that does not answer."""
    with app.app_context():
        add_webhook(
            db.session,
            {"url": "http://127.0.0.1:9/hooks", "events": ["lead.created", "lead.converted"]},
            allow_private=True,
            by=None,
        )
        db.session.commit()
    buyer = Shopper(app)
    buyer.register(email="ada@example.com")
    buyer.add_to_cart("TEA-001", 2)
    assert buyer.checkout(email=None, full_name="Ada Lovelace").status_code == 302
    guest_with_cart(app, "gus@example.com", "MUG-001", 1)
    age_carts(app, 120)
    now = datetime.now(UTC)
    assert sweep(app, now=now).abandoned == 1
    assert sweep(app, now=now + timedelta(hours=2)).written == 1
    with app.app_context():  # Gus's lead is on the staff user's Today page, overdue
        gus = db.session.scalars(select(Lead).where(Lead.email == "gus@example.com")).one()
        gus.phone, gus.next_contact_date = "+351 912 345 678", date.today() - timedelta(days=2)
        gus.next_contact_by = str(db.session.scalars(select(User.id).where(User.is_staff)).one())
        add_note(db.session, gus, "Asked whether the mug is dishwasher-safe.")
        ada = db.session.scalars(select(Lead).where(Lead.email == "ada@example.com")).one()
        ada.next_contact_date = date.today() + timedelta(days=3)  # on her page, "Mark it done"
        phoned, _ = capture_lead(  # Gus again, typed in from a call: a duplicate to merge
            db.session, source=LeadSource.REFERENCE, lead_name="Gus M.", phone="+351 912 345 678"
        )
        add_note(db.session, phoned, "Rang from the shop floor.\nWants two mugs.")
        db.session.commit()
        return {
            "gus_phoned": phoned.id,
            "lead": db.session.scalar(select(Lead.id).where(Lead.email == "ada@example.com")),
            "gus": gus.id,
            "address": db.session.scalar(select(Address.id).limit(1)),
            "contact": db.session.scalar(select(Contact.id).limit(1)),
            "email": db.session.scalar(select(Email.id).limit(1)),
            "cart": db.session.scalar(select(Email.cart_id).where(Email.cart_id.is_not(None))),
            "customer": db.session.scalar(select(Customer.id).limit(1)),
        }


def pages(ids: dict[str, int]) -> dict[str, str]:
    return {
        "leads": "/backoffice/",
        "lead": f"/backoffice/leads/{ids['lead']}",
        "address": f"/backoffice/addresses/{ids['address']}",
        "contact": f"/backoffice/contacts/{ids['contact']}",
        "customers": "/backoffice/customers",
        "customer": f"/backoffice/customers/{ids['customer']}",
        "today": "/backoffice/today",
        "dashboard": "/backoffice/dashboard",
        "carts": "/backoffice/carts",
        "cart": f"/backoffice/carts/{ids['cart']}",
        "outbox": "/backoffice/outbox",
        "email": f"/backoffice/outbox/{ids['email']}",
        "import": "/backoffice/import",
        "assignment": "/backoffice/assignment",
        "tokens": "/backoffice/tokens",
        "recovery-emails": "/backoffice/recovery-emails",
        "recovery-email": "/backoffice/recovery-emails/1",
        "settings": "/backoffice/settings",
        "webhooks": "/backoffice/webhooks",
        "sources": "/backoffice/sources",
        "privacy": "/backoffice/privacy",
        "merge": f"/backoffice/leads/{ids['gus']}/merge?duplicate={ids['gus_phoned']}",
        "lead-duplicates": f"/backoffice/leads/{ids['gus']}",
    }


#: What the focused element is: its place in the document and whether its focus shows.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const shown = (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none';
  const before = window.__lcLast;
  const forward = !before || !!(before.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
  const wrapped = window.__lcSeen.has(e);
  window.__lcLast = e;
  window.__lcSeen.add(e);
  return {name: e.tagName + ' ' + (e.getAttribute('aria-label') || e.textContent || e.name || '').trim().slice(0, 40),
          shown, forward, wrapped, frame: e.tagName === 'IFRAME'};
}"""


#: The visible inputs and buttons a thumb cannot hit: under 40 px tall (checkboxes, radio
#: buttons and buttons drawn as links aside).
SMALL_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea, button, .lc-button')]
  .filter(e => !['checkbox', 'radio', 'hidden'].includes(e.type) && !e.closest('.trap'))
  .filter(e => !e.classList.contains('lc-link') && !e.classList.contains('link'))
  .filter(e => e.offsetParent !== null)
  .filter(e => e.getBoundingClientRect().height < 40)
  .map(e => e.tagName + ' ' + (e.name || e.textContent || '').trim().slice(0, 30))"""


#: What a phone shrinks past reading: chart text drawn under 10 px (an SVG scaled down
#: with its text) or over other text, and a table's caption squeezed into a column beside
#: its table.
SHRUNK = """() => [
  ...[...document.querySelectorAll('svg text')]
    .filter(t => { const h = t.getBoundingClientRect().height; return h > 0 && h < 10; })
    .map(t => 'chart text "' + t.textContent.trim().slice(0, 30) + '" under 10 px'),
  ...[...document.querySelectorAll('svg')].flatMap(svg => {
    const boxes = [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()])
      .filter(([, b]) => b.width > 0);
    return boxes.filter(([t, a], i) => boxes.some(([, b], j) => j > i
        && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1))
      .map(([t]) => 'chart text "' + t.textContent.trim().slice(0, 30) + '" overlaps another');
  }),
  ...[...document.querySelectorAll('table caption')]
    .filter(c => c.offsetParent !== null)
    .filter(c => c.getBoundingClientRect().width < 0.8 * c.closest('table').getBoundingClientRect().width)
    .map(c => 'caption "' + c.textContent.trim().slice(0, 30) + '" squeezed'),
]"""


#: The back office's sections out of sight: on a wide screen any of them past the edge of
#: the window; on a phone (where the bar scrolls sideways) the page's own.
NAV_HIDDEN = """(wide) => [...document.querySelectorAll('.lc-nav a')]
  .filter(a => wide || a.getAttribute('aria-current') === 'page')
  .filter(a => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; })
  .map(a => 'section "' + a.textContent.trim() + '" out of sight')"""


#: Checkboxes away from their labels: a label on another line than its box.
APART = """() => [...document.querySelectorAll('input[type=checkbox]')]
  .filter(box => box.offsetParent !== null && box.id)
  .flatMap(box => [...document.querySelectorAll(`label[for="${CSS.escape(box.id)}"]`)]
    .filter(label => { const a = box.getBoundingClientRect(), b = label.getBoundingClientRect();
      return b.bottom <= a.top || b.top >= a.bottom; })
    .map(label => 'the box of "' + label.textContent.trim().slice(0, 30) + '" is on another line'))"""


#: Number fields (a quantity, hours, a percent) stretched across a column or a page.
STRETCHED = """() => [...document.querySelectorAll('input[type=number]')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 200)
  .map(e => 'the number field ' + (e.name || e.id) + ' is ' + Math.round(e.getBoundingClientRect().width) + ' px wide')"""


#: Boxes that hide part of what they hold behind a sideways scroll (a cart's totals past
#: the edge of a phone), but the back office's bar of sections, which scrolls by design.
SCROLLED_AWAY = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.offsetParent !== null && !e.closest('.lc-nav'))
  .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + ' hides ' + (e.scrollWidth - e.clientWidth) + ' px sideways')"""


def keyboard(page: Page, name: str, presses: int = 15) -> list[str]:
    """Tab from the top: focus goes forward through the page, and shows where it is."""
    problems = []
    if page.evaluate("[...document.querySelectorAll('[tabindex]')].some(e => e.tabIndex > 0)"):
        problems.append(f"{name}: a positive tabindex reorders the keyboard")
    page.evaluate(
        "window.__lcLast = null; window.__lcSeen = new Set();"
        " document.activeElement && document.activeElement.blur()"
    )
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["wrapped"]:  # past the last: round to the first
            break
        if focused["frame"]:  # the focus is in the frame's own page now
            break
        if not focused["forward"]:
            problems.append(f"{name}: focus went back to {focused['name']}")
        if not focused["shown"]:
            problems.append(f"{name}: no visible focus on {focused['name']}")
    return problems


def check(page: Page, name: str) -> list[str]:
    """What is wrong with the page now open, at each width."""
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    problems = keyboard(page, name)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(AXE.read_text())
        found: list[dict[str, Any]] = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
        )
        for violation in found:
            landmarks = violation["id"].startswith("landmark") or violation["id"] == "region"
            if violation["impact"] in ("serious", "critical") or landmarks:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name} at {width}: {violation['id']}: {targets}")
        if width < 600:
            for small in page.evaluate(SMALL_CONTROLS):
                problems.append(f"{name} at {width}: {small} is under 40 px tall")
            for away in page.evaluate(SCROLLED_AWAY):
                problems.append(f"{name} at {width}: {away}")
            for shrunk in page.evaluate(SHRUNK):
                problems.append(f"{name} at {width}: {shrunk}")
        for stretched in page.evaluate(STRETCHED):
            problems.append(f"{name} at {width}: {stretched}")
        for apart in page.evaluate(APART):
            problems.append(f"{name} at {width}: {apart}")
        for hidden in page.evaluate(NAV_HIDDEN, width >= 600):
            problems.append(f"{name} at {width}: {hidden}")
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

    # Forms showing their errors: each wrong field says so and points at its message.
    page.goto(live_server + "/backoffice/recovery-emails/1")
    page.get_by_label("Subject").fill("Hello {nobody}")
    page.get_by_label("Hours after the cart was abandoned").fill("-3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct 2 fields")
    problems += invalid_fields_point_at_their_messages(page, 2)
    problems += check(page, "backoffice-recovery-email-errors")
    page.goto(live_server + "/backoffice/settings")
    page.get_by_label("Abandoned after (minutes)").fill("-5")
    page.get_by_label("Consent notice at checkout").fill("")
    page.get_by_role("button", name="Save settings").click()
    problems += invalid_fields_point_at_their_messages(page, 2)
    problems += check(page, "backoffice-settings-errors")
    page.goto(live_server + "/backoffice/webhooks")
    page.get_by_label("Endpoint URL").fill("https://10.0.0.5/hook")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#events-error")).to_contain_text("Choose at least one event")
    problems += invalid_fields_point_at_their_messages(page, 1)
    problems += check(page, "backoffice-webhooks-errors")
    page.goto(live_server + "/backoffice/today")
    card = page.locator(".lc-followup").first
    card.get_by_label("Next follow-up").fill("2020-01-01")
    card.get_by_role("button", name="Done").click()
    expect(page.locator(".lc-followup .error").first).to_contain_text("Must be a day after today")
    problems += invalid_fields_point_at_their_messages(page, 1)
    problems += check(page, "backoffice-today-errors")
    page.goto(live_server + f"/backoffice/leads/{ids['lead']}#write")
    page.get_by_role("button", name="Send the email").click()
    expect(page.locator("#write")).to_have_attribute("open", "")
    problems += invalid_fields_point_at_their_messages(page, 2)
    problems += check(page, "backoffice-lead-email-errors")
    page.goto(live_server + f"/backoffice/leads/{ids['gus']}#merge")
    page.get_by_label("The duplicate's number (LEAD-00042) or email").fill("LEAD-99999")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#merge")).to_have_attribute("open", "")
    expect(page.locator("#merge-duplicate-error")).to_contain_text("No lead has this number")
    problems += invalid_fields_point_at_their_messages(page, 1)
    problems += check(page, "backoffice-lead-merge-errors")

    # The editor's Preview shows the unsaved text in its frame, the email in a frame of its
    # own, on a desk and on a phone.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server + "/backoffice/recovery-emails/1")
        page.get_by_label("Subject").fill("A draft for {first_name}")
        page.get_by_role("button", name="Preview").click()
        # Brought into sight: on a phone it sits below the form, and a browser paints no
        # frame of another origin (the email's) while it is out of sight.
        expect(page.locator("iframe[name=preview]")).to_be_in_viewport()
        preview = page.frame_locator("iframe[name=preview]")
        expect(preview.get_by_text("A draft for Alex")).to_be_visible()
        email = preview.frame_locator("iframe")
        email.get_by_text("Sample product").scroll_into_view_if_needed()
        expect(email.get_by_text("Sample product")).to_be_visible()
        expect(email.get_by_role("link", name="Return to your cart")).to_be_visible()
        page.screenshot(
            path=str(SCREENSHOTS / f"backoffice-recovery-email-preview-{width}.png"),
            full_page=True,
        )

    # The recovery report email by email, once an email went and its link was opened.
    with app.app_context():
        went = datetime.now(UTC)
        db.session.execute(
            update(Email)
            .where(Email.step.is_not(None))
            .values(status="sent", sent_at=went, link_opened_at=went)
        )
        db.session.commit()
    page.goto(live_server + "/backoffice/carts")
    expect(page.locator(".recovery-by-email")).to_contain_text("Email 1")
    problems += check(page, "backoffice-carts-by-email")
    assert not problems, "\n".join(problems)

    # On a desk the dashboard's two bar charts share a row, each as wide as its half.
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(live_server + "/backoffice/dashboard")
    funnel, conversion = (
        page.locator(f"svg.{name}").bounding_box() for name in ("funnel", "conversion")
    )
    assert funnel and conversion and funnel["y"] == conversion["y"], (funnel, conversion)
    assert min(funnel["width"], conversion["width"]) > 0.4 * WIDTHS[0], (funnel, conversion)
    refused = (
        "/backoffice/recovery-emails/1",
        "/backoffice/settings",
        "/backoffice/webhooks",
        f"/backoffice/today/{ids['gus']}/done",
        f"/backoffice/leads/{ids['lead']}/emails",
        f"/backoffice/leads/{ids['gus']}/merge?duplicate=LEAD-99999",
    )
    assert unexpected(errors, live_server, *refused) == []


#: How the browser's console reports a form refused with 400, which the tests do on purpose.
REFUSED = "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"


def unexpected(errors: list[str], live_server: str, *refused_paths: str) -> list[str]:
    """The errors seen, but the 400s of the forms sent wrong on purpose to ``refused_paths``."""
    refused = {f"400 {live_server}{path}" for path in refused_paths}
    return [e for e in errors if e not in refused and e != REFUSED]


def invalid_fields_point_at_their_messages(page: Page, at_least: int) -> list[str]:
    invalid = page.locator("[aria-invalid=true]")
    if invalid.count() < at_least:
        return [f"{page.url}: {invalid.count()} fields marked invalid, not {at_least}"]
    problems = []
    for number in range(invalid.count()):
        described = invalid.nth(number).get_attribute("aria-describedby") or ""
        messages = [page.locator(f"#{ref}") for ref in described.split()]
        if not any(m.count() and "error" in (m.get_attribute("class") or "") for m in messages):
            problems.append(f"{page.url}: field {number} points at no error message")
    return problems


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
    page.goto(live_server + "/leadcapture/form")
    page.evaluate("document.querySelector('form').noValidate = true")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Send").click()
    problems.extend(invalid_fields_point_at_their_messages(page, 2))
    problems.extend(check(page, "shop-webform-errors"))
    page.goto(live_server + "/register")
    page.get_by_role("button", name="Create account").click()  # empty: every error shown
    problems.extend(check(page, "shop-register-errors"))
    problems.extend(invalid_fields_point_at_their_messages(page, 2))

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
        ("privacy", "/account/privacy"),
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
    assert unexpected(errors, live_server, "/leadcapture/form") == []
