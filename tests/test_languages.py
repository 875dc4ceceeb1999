"""Shoppers' languages: the plug-in's pages and emails in English and Portuguese (its
catalogs, compiled into the package), a lead's language taken from the shop, and every
email rendered in both."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from leadcapture.models import Lead, TrackedCart
from leadcapture.recovery import compose
from leadcapture.recovery_steps import configured_steps
from storefront.extensions import db

from .conftest import Inbox
from .helpers import Shopper, age_carts, capture_email, sweep

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "leadcapture" / "translations"
PO = TRANSLATIONS / "pt" / "LC_MESSAGES" / "leadcapture.po"
MO = TRANSLATIONS / "pt" / "LC_MESSAGES" / "leadcapture.mo"


Text = str | tuple[str, ...]


def _text(value: str | tuple[str, ...] | list[str]) -> Text:
    """A message's id or string; a plural one's forms as a tuple (``read_mo`` gives lists)."""
    return value if isinstance(value, str) else tuple(value)


def catalog() -> dict[Text, Text]:
    with PO.open("rb") as f:
        return {_text(m.id): _text(m.string) for m in read_po(f) if m.id}


def test_the_catalog_holds_every_text_translated_and_compiled(tmp_path: Path) -> None:
    """What the code and templates mark is in the catalog, each translated, and the
    compiled .mo in the package says the same (``pybabel`` as docs/languages.md says)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "lc_gettext",
            "-k",
            "lc_ngettext:1,2",
            "-k",
            "_l",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as f:
        marked = {m.id for m in read_po(f) if m.id}
    translated = catalog()
    assert marked == set(translated), "run the extract/update steps in docs/languages.md"
    forms = [
        f
        for string in translated.values()
        for f in (string if isinstance(string, tuple) else [string])
    ]
    assert all(forms), "every text has its Portuguese, each plural form too"
    with MO.open("rb") as f:
        compiled = {_text(m.id): _text(m.string) for m in read_mo(f) if m.id}
    assert compiled == translated, "compile the catalog again (docs/languages.md)"


@pytest.mark.parametrize("language", ["en", "pt"])
def test_every_recovery_email_renders_in_both_languages(app: Flask, language: str) -> None:
    app.config["LEADCAPTURE_RECOVERY_DISCOUNT_PERCENT"] = 10  # the last step has a code
    words = catalog()
    cart = TrackedCart(
        id=1,
        cart_key="guest-1",
        lines=[{"sku": "TEA-001", "name": "Sencha", "quantity": 2, "unit_price": "9.50"}],
        total=Decimal("19.00"),
        currency="EUR",
    )
    lead = Lead(id=1, lead_name="Ana Silva", email="ana@example.com")
    shop = app.config["LEADCAPTURE_SHOP_NAME"]
    with app.test_request_context():
        steps = configured_steps(app.config)
        assert len(steps) == 3 and steps[-1].code
        for step in steps:
            made = compose(
                step,
                cart,
                lead,
                restore="https://shop.example/r",
                unsubscribe="https://shop.example/u",
                code="BACK-1" if step.code else None,
                language=language,
            )
            text = made.text_body + made.html_body
            english = [step.subject, "Return to your cart", "Don't want these emails?"]
            if language == "pt":
                assert made.subject == words[step.subject].format(shop_name=shop)
                assert 'lang="pt"' in made.html_body and "Olá Ana," in made.text_body
                for phrase in english:
                    assert phrase.format(shop_name=shop) not in text
                    assert words[phrase].format(shop_name=shop) in text + made.subject
                if step.code:
                    assert "Use o código BACK-1 para poupar 10%" in made.text_body
            else:
                assert 'lang="en"' in made.html_body and "Hello Ana," in made.text_body
                assert "Olá" not in text and "Voltar ao seu carrinho" not in text


def test_a_leads_language_comes_from_the_shop_and_its_emails_go_out_in_it(
    app: Flask, smtp: Inbox
) -> None:
    guest = Shopper(app)
    guest.get("/language/pt?next=/")  # the shopper picks Português in the footer
    guest.add_to_cart("TEA-001", 2)
    assert capture_email(guest, "ana@example.com").status_code == 204
    age_carts(app, 120)
    now = datetime.now(UTC)
    sweep(app, now=now)
    sweep(app, now=now + timedelta(hours=1, minutes=1))
    [first] = smtp.messages
    assert first["Subject"] == "Deixou algo no seu carrinho"
    assert "Voltar ao seu carrinho" in first.get_body(preferencelist=("plain",)).get_content()
    with app.app_context():
        assert db.session.scalars(select(TrackedCart.language)).one() == "pt"


