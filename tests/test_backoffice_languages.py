"""The back office in the staff's language: every page, its forms' labels and choices,
its messages, with the values kept in English where the API and CSV files show them."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture.constants import (
    AddressType,
    CustomerType,
    EmailStatus,
    Gender,
    LeadSource,
    LeadStatus,
    LeadType,
)
from leadcapture.conversion import convert_lead
from leadcapture.leads import capture_lead
from leadcapture.models import HistoryEntry, Lead
from leadcapture.recovery_steps import configured_steps
from leadcapture.words import WORDS
from storefront.extensions import db

from .helpers import Shopper, age_carts, csrf_token, guest_with_cart, sweep
from .test_languages import catalog

PAGES = [
    "/backoffice/",
    "/backoffice/leads/1",
    "/backoffice/leads/2",  # with a follow-up
    "/backoffice/customers",
    "/backoffice/customers/1",
    "/backoffice/today",
    "/backoffice/dashboard",
    "/backoffice/carts",
    "/backoffice/carts/1",
    "/backoffice/outbox",
    "/backoffice/recovery-emails",
    "/backoffice/recovery-emails/1",
    "/backoffice/recovery-emails/1?language=pt",
    "/backoffice/recovery-emails/1/preview",
    "/backoffice/import",
    "/backoffice/sources",
    "/backoffice/assignment",
    "/backoffice/privacy",
    "/backoffice/webhooks",
    "/backoffice/tokens",
    "/backoffice/settings",
]


def visible_text(page: str) -> list[str]:
    """The page's text as a person reads it: text between tags and the labels of
    attributes people hear or see (aria-label, placeholder, title, data-label)."""
    page = re.sub(r"<(script|style|pre|code|textarea)\b.*?</\1>", " ", page, flags=re.S)
    texts = re.findall(r">([^<>]+)<", page)
    texts += re.findall(r'(?:aria-label|placeholder|title|data-label)="([^"]*)"', page)
    return [" ".join(unescape(t).split()) for t in texts if t.strip()]


@pytest.fixture
def portuguese_staff(app: Flask, staff: Shopper) -> Shopper:
    """A staff user reading Portuguese, and a shop with a lead, made a customer by
    hand, and an abandoned cart."""
    guest_with_cart(app, "ana@example.com", "TEA-001", 2)
    age_carts(app, 120)
    sweep(app)
    with app.app_context():
        convert_lead(db.session, db.session.get(Lead, 1), by="1")
        rui, _ = capture_lead(db.session, source=LeadSource.REFERENCE, lead_name="Rui Sá")
        rui.next_contact_date, rui.next_contact_by = date.today(), "1"  # on Today's page
        db.session.commit()
    staff.get("/language/pt?next=/")
    return staff


def test_every_page_of_the_back_office_speaks_portuguese(
    app: Flask, portuguese_staff: Shopper
) -> None:
    """No text the catalog translates shows in English, and the pages say they are in
    Portuguese; the English words that stay are the shop's data and the values kept."""
    # The recovery emails' own text in the shop's first language, as its readers get it.
    first_language = {s.subject for s in configured_steps(app.config)}
    words = {e: pt for e, pt in catalog().items() if e != pt and e not in first_language}
    english = []
    for url in PAGES:
        answer = portuguese_staff.get(url)
        assert answer.status_code == 200, url
        page = answer.get_data(as_text=True)
        assert re.search(r'<html lang="pt"', page), url
        english += [(url, text) for text in visible_text(page) if text in words]
    assert english == [], "\n".join(map(str, english))
    listing = portuguese_staff.get("/backoffice/").get_data(as_text=True)
    for phrase in ("Carrinhos abandonados", "Emails de recuperação", "Exportar estes em CSV"):
        assert phrase in listing


