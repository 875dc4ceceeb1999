"""CSV export: the CLI and the back-office download, filtered like the list, streamed,
and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from leadcapture import LeadStatus, capture_lead, exporting
from leadcapture.models import Customer, Lead
from storefront.extensions import db

from .helpers import Shopper

PAYLOADS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]
STORED = PAYLOADS[:4]  # a name is trimmed when it is stored: no leading tab or CR


@pytest.fixture
def leads(app: Flask) -> None:
    with app.app_context():
        for i, payload in enumerate(STORED):
            capture_lead(
                db.session, source="Reference", lead_name=payload, email=f"f{i}@example.com"
            )
        capture_lead(
            db.session,
            source="Campaign",
            status=LeadStatus.OPEN,
            lead_name="Olive Open",
            email="olive@example.com",
            company_name="Olive & Sons",
        )
        db.session.commit()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def expected_cell(value: object) -> str:
    """What a spreadsheet should see of a value: the rule the export writes in SQL."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def test_every_cell_is_written_by_the_rule(app: Flask, runner: FlaskCliRunner) -> None:
    """Each payload in each kind of column, stored as it is (past the trimming of forms),
    with a customer, a follow-up date, a time on the second and an empty field."""
    with app.app_context():
        for i, payload in enumerate([*PAYLOADS, "Ann", "'quoted", "a=b"]):
            lead = Lead(
                lead_name=payload,
                company_name=payload if i % 2 else None,
                email=f"p{i}@example.com",
                phone=payload,
                source="Reference",
                industry="-" if i == 0 else None,
                is_organization=bool(i % 2),
                next_contact_date=date(2030, 1, i + 1),
                created_at=datetime(2026, 1, 2, 3, 4, 5, 0 if i == 0 else 123456, tzinfo=UTC),
            )
            db.session.add(lead)
            db.session.flush()
            lead.name = f"LEAD-{lead.id:05d}"
            if i == 1:
                db.session.add(
                    Customer(
                        name=payload, customer_name="C", customer_type="Company", lead_id=lead.id
                    )
                )
        db.session.commit()
        expected = [
            {
                **{name: expected_cell(getattr(lead, name)) for name in exporting.COLUMNS},
                "customer": expected_cell(lead.customer.name if lead.customer else None),
            }
            for lead in db.session.scalars(select(Lead).order_by(Lead.id))
        ]
    exported = rows(runner.invoke(args=["leads", "export"]).output)
    assert exported == expected
    assert exported[0]["lead_name"] == "'=1+1" and exported[4]["lead_name"] == "'\tTab"
    assert exported[0]["created_at"] == "2026-01-02T03:04:05.000000+00:00"
    assert exported[1]["customer"] == "'+cmd|' /C calc'!A0"


def test_the_cli_exports_every_lead_or_the_filtered_ones(
    app: Flask, runner: FlaskCliRunner, leads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "BATCH", 2)  # several keyset batches
    everything = rows(runner.invoke(args=["leads", "export"]).output)
    assert len(everything) == 5
    assert [row["lead_name"] for row in everything[:4]] == ["'" + p for p in STORED]
    opened = rows(runner.invoke(args=["leads", "export", "--status", "Open"]).output)
    assert [(r["email"], r["company_name"], r["source"]) for r in opened] == [
        ("olive@example.com", "Olive & Sons", "Campaign")
    ]
    searched = rows(runner.invoke(args=["leads", "export", "--q", "SONS"]).output)
    assert [r["email"] for r in searched] == ["olive@example.com"]
    bad = runner.invoke(args=["leads", "export", "--status", "Hot"])
    assert bad.exit_code != 0 and "status" in bad.output


def test_the_back_office_download_streams_the_list_as_filtered(
    app: Flask, staff: Shopper, leads: None
) -> None:
    page = staff.get("/backoffice/?source=Campaign").get_data(as_text=True)
    assert 'href="/backoffice/leads.csv?' in page and "source=Campaign" in page
    response = staff.get("/backoffice/leads.csv?source=Campaign&sort=lead_name&limit=50")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert [r["email"] for r in rows(response.get_data(as_text=True))] == ["olive@example.com"]


@pytest.mark.parametrize(
    "query, field",
    [("status=Hot", "status"), ("created_after=yesterday", "created_after"), ("evil=1", "evil")],
)
def test_bad_filters_get_a_json_error_naming_them(staff: Shopper, query: str, field: str) -> None:
    response = staff.get(f"/backoffice/leads.csv?{query}")
    assert response.status_code == 400 and field in response.get_json()["errors"]
