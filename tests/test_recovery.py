"""Recovery emails over real SMTP, the restore link on another device, unsubscribing,
recovered revenue and lost carts."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from leadcapture import LeadSource, LeadStatus, capture_lead, set_status
from leadcapture.models import Email, HistoryEntry, Lead, TrackedCart
from leadcapture.models.base import utcnow
from storefront.extensions import db

from .conftest import Inbox
from .helpers import Shopper, age_carts, capture_email, count, sweep

LINK = re.compile(r"http://\S+/leadcapture/(restore|unsubscribe)/[\w.-]+")


def abandoned_guest(app: Flask, email: str = "gus@example.com") -> tuple[Shopper, datetime]:
    guest = Shopper(app)
    guest.add_to_cart("TEA-001", 2)
    guest.add_to_cart("MUG-001", 1)
    assert capture_email(guest, email).status_code == 204
    age_carts(app, 120)
    now = datetime.now(UTC)
    assert sweep(app, now=now).abandoned == 1
    return guest, now


def links(message) -> dict[str, str]:  # type: ignore[no-untyped-def]
    text = message.get_body(preferencelist=("plain",)).get_content()
    return {kind: match.group(0) for match in LINK.finditer(text) for kind in [match.group(1)]}


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def cart(app: Flask) -> TrackedCart:
    with app.app_context():
        found = db.session.scalars(select(TrackedCart).order_by(TrackedCart.id)).first()
        db.session.expunge_all()
        assert found is not None
        return found


def lead(app: Flask) -> Lead:
    with app.app_context():
        found = db.session.scalars(select(Lead)).one()
        db.session.expunge_all()
        return found


def test_the_schedule_sends_three_emails_at_1_24_and_72_hours(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    assert sweep(app, now=t0 + timedelta(minutes=59)).emails == 0
    assert sweep(app, now=t0 + timedelta(minutes=61)).emails == 1
    assert sweep(app, now=t0 + timedelta(hours=2)).emails == 0
    assert sweep(app, now=t0 + timedelta(hours=24, minutes=1)).emails == 1
    assert sweep(app, now=t0 + timedelta(hours=72, minutes=1)).emails == 1
    assert sweep(app, now=t0 + timedelta(hours=200)).emails == 0
    assert [m["Subject"] for m in smtp.messages] == [
        "You left something in your cart",
        "Your cart at Leaf & Kettle is still waiting",
        "Last reminder: your cart at Leaf & Kettle",
    ]
    first = smtp.messages[0]
    assert first["To"] == "gus@example.com"
    assert "shop@leafandkettle.example" in first["From"]
    text = first.get_body(preferencelist=("plain",)).get_content()
    html = first.get_body(preferencelist=("html",)).get_content()
    assert "2 x Sencha green tea" in text and "Total: 31.00 EUR" in text
    assert "Sencha green tea" in html and 'href="http://' in html
    assert set(links(first)) == {"restore", "unsubscribe"}
    assert first["List-Unsubscribe"] == f"<{links(first)['unsubscribe']}>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with app.app_context():
        emails = db.session.scalars(select(Email).order_by(Email.step)).all()
        assert [(e.step, e.status) for e in emails] == [(1, "sent"), (2, "sent"), (3, "sent")]
        sent = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.kind == "email_sent")
        ).all()
        assert len(sent) == 3 and all(e.lead_id == emails[0].lead_id for e in sent)


def test_an_email_carries_one_unsubscribe_link_in_its_body_and_its_header(
    app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written by one step and sent by another, a second apart or a day: the same link."""
    clock = itertools.count(1_800_000_000, 7)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(clock))
    _, t0 = abandoned_guest(app)
    assert sweep(app, now=t0 + timedelta(minutes=61)).emails == 1
    first = smtp.messages[0]
    assert first["List-Unsubscribe"] == f"<{links(first)['unsubscribe']}>"