def test_a_sign_up_sets_the_language_and_later_input_never_replaces_it(app: Flask) -> None:
    shopper = Shopper(app)
    shopper.get("/language/pt?next=/")
    shopper.register(email="ana@example.com")
    shopper.get("/language/en?next=/")
    shopper.add_to_cart("TEA-001")
    assert shopper.checkout(email=None).status_code == 302  # an order, in English now
    with app.app_context():
        assert db.session.scalar(select(Lead.language)) == "pt"


def test_the_plug_ins_pages_speak_the_shoppers_language(app: Flask) -> None:
    browser = Shopper(app)
    assert "Contact us" in browser.get("/leadcapture/form").get_data(as_text=True)
    page = browser.get("/leadcapture/form", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    assert "Contacte-nos" in page.get_data(as_text=True)
    browser.get("/language/pt?next=/")  # the shop's choice wins over the browser's
    page = browser.get("/leadcapture/form", headers={"Accept-Language": "en"})
    assert 'lang="pt"' in page.get_data(as_text=True) and "Enviar" in page.get_data(True)
    invalid = browser.get("/leadcapture/unsubscribe/not-a-token").get_data(as_text=True)
    assert "Esta ligação não é válida" in invalid


def test_the_language_switch_goes_back_on_this_site_only(app: Flask) -> None:
    browser = Shopper(app)
    assert browser.get("/language/pt?next=/cart").headers["Location"] == "/cart"
    assert browser.get("/language/pt?next=//evil.example/").headers["Location"] == "/"
    assert browser.get("/language/xx?next=/").status_code == 302  # unknown: nothing kept
    page = browser.get("/").get_data(as_text=True)
    assert '<html lang="pt">' in page


def test_text_the_owner_wrote_stays_as_written(app: Flask, staff: Shopper) -> None:
    step = configured_steps(app.config)[0]
    from dataclasses import replace

    own = replace(step, subject="Olá! A tua encomenda espera", body="Volta já.\n\n{restore_link}")
    cart = TrackedCart(id=1, cart_key="g", lines=[], total=Decimal(0), currency="EUR")
    with app.test_request_context():
        made = compose(
            own,
            cart,
            None,
            restore="https://s/r",
            unsubscribe="https://s/u",
            code=None,
            language="en",
        )
    assert made.subject == "Olá! A tua encomenda espera" and "Volta já." in made.text_body


def test_a_forms_own_messages_speak_the_language_too(app: Flask) -> None:
    """WTForms' built-in messages come from its Portuguese catalog (read once per
    process, not in every request as Flask-WTF reads it)."""
    from leadcapture.validators import wtforms_messages

    shopper = Shopper(app)
    shopper.get("/language/pt?next=/")
    shopper.register(email="ana@example.com")
    read = wtforms_messages.cache_info().misses
    answer = shopper.submit("/account/addresses/new", {"address_type": "Billing"})
    shopper.submit("/account/addresses/new", {"address_type": "Billing"})
    assert wtforms_messages.cache_info().misses <= read + 1  # read once, then kept
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Campo obrigatório." in page
    assert "Morada, linha 1" in page and "This field is required." not in page


def test_every_history_line_the_plug_in_writes_reads_back_in_each_language(app: Flask) -> None:
    """A line kept in English shows in the reader's language with its words (a status, a
    source) translated; another line that merely starts alike is not taken for it."""
    from leadcapture import history
    from leadcapture.i18n import speaking

    pt = catalog()
    for text in history.SAID:
        values = {name: f"v{n}" for n, name in enumerate(re.findall(r"%\((\w+)\)s", text))}
        for word in history.WORD_VALUES & set(values):
            values[word] = "Open"
        kept = text % values
        with app.test_request_context(), speaking("pt"):
            shown_pt = history.shown(kept)
        with app.test_request_context(), speaking("en"):
            assert history.shown(kept) == kept
        words = {k: pt["Open"] if k in history.WORD_VALUES else v for k, v in values.items()}
        assert shown_pt == pt[text] % words, text
    with app.test_request_context(), speaking("pt"):
        assert history.shown("Quotation 7 lost: too dear") == "Orçamento 7 perdido: too dear"
        assert history.shown("A note of my own") == "A note of my own"
