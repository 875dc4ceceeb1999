"""The owner edits the recovery emails and the settings in the back office; the sweep,
the emails and the checkout follow."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import update_lead
from leadcapture.models import Email, Lead, OwnerSetting, RecoveryStep, TrackedCart
from storefront.extensions import db
from storefront.models import Coupon

from .conftest import Inbox
from .helpers import Shopper, age_carts, capture_email, count, csrf_token, sweep
from .test_recovery import abandoned_guest, links, path

EDIT = "/backoffice/recovery-emails/{}"


def step_form(staff: Shopper, number: int) -> dict[str, Any]:
    """The step's form as the page fills it in."""
    page = staff.get(EDIT.format(number)).get_data(as_text=True)
    value = lambda name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)  # noqa: E731
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert body is not None
    form: dict[str, Any] = {
        "csrf_token": csrf_token(page),
        "subject": value("subject").group(1),  # type: ignore[union-attr]
        "body": body.group(1).replace("&#34;", '"').replace("&#39;", "'"),
        "delay_hours": value("delay_hours").group(1),  # type: ignore[union-attr]
        "code_percent": (value("code_percent") or re.search("()", "")).group(1),  # type: ignore[union-attr]
    }
    for box in ("code", "active"):
        tag = re.search(rf'<input[^>]*name="{box}"[^>]*>', page)
        if tag is not None and " checked" in tag.group(0):
            form[box] = "y"
    return form


def save(staff: Shopper, number: int, **changes: Any) -> Any:
    form = step_form(staff, number)
    form.update(changes)
    form = {k: v for k, v in form.items() if v is not None}
    return staff.client.post(EDIT.format(number), data={**form, "action": "save"})