def test_the_restore_link_brings_the_cart_back_on_another_device(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    other_device = Shopper(app)
    assert "Your cart is empty" in other_device.get("/cart").get_data(as_text=True)
    url = path(links(smtp.messages[0])["restore"])
    asked = other_device.get(url)  # a mail scanner's GET changes nothing
    assert asked.status_code == 200 and "Put these in my cart" in asked.get_data(as_text=True)
    assert "Sencha green tea" in asked.get_data(as_text=True)
    assert lead(app).status == LeadStatus.OPEN and cart(app).link_opened_at is None
    assert "Your cart is empty" in other_device.get("/cart").get_data(as_text=True)
    response = other_device.restore(url)
    assert response.status_code == 302 and response.location.endswith("/cart")
    page = other_device.get("/cart").get_data(as_text=True)
    assert "Sencha green tea" in page and "31.00 EUR" in page
    assert lead(app).status == LeadStatus.INTERESTED
    assert cart(app).link_opened_at is not None
    for _ in range(3):  # opened again, on this device or another: the lead's history
        assert Shopper(app).restore(url).status_code == 302  # says it once
    with app.app_context():
        assert db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "recovery_link_clicked")
        ).one()


def test_an_order_after_a_recovery_email_recovers_the_cart(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    buyer = Shopper(app)
    buyer.restore(path(links(smtp.messages[0])["restore"]))
    assert buyer.checkout(email="gus@example.com").status_code == 302
    recovered = cart(app)
    assert recovered.state == "recovered"
    assert recovered.recovered_value == Decimal("31.00") and recovered.link_opened_at
    with app.app_context():
        entry = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "cart_recovered")
        ).one()
        assert entry.data["link_used"] is True and entry.data["value"] == "31.00"
    assert sweep(app, now=t0 + timedelta(hours=30)).emails == 0


def test_an_order_without_the_link_still_counts_as_recovered(app: Flask, smtp: Inbox) -> None:
    guest, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    guest.checkout(email="gus@example.com")
    with app.app_context():
        entry = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "cart_recovered")
        ).one()
        assert entry.data["link_used"] is False


def test_an_order_before_any_email_stops_the_schedule(app: Flask, smtp: Inbox) -> None:
    guest, t0 = abandoned_guest(app)
    guest.checkout(email="gus@example.com")
    assert sweep(app, now=t0 + timedelta(hours=80)).emails == 0
    assert smtp.messages == []
    assert cart(app).state == "checked_out"


def test_unsubscribing_stops_every_email(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    url = path(links(smtp.messages[0])["unsubscribe"])
    browser = Shopper(app)
    page = browser.get(url)
    assert page.status_code == 200 and "Unsubscribe from all emails" in page.get_data(True)
    assert lead(app).status != LeadStatus.DO_NOT_CONTACT  # a link scanner's GET changes nothing
    done = browser.client.post(url)  # the one-click POST needs no CSRF token
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert lead(app).status == LeadStatus.DO_NOT_CONTACT
    assert sweep(app, now=t0 + timedelta(hours=100)).emails == 0
    assert len(smtp.messages) == 1


def test_no_email_to_a_do_not_contact_lead(app: Flask, smtp: Inbox) -> None:
    with app.app_context():
        found, _ = capture_lead(
            db.session, source=LeadSource.IMPORT, email="gus@example.com", lead_name="Gus"
        )
        set_status(db.session, found, LeadStatus.DO_NOT_CONTACT)
        db.session.commit()
    _, t0 = abandoned_guest(app)
    assert sweep(app, now=t0 + timedelta(hours=100)).emails == 0
    assert smtp.messages == []


def test_no_email_after_the_lead_converted(app: Flask, smtp: Inbox, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    shopper.add_to_cart("POT-001")
    age_carts(app, 120)
    t0 = datetime.now(UTC)
    assert sweep(app, now=t0).abandoned == 1
    assert sweep(app, now=t0 + timedelta(hours=100)).emails == 0
    assert smtp.messages == []


def test_carts_abandoned_while_recovery_was_off_never_get_emails(app: Flask, smtp: Inbox) -> None:
    app.config["LEADCAPTURE_RECOVERY_EMAILS"] = False
    _, t0 = abandoned_guest(app)
    app.config["LEADCAPTURE_RECOVERY_EMAILS"] = True
    assert sweep(app, now=t0 + timedelta(hours=100)).emails == 0
    assert smtp.messages == []


def test_without_smtp_the_emails_wait_in_the_outbox(app: Flask, staff: Shopper) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    with app.app_context():
        email = db.session.scalars(select(Email)).one()
        assert email.status == "outbox"
    page = staff.get("/backoffice/outbox").get_data(as_text=True)
    assert "gus@example.com" in page and "You left something in your cart" in page
    body = staff.get(f"/backoffice/outbox/{email.id}").get_data(as_text=True)
    assert "/leadcapture/restore/" in body


def test_an_smtp_outage_marks_the_email_failed_and_the_sweep_goes_on(app: Flask) -> None:
    from .conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    _, t0 = abandoned_guest(app)
    result = sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    assert (result.written, result.emails, result.sending.failed) == (1, 0, 1)
    with app.app_context():
        email = db.session.scalars(select(Email)).one()
        assert email.status == "failed" and "Connection" in (email.error or "")
        # The history names only what was delivered.
        assert not db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.kind == "email_sent")
        ).all()


