"""A recovery email the owner edited has its own text in each of the shop's languages:
written on the email's page, one tab a language, and each lead gets theirs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from leadcapture.models import RecoveryStepText
from storefront.extensions import db

from .conftest import Inbox
from .helpers import Shopper, age_carts, capture_email, csrf_token, sweep
from .test_recovery_editor import EDIT, save

PT = EDIT + "?language=pt"
OWN_PT = "Ana, o seu cesto na {shop_name}"
OWN_PT_BODY = "Olá {first_name},\n\nguardámos o seu cesto:\n\n{cart_lines}\n\n{restore_link}"


def text_form(staff: Shopper, number: int, language: str = "pt") -> dict[str, str]:
    """The text form of ``number`` in ``language`` as its page fills it in."""
    page = staff.get(EDIT.format(number) + f"?language={language}").get_data(as_text=True)
    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', page)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert subject is not None and body is not None
    return {"csrf_token": csrf_token(page), "subject": subject.group(1), "body": body.group(1)}


def save_text(staff: Shopper, number: int, **values: Any) -> Any:
    form = {**text_form(staff, number), **values}
    return staff.client.post(
        PT.format(number), data={**form, "action": values.get("action", "save")}
    )


def kept_texts(app: Flask) -> dict[tuple[int, str], str]:
    with app.app_context():
        return {
            (t.step, t.language): t.subject for t in db.session.scalars(select(RecoveryStepText))
        }


def abandon(app: Flask, email: str, language: str) -> None:
    guest = Shopper(app)
    guest.get(f"/language/{language}?next=/")
    guest.add_to_cart("TEA-001", 2)
    assert capture_email(guest, email).status_code == 204


def test_each_lead_gets_the_email_in_its_language_as_the_owner_wrote_it(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    assert save(staff, 1, subject="{shop_name} kept your basket").status_code == 302
    assert save_text(staff, 1, subject=OWN_PT, body=OWN_PT_BODY).status_code == 302
    assert kept_texts(app) == {(1, "pt"): OWN_PT}
    abandon(app, "ana@example.com", "pt")
    abandon(app, "eve@example.com", "en")
    age_carts(app, 120)
    now = datetime.now(UTC)
    sweep(app, now=now)
    sweep(app, now=now + timedelta(hours=1, minutes=1))
    subjects = {m["To"]: m["Subject"] for m in smtp.messages}
    shop = app.config["LEADCAPTURE_SHOP_NAME"]
    assert subjects == {
        "ana@example.com": f"Ana, o seu cesto na {shop}",
        "eve@example.com": f"{shop} kept your basket",
    }
    portuguese = next(m for m in smtp.messages if m["To"] == "ana@example.com")
    text = portuguese.get_body(preferencelist=("plain",)).get_content()
    assert "guardámos o seu cesto" in text and "Voltar ao seu carrinho" in text


def test_without_its_own_text_a_language_gets_the_first_ones_translated_or_as_written(
    app: Flask, staff: Shopper
) -> None:
    assert text_form(staff, 1)["subject"] == "Deixou algo no seu carrinho"  # built-in, translated
    save(staff, 1, subject="Your basket, {first_name}")
    assert text_form(staff, 1)["subject"] == "Your basket, {first_name}"  # the owner's words
    page = staff.get(PT.format(1)).get_data(as_text=True)
    assert "Until you save a text of their own here" in page and "Use the English text" not in page
    save_text(staff, 1, subject=OWN_PT)
    page = staff.get(PT.format(1)).get_data(as_text=True)
    assert "Portuguese (own text)" in page and "Use the English text" in page
    listed = staff.get("/backoffice/recovery-emails").get_data(as_text=True)
    assert "Own text in Portuguese" in listed

    dropped = save_text(staff, 1, action="drop")
    assert dropped.status_code == 302 and kept_texts(app) == {}
    assert text_form(staff, 1)["subject"] == "Your basket, {first_name}"


def test_a_text_is_checked_as_the_steps_own_and_nothing_is_kept_half_way(
    app: Flask, staff: Shopper
) -> None:
    for values, field, message in [
        ({"body": "Olá {nome}"}, "body", "Unknown placeholder {nome}"),
        ({"subject": "Use {code}"}, "subject", "{code} needs the step&#39;s discount code"),
        ({"subject": "  "}, "subject", "required"),
        ({"subject": "x" * 201}, "subject", "200"),
        ({"body": "a\x00b"}, "body", ""),
    ]:
        answer = save_text(staff, 1, **values)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, values
        assert f'id="{field}-error"' in page or f'aria-describedby="{field}-' in page, values
        assert message in page, values
    assert kept_texts(app) == {}
    with app.app_context():  # nothing of the config's steps was kept either
        assert db.session.scalar(select(func.count()).select_from(RecoveryStepText)) == 0

    form = text_form(staff, 1)
    forged = staff.client.post(PT.format(1), data={**form, "csrf_token": "forged"})
    assert forged.status_code == 400 and kept_texts(app) == {}
    assert staff.get(EDIT.format(1) + "?language=xx").status_code == 404
    assert staff.get(EDIT.format(9) + "?language=pt").status_code == 404
    english = staff.get(EDIT.format(1) + "?language=en").get_data(as_text=True)
    assert 'name="delay_hours"' in english  # the first language edits the step itself

    shopper = Shopper(app)  # not staff
    assert shopper.get(PT.format(1)).status_code in (302, 403)
    assert shopper.client.post(PT.format(1), data=form).status_code in (302, 400, 403)
    assert kept_texts(app) == {}


def test_preview_and_test_send_speak_the_language_being_edited(
    app: Flask, staff: Shopper, smtp: Inbox
) -> None:
    preview = staff.get(EDIT.format(1) + "/preview?language=pt").get_data(as_text=True)
    assert "Deixou algo no seu carrinho" in preview and "Voltar ao seu carrinho" in preview
    form = text_form(staff, 1)
    drafted = staff.client.post(
        EDIT.format(1) + "/preview?language=pt", data={**form, "subject": "Rascunho, {first_name}"}
    ).get_data(as_text=True)
    assert "Rascunho, Alex" in drafted
    wrong = staff.client.post(
        EDIT.format(1) + "/preview?language=pt", data={**form, "body": "{oops}"}
    ).get_data(as_text=True)
    assert "Unknown placeholder {oops}" in wrong

    sent = staff.client.post(PT.format(1), data={**form, "subject": "Teste", "action": "test"})
    assert sent.status_code == 302 and sent.location.endswith(PT.format(1))
    [message] = smtp.messages
    assert message["Subject"] == "[Test] Teste"
    assert "Voltar ao seu carrinho" in message.get_body(preferencelist=("plain",)).get_content()
    assert kept_texts(app) == {}  # a test keeps nothing
