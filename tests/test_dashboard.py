"""The dashboard: funnel, leads by source over time, conversion by source, as SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask import Flask

from leadcapture import LeadSource, capture_lead
from storefront.extensions import db

from .helpers import Shopper, age_carts, guest_with_cart, plan, sweep


def setup_shop(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    guest_with_cart(app, "gus@example.com", "MUG-001", 1)
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
    assert "100.0 % (1/1)" in charts[1] and "0.0 % (0/3)" in charts[1]
    assert "Reference" in charts[2] and "Website" in charts[2]


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


def cart_rows(page: str) -> list[str]:
    """The cart page's table rows, as text."""
    body = page[page.index('<table class="carts">') :]
    rows = re.findall(r"<tr>(.*?)</tr>", body[body.index("<tbody>") :], flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_the_cart_page_filters_by_state_and_pages_back_through_older_carts(
    app: Flask, staff: Shopper
) -> None:
    buyer = Shopper(app)
    buyer.register(email="ada@example.com")
    buyer.add_to_cart("TEA-001")
    buyer.checkout(email=None)
    member = Shopper(app)
    member.register(email="bea@example.com", full_name="Bea Baker")
    member.add_to_cart("MUG-001")
    guest_with_cart(app, "gus@example.com", "MUG-001", 1)
    age_carts(app, 120)
    sweep(app)

    def emails(rows: list[str]) -> list[str]:
        return [re.findall(r"\S+@example.com", row)[0] for row in rows]

    everything = cart_rows(staff.get("/backoffice/carts").get_data(as_text=True))
    assert emails(everything) == ["gus@example.com", "bea@example.com", "ada@example.com"]
    assert "Bea Baker" in everything[1]  # the lead's name, not its number
    abandoned = cart_rows(staff.get("/backoffice/carts?state=abandoned").get_data(as_text=True))
    assert emails(abandoned) == ["gus@example.com", "bea@example.com"]
    assert all("Abandoned" in row for row in abandoned)
    ordered = cart_rows(staff.get("/backoffice/carts?state=checked_out").get_data(as_text=True))
    assert emails(ordered) == ["ada@example.com"]
    assert "No carts in this state." in staff.get("/backoffice/carts?state=lost").get_data(
        as_text=True
    )

    app.config["LEADCAPTURE_PAGE_SIZE"] = 1
    seen, path = [], "/backoffice/carts?state=abandoned"
    while path:
        page = staff.get(path).get_data(as_text=True)
        seen += cart_rows(page)
        older = re.search(r'class="next-page" href="([^"]+)"', page)
        path = older.group(1).replace("&amp;", "&") if older else ""
    assert emails(seen) == ["gus@example.com", "bea@example.com"]


def test_the_cart_page_names_what_is_wrong_with_its_query(staff: Shopper) -> None:
    for query, field in [
        ("state=active", "state"),
        ("state=%3Cscript%3E", "state"),
        ("before=abc", "before"),
        ("before=%C2%B2", "before"),
        ("before=99999999999999999999999", "before"),
        ("before=-1", "before"),
    ]:
        response = staff.get(f"/backoffice/carts?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and f'data-field="{field}"' in page, query
        assert ("State: " if field == "state" else "Page: ") in page, query  # named as labelled
        assert "<script>" not in page


def full_scans(seen: list[tuple[str, object]], tables: tuple[str, ...]) -> list[str]:
    """The lines of the statements' plans that read every row of one of ``tables``."""
    postgres = db.engine.dialect.name == "postgresql"
    return [
        line
        for statement, parameters in seen
        for line in plan(db.engine, statement, parameters)
        for table in tables
        if (f"Seq Scan on {table}" in line if postgres else line == f"SCAN {table}")
    ]


def test_the_cart_pages_figures_read_indexes_not_every_cart(app: Flask) -> None:
    """The figures on top of the cart page and the recovery report leave out what they
    do not count: carts still being shopped, and emails and carts of other days."""
    from datetime import UTC, date, datetime, timedelta

    from leadcapture.recovery_report import recovery_report
    from leadcapture.reports import cart_totals

    from .helpers import statements

    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO lc_carts (cart_key, email, lines, item_count, total, currency,"
                " last_activity_at, created_at, state, capture_declined, emails_sent,"
                " abandoned_at, recovered_at, recovered_value, link_opened_at) VALUES "
                + ", ".join(
                    f"('c-{n}', 'c{n}@example.com', '[]', 1, 5, 'EUR', '2025-01-01 12:00:00.000000',"
                    " '2025-01-01 12:00:00.000000', "
                    + (
                        "'active', false, 0, NULL, NULL, NULL, NULL)"
                        if n % 100
                        else "'recovered', false, 1, '2025-01-01 12:00:00.000000',"
                        " '2025-01-02 12:00:00.000000', 5, '2025-01-02 12:00:00.000000')"
                    )
                    for n in range(3000)
                )
            )
            connection.exec_driver_sql(
                'INSERT INTO lc_emails (cart_id, step, "to", subject, text_body, html_body,'
                " status, attempts, created_at, sent_at, link_opened_at) VALUES "
                + ", ".join(
                    f"(NULL, 1, 'c{n}@example.com', 'S', 'T', 'H', 'sent', 0,"
                    " '2025-01-01 12:00:00.000000', '2025-01-01 12:00:00.000000', NULL)"
                    for n in range(3000)
                )
            )
            connection.exec_driver_sql("ANALYZE")
        today = datetime.now(UTC).date()
        with statements(db.engine) as seen:
            totals, recovered = cart_totals(db.session)
            report = recovery_report(db.session, today - timedelta(days=29), today)
        assert set(totals) == {"recovered"} and totals["recovered"].carts == 30
        assert (
            report.emails_sent == 0
            and recovery_report(db.session, date(2025, 1, 1), date(2025, 1, 2)).by_step[0].sent
            == 3000
        )
        assert full_scans(seen, ("lc_carts", "lc_emails")) == []


def test_the_dashboards_figures_read_indexes_not_every_row(app: Flask) -> None:
    """Sign-ups are counted from their own entries, not the whole history; the customers
    of a range of days by their day; conversion by source from an index of the leads."""
    from datetime import UTC, datetime, timedelta

    from leadcapture import reports

    from .helpers import statements

    old = "'2025-01-01 12:00:00.000000'"
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO lc_leads (name, lead_name, email, status, source, is_organization,"
                " created_at, updated_at) VALUES "
                + ", ".join(
                    f"('LEAD-{n}', 'P{n}', 'p{n}@example.com',"
                    f" '{'Converted' if n % 3 == 0 else 'Open'}', 'Website', false, {old}, {old})"
                    for n in range(3000)
                )
            )
            connection.exec_driver_sql(
                "INSERT INTO lc_history (lead_id, kind, event, subject, created_at)"
                f" SELECT id, 'system', 'status_changed', 'Status', {old} FROM lc_leads"
            )
            connection.exec_driver_sql(
                "INSERT INTO lc_history (lead_id, kind, event, subject, created_at)"
                f" SELECT id, 'system', 'signed_up', 'Signed up', {old} FROM lc_leads"
                " ORDER BY id LIMIT 30"
            )
            connection.exec_driver_sql(
                "INSERT INTO lc_customers (customer_name, customer_type, lead_id, created_at)"
                f" SELECT lead_name, 'Individual', id, {old} FROM lc_leads"
                " WHERE status = 'Converted'"
            )
            connection.exec_driver_sql("ANALYZE")
        now = datetime.now(UTC)
        with statements(db.engine) as seen:
            stages = dict(reports.funnel(db.session))
            conversion = reports.conversion_by_source(db.session)
            reports.attribution(db.session, now - timedelta(days=30), now, by="source")
        assert stages["Sign-ups"] == 30 and stages["Converted"] == 1000
        assert conversion == [{"source": "Website", "leads": 3000, "converted": 1000, "rate": 33.3}]
        # On SQLite the leads are read from covering indexes; PostgreSQL may count a table
        # this small from its rows.
        sqlite = db.engine.dialect.name == "sqlite"
        scanned = full_scans(seen, ("lc_history", "lc_customers", *(("lc_leads",) * sqlite)))
    assert scanned == []
