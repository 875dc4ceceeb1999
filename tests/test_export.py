"""CSV export: the CLI and the back-office download, filtered like the list, streamed,
and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from leadcapture import LeadStatus, capture_lead, exporting
from leadcapture.exporting import safe_cell
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


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_are_neutralized(payload: str) -> None:
    assert safe_cell(payload) == "'" + payload
    assert safe_cell("Ann") == "Ann" and safe_cell(None) == "" and safe_cell(True) == "yes"


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