def make_emails_due(app: Flask) -> None:
    with app.app_context():
        db.session.execute(update(Email).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_emails_failed_in_an_outage_are_sent_once_smtp_is_back(app: Flask, smtp: Inbox) -> None:
    from .conftest import free_port

    working_port = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # the SMTP server is down
    _, t0 = abandoned_guest(app)
    abandoned_guest(app, "una@example.com")
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    with app.app_context():
        statuses = list(db.session.scalars(select(Email.status)))
        assert statuses == ["failed", "failed"]
        una = db.session.scalars(select(Lead).where(Lead.email == "una@example.com")).one()
        set_status(db.session, una, LeadStatus.DO_NOT_CONTACT)  # she unsubscribed meanwhile
        db.session.commit()

    app.config["MAIL_PORT"] = working_port
    runner = app.test_cli_runner()
    assert "0 emails sent" in runner.invoke(args=["leads", "retry"]).output  # not due yet
    make_emails_due(app)
    assert "1 email sent, 0 failed, 1 cancelled" in runner.invoke(args=["leads", "retry"]).output
    make_emails_due(app)
    assert "0 emails sent, 0 failed, 0 cancelled" in runner.invoke(args=["leads", "retry"]).output
    assert [m["To"] for m in smtp.messages] == ["gus@example.com"]
    with app.app_context():
        assert sorted(db.session.scalars(select(Email.status))) == ["cancelled", "sent"]


def test_an_abandoned_cart_becomes_lost_after_30_days(app: Flask) -> None:
    app.config["LEADCAPTURE_RECOVERY_EMAILS"] = False
    _, t0 = abandoned_guest(app)
    assert sweep(app, now=t0 + timedelta(days=29)).lost == 0
    assert sweep(app, now=t0 + timedelta(days=30, minutes=1)).lost == 1
    assert cart(app).state == "lost"
    with app.app_context():
        assert db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "cart_lost")
        ).one()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda url: url[:-3] + ("abc" if not url.endswith("abc") else "xyz"),
        lambda url: url.replace("/restore/", "/restore/x"),
        lambda url: "/leadcapture/restore/not-a-token",
        lambda url: url.replace("/restore/", "/unsubscribe/"),  # a token for another purpose
    ],
)
def test_forged_or_tampered_links_change_nothing(app: Flask, smtp: Inbox, mangle) -> None:  # type: ignore[no-untyped-def]
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    url = mangle(path(links(smtp.messages[0])["restore"]))
    browser = Shopper(app)
    for response in (browser.get(url), browser.client.post(url)):
        assert response.status_code in (400, 405)
    assert "not valid" in browser.get(url).get_data(as_text=True)
    assert lead(app).status == LeadStatus.OPEN
    assert cart(app).link_opened_at is None