def test_the_back_offices_forms_and_messages_speak_portuguese(
    portuguese_staff: Shopper,
) -> None:
    lead = portuguese_staff.get("/backoffice/leads/1").get_data(as_text=True)
    assert "Nome da pessoa" in lead and ">Não contactar</option>" in lead
    # The history the sweep wrote, kept in English, read in Portuguese.
    assert "Lead criado a partir de Carrinho abandonado" in lead
    assert "Lead created from" not in lead
    assert 'value="Do Not Contact"' in lead  # the value kept stays English
    saved = portuguese_staff.submit("/backoffice/leads/1", {"phone": "abc"})
    page = saved.get_data(as_text=True)
    assert saved.status_code == 400 and "Não é um número de telefone válido" in page
    assert "Corrija " in page
    settings = portuguese_staff.submit(
        "/backoffice/settings",
        {"abandoned_after_minutes": "999999", "cart_lost_after_days": "30", "consent_notice": "x"},
    ).get_data(as_text=True)
    assert "Entre 0 e 10080." in settings  # the domain's own rule, in Portuguese
    refused = portuguese_staff.client.post(
        "/backoffice/today/2/done",
        data={
            "lead-2-csrf_token": csrf_token(page),
            "lead-2-due": date.today().isoformat(),
            "lead-2-next_contact_date": date.today().isoformat(),
        },
    ).get_data(as_text=True)
    assert "Próximo seguimento: Tem de ser um dia depois de hoje." in refused
    done = portuguese_staff.client.post(
        "/backoffice/today/2/done",
        data={"lead-2-csrf_token": csrf_token(page), "lead-2-due": date.today().isoformat()},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Seguimento com Rui Sá feito." in done and "Nada pendente." in done
    rui = portuguese_staff.get("/backoffice/leads/2").get_data(as_text=True)
    assert f"Seguimento de {date.today()} feito" in rui  # kept in English, read in Portuguese
    swept = portuguese_staff.submit(
        "/backoffice/carts", {}, action="/backoffice/carts/sweep", follow=True
    ).get_data(as_text=True)
    assert "Verificação feita:" in swept


def test_every_fixed_value_has_its_word_in_the_catalog() -> None:
    """A status, source or type the pages show translated is marked for the catalog
    (leadcapture/words.py), so a new value cannot show untranslated."""
    values = {
        v.value
        for enum in (LeadStatus, LeadSource, LeadType, Gender, AddressType, CustomerType)
        for v in enum
    }
    values |= {s.value for s in EmailStatus}
    assert values <= set(WORDS)
    translated = catalog()
    assert all(translated.get(word) for word in WORDS)


def test_a_count_takes_its_words_form_in_each_language(app: Flask, staff: Shopper) -> None:
    """ "1 cart", "2 carts", never "cart(s)": the abandoned carts' figures and a cart's
    item count in English and in Portuguese."""

    def abandon(email: str) -> None:
        guest_with_cart(app, email, "TEA-001", 1)
        age_carts(app, 120)
        sweep(app)

    def shown(path: str) -> str:
        return " ".join(visible_text(staff.get(path).get_data(as_text=True)))

    abandon("ana@example.com")
    english = shown("/backoffice/carts")
    assert "1 cart abandoned" in english and "1 cart" in english and "(s)" not in english
    assert "1 item" in shown("/backoffice/carts/1")
    abandon("bea@example.com")
    assert "2 carts abandoned" in shown("/backoffice/carts")
    staff.get("/language/pt?next=/")
    portuguese = shown("/backoffice/carts")
    assert "2 carrinhos abandonados" in portuguese and "(s)" not in portuguese
    assert "1 artigo" in shown("/backoffice/carts/1")


def test_an_abandoned_carts_line_is_kept_in_english_and_read_in_portuguese(
    app: Flask, portuguese_staff: Shopper
) -> None:
    with app.app_context():
        lead_id = db.session.scalar(select(Lead.id).where(Lead.email == "ana@example.com"))
        kept = db.session.scalars(select(HistoryEntry.subject)).all()
    assert "Cart abandoned: 2 items, 17.00 EUR" in kept
    page = " ".join(
        visible_text(portuguese_staff.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True))
    )
    assert "Carrinho abandonado: 2 artigos, 17.00 EUR" in page and "Cart abandoned" not in page
