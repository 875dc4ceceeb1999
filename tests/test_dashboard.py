"""The dashboard: funnel, leads by source over time, conversion by source, as SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask import Flask

from leadcapture import LeadSource, capture_lead
from storefront.extensions import db

from .helpers import Shopper, age_carts, capture_email, sweep


def setup_shop(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    guest = Shopper(app)
    guest.add_to_cart("MUG-001")
    capture_email(guest, "gus@example.com")
    age_carts(app, 120)
    sweep(app)
    with app.app_context():
        for i in range(3):
            capture_lead(db.session, source=LeadSource.REFERENCE, lead_name=f"R{i}")
        db.session.commit()


def test_the_dashboard_draws_its_charts_as_svg(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    setup_shop(app, shopper)
    page = staff.get("/backoffice/dashboard").get_data(as_text=True)
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    scripts = re.findall(r"<script[^>]*>", page)
    # Drawn on the server: the page's one script is the back office's own, for forms.
    assert len(charts) == 3 and scripts == [
        '<script src="/leadcapture/static/backoffice.js" defer>'
    ]
    for chart in charts:
        ET.fromstring(chart)  # well-formed SVG
    funnel = ET.fromstring(charts[0])
    values = [
        t.text for t in funnel.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "value"
    ]
    assert values == ["1", "5", "1", "0", "1"]
    assert "Reference" in charts[1] and "Website" in charts[1]
    assert "100.0 % (1/1)" in charts[2] and "0.0 % (0/3)" in charts[2]


def test_the_funnel_api(app: Flask, staff: Shopper, shopper: Shopper) -> None:
    setup_shop(app, shopper)
    body = staff.get("/backoffice/api/funnel").get_json()
    assert [(s["stage"], s["count"]) for s in body["funnel"]] == [
        ("Sign-ups", 1),
        ("Leads", 5),
        ("Carts abandoned", 1),
        ("Recovered", 0),
        ("Converted", 1),
    ]
    assert sum(body["leads_by_source"]["series"]["Reference"]) == 3
    assert len(body["leads_by_source"]["weeks"]) == 8
    rates = {row["source"]: row["rate"] for row in body["conversion_by_source"]}
    assert rates["Website"] == 100.0 and rates["Reference"] == 0.0


def test_the_cart_page_counts_carts_and_names_states_and_currencies(
    app: Flask, staff: Shopper
) -> None:
    from .test_accessibility import seed

    seed(app)  # one guest cart abandoned (14.00 EUR), one ordered (17.00 EUR)
    page = staff.get("/backoffice/carts").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Abandoned now 1 cart 14.00 EUR" in text
    assert "Ordered 1 cart 17.00 EUR" in text and "Lost 0 carts" in text
    assert ">Ordered</span>" in page and "checked_out</" not in page  # words, not codes