def test_an_expired_link_is_refused(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    app.config["LEADCAPTURE_RESTORE_LINK_MAX_AGE_DAYS"] = -1
    response = Shopper(app).get(path(links(smtp.messages[0])["restore"]))
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert lead(app).status == LeadStatus.OPEN


def test_staff_run_a_sweep_from_the_back_office(app: Flask, staff: Shopper) -> None:
    guest = Shopper(app)
    guest.add_to_cart("POT-001")
    capture_email(guest, "gus@example.com")
    age_carts(app, 120)
    response = staff.submit("/backoffice/carts", {}, action="/backoffice/carts/sweep", follow=True)
    page = response.get_data(as_text=True)
    assert "1 cart abandoned" in page and "gus@example.com" in page and "49.00" in page
    assert re.search(r'<td class="age"[^>]*>0 min</td>', page)
    assert count(app, Lead) == 1


def test_the_sweep_button_needs_staff_and_csrf(
    app: Flask, shopper: Shopper, staff: Shopper, client
) -> None:  # type: ignore[no-untyped-def]
    refused = client.post("/backoffice/carts/sweep")
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    shopper.register()
    assert shopper.submit("/", {}, action="/backoffice/carts/sweep").status_code == 403
    assert staff.client.post("/backoffice/carts/sweep").status_code == 400


def test_the_last_email_carries_a_single_use_code_that_the_link_applies(
    app: Flask, smtp: Inbox
) -> None:
    from storefront.models import Coupon, Order

    _, t0 = abandoned_guest(app)
    for hours in (1, 24, 72):
        sweep(app, now=t0 + timedelta(hours=hours, minutes=1))
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp.messages]
    assert "code" not in texts[0] and "code" not in texts[1]
    code = re.search(r"Use the code (BACK-\w+)", texts[2]).group(1)  # type: ignore[union-attr]

    buyer = Shopper(app)
    buyer.restore(path(links(smtp.messages[2])["restore"]))
    page = buyer.get("/cart").get_data(as_text=True)
    assert code in page and "27.90 EUR" in page
    buyer.checkout(email="gus@example.com")
    with app.app_context():
        order = db.session.scalars(select(Order)).one()
        assert (order.total, order.discount, order.coupon_code) == (
            Decimal("27.90"),
            Decimal("3.10"),
            code,
        )
        assert db.session.scalars(select(Coupon)).one().used_at is not None
    assert cart(app).recovered_value == Decimal("27.90")

    again = Shopper(app)
    again.restore(path(links(smtp.messages[2])["restore"]))
    assert "27.90" not in again.get("/cart").get_data(as_text=True)
    again.checkout(email="gus@example.com")
    with app.app_context():
        second = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        assert second.discount == 0 and second.total == Decimal("31.00")