def kept_steps(app: Flask) -> list[tuple[int, float, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(RecoveryStep).order_by(RecoveryStep.step))
        return [(r.step, r.delay_hours, r.active) for r in rows]


def test_the_config_gives_the_first_steps_and_the_first_save_keeps_them(
    app: Flask, staff: Shopper
) -> None:
    page = unescape(staff.get("/backoffice/recovery-emails").get_data(as_text=True))
    assert "You left something in your cart" in page and "72 hours" in page
    assert "first values from the shop's configuration" in page
    assert kept_steps(app) == []
    assert save(staff, 2, subject="Still thinking, {first_name}?").status_code == 302
    assert kept_steps(app) == [(1, 1.0, True), (2, 24.0, True), (3, 72.0, True)]
    page = staff.get("/backoffice/recovery-emails").get_data(as_text=True)
    assert "Still thinking, {first_name}?" in page and "configuration" not in page


def test_the_owners_words_go_out_with_the_carts_values(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    body = (
        "Hi {first_name},\n\nyour {shop_name} basket:\n\n{cart_lines}\n\n"
        "Worth {cart_total}.\n\n{restore_link}"
    )
    assert save(staff, 1, subject="{shop_name} kept your basket", body=body).status_code == 302
    _, t0 = abandoned_guest(app)
    assert sweep(app, now=t0 + timedelta(minutes=61)).emails == 1
    [message] = smtp.messages
    assert message["Subject"] == "Leaf & Kettle kept your basket"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hi,\r\n" in text  # a lead known by its email: no name, and no space before the comma
    assert "your Leaf & Kettle basket:" in text and "Worth 31.00 EUR." in text
    assert "2 x Sencha green tea" in text and re.search(r"Return to your cart:\s+http://", text)
    assert '<p style="margin:0 0 16px;">Hi,</p>' in html
    assert re.search(r"<td[^>]*>2 × Sencha green tea</td>", html)  # {cart_lines} alone: the table
    assert re.search(r'<td bgcolor="[^"]+"[^>]*><a href="http://[^"]+/restore/', html)


def test_a_new_delay_reaches_the_carts_already_waiting(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    _, t0 = abandoned_guest(app)
    assert sweep(app, now=t0 + timedelta(minutes=61)).emails == 1
    assert sweep(app, now=t0 + timedelta(hours=3)).emails == 0  # step 2 is at 24 hours
    assert save(staff, 2, delay_hours="2").status_code == 302
    assert sweep(app, now=t0 + timedelta(hours=3)).emails == 1
    assert [m["Subject"] for m in smtp.messages][
        -1
    ] == "Your cart at Leaf & Kettle is still waiting"


def test_a_step_turned_off_is_skipped_and_the_next_keeps_its_number(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    assert save(staff, 2, active=None).status_code == 302
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(minutes=61))
    assert sweep(app, now=t0 + timedelta(hours=25)).emails == 0
    assert sweep(app, now=t0 + timedelta(hours=73)).emails == 1
    with app.app_context():
        assert list(db.session.scalars(select(Email.step).order_by(Email.step))) == [1, 3]
    page = staff.get("/backoffice/recovery-emails").get_data(as_text=True)
    assert re.search(r"Still thinking|>Off<", page)


def test_a_step_with_a_code_asks_the_shop_for_one_of_its_percent(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    body = "Hello {first_name},\n\nTake {percent}% off with {code}.\n\n{restore_link}"
    assert save(staff, 1, code="y", code_percent="15", body=body).status_code == 302
    _, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(minutes=61))
    text = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"Take 15% off with (BACK-\w+)\.", text)
    assert found is not None
    with app.app_context():
        coupon = db.session.scalars(select(Coupon).where(Coupon.code == found.group(1))).one()
        assert coupon.percent_off == 15


def test_a_step_without_a_code_leaves_the_codes_paragraph_out(app: Flask, smtp: Inbox) -> None:
    """The demo's third email has a code; the first has none and says nothing of one."""
    _, t0 = abandoned_guest(app)
    for hours in (1.1, 25, 73):
        sweep(app, now=t0 + timedelta(hours=hours))
    first, _, third = (m.get_body(preferencelist=("plain",)).get_content() for m in smtp.messages)
    assert "code" not in first
    assert re.search(r"Use the code BACK-\w+ to save 10%", third)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"body": "Hello {name}"}, "body", "Unknown placeholder {name}"),
        ({"subject": "{code} inside"}, "subject", "{code} needs the step&#39;s discount code"),
        ({"delay_hours": "100"}, "delay_hours", "Must be earlier than step 3 (72 hours)"),
        ({"delay_hours": "0.5"}, "delay_hours", "Must be later than step 1 (1 hours)"),
        ({"delay_hours": "soon"}, "delay_hours", "Not a valid float value"),
        ({"delay_hours": "99999"}, "delay_hours", "Between 0 and 2160 hours"),
        ({"code": "y", "code_percent": "250"}, "code_percent", "A percent from 1 to 100"),
        ({"subject": "   "}, "subject", "This field is required"),
        ({"body": "x\x00y"}, "body", "not allowed"),
        ({"subject": "s" * 201}, "subject", "at most 200 characters"),
        ({"subject": "Hi\r\nBcc: evil@example.com"}, "subject", "not allowed"),
    ],
)
def test_a_wrong_step_is_refused_naming_its_field_and_nothing_is_kept(
    app: Flask, staff: Shopper, changes: dict[str, str], field: str, message: str
) -> None:
    response = save(staff, 2, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(
        rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', page
    )
    assert message in page
    assert kept_steps(app) == []


def test_the_preview_shows_the_saved_step_or_the_draft_on_a_sample_cart(staff: Shopper) -> None:
    editor = staff.get(EDIT.format(1)).get_data(as_text=True)
    assert 'formtarget="preview"' in editor and 'name="preview"' in editor
    shown = staff.get(EDIT.format(1) + "/preview")
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "'unsafe-inline'" in shown.headers["Content-Security-Policy"]
    assert "script-src" not in shown.headers["Content-Security-Policy"]  # default-src 'none'
    assert "You left something in your cart" in page
    assert "Hello Alex," in page and "Sample product" in page  # text part, and in srcdoc
    assert "<iframe sandbox" in page
    form = step_form(staff, 1)
    drafted = staff.client.post(
        EDIT.format(1) + "/preview", data={**form, "subject": "A draft, {first_name}"}
    ).get_data(as_text=True)
    assert "A draft, Alex" in drafted
    wrong = staff.client.post(EDIT.format(1) + "/preview", data={**form, "body": "{oops}"})
    assert "Unknown placeholder {oops}" in wrong.get_data(as_text=True)
    assert "A draft" not in staff.get(EDIT.format(1) + "/preview").get_data(as_text=True)


def test_send_me_a_test_mails_the_draft_to_the_staff_user(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    form = step_form(staff, 1)
    response = staff.client.post(
        EDIT.format(1), data={**form, "subject": "Trying {first_name}", "action": "test"}
    )
    assert response.status_code == 302
    [message] = smtp.messages
    assert message["To"] == "staff@example.com"
    assert message["Subject"] == "[Test] Trying Alex"
    assert "Sample product" in message.get_body(preferencelist=("plain",)).get_content()
    assert kept_steps(app) == []  # a test keeps nothing
    assert "test of email 1 to staff@example.com: sent" in staff.get(EDIT.format(1)).get_data(
        as_text=True
    )


def test_a_step_can_be_added_turned_off_until_written(app: Flask, staff: Shopper) -> None:
    page = staff.get("/backoffice/recovery-emails").get_data(as_text=True)
    added = staff.client.post(
        "/backoffice/recovery-emails/add", data={"csrf_token": csrf_token(page)}
    )
    assert added.status_code == 302 and added.location.endswith(EDIT.format(4))
    assert kept_steps(app)[-1] == (4, 96.0, False)
    assert save(staff, 4, active="y").status_code == 302
    assert kept_steps(app)[-1] == (4, 96.0, True)


def owner_form(staff: Shopper) -> dict[str, str]:
    page = staff.get("/backoffice/settings").get_data(as_text=True)
    notice = re.search(r'<textarea[^>]*name="consent_notice"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert notice is not None
    return {
        "csrf_token": csrf_token(page),
        "abandoned_after_minutes": re.search(
            r'name="abandoned_after_minutes"[^>]*value="(\d+)"', page
        ).group(1),  # type: ignore[union-attr]
        "cart_lost_after_days": re.search(
            r'name="cart_lost_after_days"[^>]*value="(\d+)"', page
        ).group(1),  # type: ignore[union-attr]
        "consent_notice": notice.group(1),
    }


def test_the_settings_start_from_the_config_and_the_sweep_follows_a_save(
    app: Flask, staff: Shopper
) -> None:
    form = owner_form(staff)
    assert (form["abandoned_after_minutes"], form["cart_lost_after_days"]) == ("60", "30")
    guest = Shopper(app)
    guest.add_to_cart("TEA-001")
    capture_email(guest, "ida@example.com")
    age_carts(app, 10)
    assert sweep(app).abandoned == 0  # idle 10 minutes, the config says 60
    saved = staff.client.post("/backoffice/settings", data={**form, "abandoned_after_minutes": "5"})
    assert saved.status_code == 302
    assert sweep(app).abandoned == 1
    assert "Changed by" in staff.get("/backoffice/settings").get_data(as_text=True)


def test_days_until_lost_come_from_the_settings(app: Flask, staff: Shopper) -> None:
    _, t0 = abandoned_guest(app)
    form = owner_form(staff)
    staff.client.post("/backoffice/settings", data={**form, "cart_lost_after_days": "2"})
    assert sweep(app, now=t0 + timedelta(days=3)).lost == 1


def test_the_consent_notice_at_checkout_is_the_owners(app: Flask, staff: Shopper) -> None:
    guest = Shopper(app)
    guest.add_to_cart("TEA-001")
    assert "We save your email as you type it" in guest.get("/checkout").get_data(as_text=True)
    form = owner_form(staff)
    notice = "We keep your email <b>for reminders</b> only."
    staff.client.post("/backoffice/settings", data={**form, "consent_notice": notice})
    page = guest.get("/checkout").get_data(as_text=True)
    assert "We keep your email &lt;b&gt;for reminders&lt;/b&gt; only." in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("abandoned_after_minutes", "-1", "Between 0 and 10080"),
        ("abandoned_after_minutes", "soon", "Not a valid integer value"),
        ("cart_lost_after_days", "0", "Between 1 and 365"),
        ("cart_lost_after_days", "99999999999999999999", "Between 1 and 365"),
        ("consent_notice", "  ", "This field is required"),
        ("consent_notice", "x" * 1001, "at most 1000 characters"),
    ],
)
def test_a_wrong_setting_is_refused_naming_its_field_and_nothing_is_kept(
    app: Flask, staff: Shopper, field: str, value: str, message: str
) -> None:
    form = owner_form(staff)
    response = staff.client.post(
        "/backoffice/settings", data={**form, "cart_lost_after_days": "9", field: value}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert re.search(
        rf'aria-invalid="true"[^>]*id="{field}"|id="{field}"[^>]*aria-invalid="true"', page
    )
    assert count(app, OwnerSetting) == 0


def test_a_series_that_stopped_stays_stopped_under_a_new_schedule(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    """Only carts whose series is under way move: an unsubscribed shopper's does not."""
    guest, t0 = abandoned_guest(app)
    sweep(app, now=t0 + timedelta(minutes=61))
    assert guest.client.post(path(links(smtp.messages[0])["unsubscribe"])).status_code == 200
    assert save(staff, 2, delay_hours="30").status_code == 302
    with app.app_context():
        cart = db.session.scalars(select(TrackedCart)).one()
        assert (cart.emails_sent, cart.next_email_at) == (1, None)
    assert sweep(app, now=t0 + timedelta(hours=31)).emails == 0


def test_the_owners_text_and_the_shoppers_values_are_escaped_in_the_html_part(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    body = "<script>alert(1)</script> {first_name}\n\n{restore_link}"
    assert save(staff, 1, body=body).status_code == 302
    _, t0 = abandoned_guest(app)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        update_lead(db.session, lead, {"lead_name": '<img src=x onerror="x()"> Eve'})
        db.session.commit()
    sweep(app, now=t0 + timedelta(minutes=61))
    html = smtp.messages[0].get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img" in html