def test_a_restore_link_never_moves_a_lead_out_of_do_not_contact(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    message = smtp.messages[0]
    browser = Shopper(app)
    browser.client.post(path(links(message)["unsubscribe"]))
    assert browser.restore(path(links(message)["restore"])).status_code == 302
    assert lead(app).status == LeadStatus.DO_NOT_CONTACT


def test_a_restore_link_adds_to_a_signed_in_shoppers_cart(app: Flask, smtp: Inbox) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    jane = Shopper(app)
    jane.register(email="jane@example.com")
    jane.add_to_cart("POT-001", 1)
    jane.add_to_cart("TEA-001", 5)
    url = path(links(smtp.messages[0])["restore"])
    assert "Cast-iron teapot" not in jane.get(url).get_data(as_text=True)
    jane.restore(url)
    jane.restore(url)  # twice: nothing doubles
    page = jane.get("/cart").get_data(as_text=True)
    # her pot stays, her 5 teas stay 5 (more than the link's 2), the mug is added
    assert "Cast-iron teapot" in page and "Stoneware mug" in page
    with app.app_context():
        from storefront.models import CartItem

        quantities = sorted(db.session.scalars(select(CartItem.quantity)))
        assert quantities == [1, 1, 5]


def test_the_recovery_report_counts_a_range_and_each_cart_has_its_page(
    app: Flask, smtp: Inbox, staff: Shopper
) -> None:
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(hours=1, minutes=1))
    buyer = Shopper(app)
    buyer.restore(path(links(smtp.messages[0])["restore"]))
    assert buyer.checkout(email="gus@example.com").status_code == 302
    today = datetime.now(UTC).date()

    def figures(query: str) -> str:
        page = staff.get(f"/backoffice/carts{query}").get_data(as_text=True)
        section = page[page.index('class="lc-card lc-report"') : page.index("Run sweep now")]
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))

    shown = figures(f"?from={today - timedelta(days=1)}&to={today}")
    assert "Recoverable revenue 31.00 EUR 1 cart abandoned" in shown
    assert "Recovered revenue 31.00 EUR 1 cart Recovery rate" in shown
    assert "Recovery rate 100.0 %" in shown and "Emails sent 1 1 link opened" in shown
    before = figures(f"?from={today - timedelta(days=9)}&to={today - timedelta(days=2)}")
    assert "Recoverable revenue — 0 carts abandoned" in before and "Emails sent 0" in before
    refused = staff.get("/backoffice/carts?from=someday")
    assert refused.status_code == 200
    assert 'data-field="from"' in refused.get_data(as_text=True)

    page = staff.get(f"/backoffice/carts/{cart(app).id}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Recovered by order SO-" in text and "31.00 EUR" in text
    assert "Sencha green tea" in text and "Restore link opened" in text
    assert ">sent</span>" in page  # the first email, as it went
    assert staff.get("/backoffice/carts/99999").status_code == 404


def test_the_report_shows_what_each_email_of_the_series_did(
    app: Flask, smtp: Inbox, staff: Shopper
) -> None:
    """Sent, links opened, and the carts recovered after it (the last email before the
    order), email by email; each cart's page says which email's link was opened."""
    _, t0 = abandoned_guest(app, "gus@example.com")
    assert sweep(app, now=t0 + timedelta(hours=1, minutes=1)).emails == 1
    assert sweep(app, now=t0 + timedelta(hours=24, minutes=1)).emails == 1
    bea, t1 = abandoned_guest(app, "bea@example.com")
    assert sweep(app, now=t1 + timedelta(hours=1, minutes=1)).emails == 1
    gus_second, bea_first = smtp.messages[1], smtp.messages[2]
    assert gus_second["To"] == "gus@example.com" and bea_first["To"] == "bea@example.com"
    buyer = Shopper(app)
    buyer.restore(path(links(gus_second)["restore"]))
    buyer.restore(path(links(gus_second)["restore"]))  # twice: still one link opened
    assert buyer.checkout(email="gus@example.com").status_code == 302
    assert bea.checkout(email="bea@example.com").status_code == 302  # without the link

    page = staff.get("/backoffice/carts").get_data(as_text=True)
    table = page[page.index('class="recovery-by-email"') : page.index("Run sweep now")]
    rows = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]
    ]
    assert rows == [
        "Email 1 2 0 1 cart 31.00 EUR",
        "Email 2 1 1 1 cart 31.00 EUR",
    ]
    steps = staff.get("/backoffice/recovery-emails").get_data(as_text=True)
    lately = re.findall(r'class="step-figures">([^<]*)</td>', steps)
    assert lately == [
        "Sent: 2 · Links opened: 0 · Recovered: 1 cart",
        "Sent: 1 · Links opened: 1 · Recovered: 1 cart",
        "none sent",
    ]
    body = staff.get("/backoffice/api/recovery").get_json()
    assert [
        (e["step"], e["sent"], e["opened"], e["recovered"], e["recovered_value"])
        for e in body["by_email"]
    ] == [(1, 2, 0, 1, {"EUR": "31.00"}), (2, 1, 1, 1, {"EUR": "31.00"})]
    assert body["recovered_value"] == {"EUR": "62.00"} and body["rate"] == 100.0
    refused = staff.get("/backoffice/api/recovery?from=2026-13-01")
    assert refused.status_code == 400 and "from" in refused.get_json()["errors"]
    today = datetime.now(UTC).date()
    earlier = staff.get(
        f"/backoffice/carts?from={today - timedelta(days=9)}&to={today - timedelta(days=2)}"
    )
    assert 'class="recovery-by-email"' not in earlier.get_data(as_text=True)

    with app.app_context():
        gus_cart = db.session.scalars(
            select(TrackedCart).where(TrackedCart.email == "gus@example.com")
        ).one()
        opened = {
            e.step: e.link_opened_at
            for e in db.session.scalars(select(Email).where(Email.cart_id == gus_cart.id))
        }
        assert opened[1] is None and opened[2] is not None
    detail = staff.get(f"/backoffice/carts/{gus_cart.id}").get_data(as_text=True)
    emails = detail[detail.index('class="cart-emails"') :].split("<tr>")[2:]
    assert 'data-label="Link opened"></td>' in emails[0]
    assert f'data-label="Link opened">{opened[2]:%Y-%m-%d %H:%M} UTC</td>' in emails[1]


def test_a_recovery_email_looks_like_the_shops_own(app: Flask, smtp: Inbox) -> None:
    """The shop's name on top, the lines and total in a table, a button to the cart, the
    same in plain text, and nothing loaded from elsewhere (styles inline, no images)."""
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(minutes=61))
    [message] = smtp.messages
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert html.index("Leaf &amp; Kettle") < html.index("Hello")
    assert re.search(r"<td[^>]*>2 × Sencha green tea</td>\s*<td[^>]*>[^<]*EUR</td>", html)
    assert re.search(r'<td bgcolor="[^"]+"[^>]*><a href="http://[^"]+/restore/[^"]+" style=', html)
    assert "<link" not in html and "<img" not in html and "<style" not in html
    assert "<script" not in html
    assert text.splitlines()[0] == "Leaf & Kettle" and re.search(
        r"Return to your cart:\s+http://", text
    )
    assert "Hello guest" not in html + text  # a lead known by its email only: no invented name
