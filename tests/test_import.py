"""Spreadsheet import: CSV and XLSX, by the CLI and the back office; ERPNext's column
names; duplicates merged; bad rows reported by line while good rows land; hostile files
refused whole, with a reason."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from openpyxl import Workbook
from sqlalchemy import event, select

from leadcapture import LeadStatus, capture_lead, signals
from leadcapture.leads import lead_name_for
from leadcapture.models import HistoryEntry, Lead
from storefront.extensions import db

from .helpers import Shopper, count, csrf_token, heard, make_staff

ERPNEXT_CSV = (
    "email_id,lead_name,company_name,status,source,mobile_no,type,Favourite colour\n"
    "Ann@Example.com,Ann Ray,,Open,Campaign,+44 20 7946 0000,Client,blue\n"
    "not-an-email,Bob,,,,,,\n"
    "ann@example.COM,,Ray & Co,,,,,\n"  # the same email: merged into line 2's lead
    "cy@example.com,,Acme Ltd,,,,,\n"  # a company without a person: an organization
    "dee@example.com,Dee,,Hot,,,,\n"  # a status that is not one of ours
    "kim@example.com,Kim Old,,,,,,\n"  # already known, in another case
)


def leads_by_email(app: Flask) -> dict[str, Lead]:
    with app.app_context():
        found = {lead.email: lead for lead in db.session.scalars(select(Lead))}
        for lead in found.values():
            db.session.expunge(lead)
        return found


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_the_cli_imports_erpnext_columns_merges_and_reports_bad_rows(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        capture_lead(db.session, source="Reference", lead_name="Kim", email="KIM@example.com")
        db.session.commit()
    path = write(tmp_path, "erpnext.csv", ERPNEXT_CSV)
    with heard(signals.leads_imported) as imported:
        result = runner.invoke(args=["leads", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output  # the progress bar
    assert "6 rows: 2 new leads, 2 merged into known leads, 2 skipped" in result.output
    assert "line 3: email: Not a valid email address" in result.output
    assert "line 6: status: " in result.output
    assert "Columns ignored: Favourite colour" in result.output

    leads = leads_by_email(app)
    assert set(leads) == {"ann@example.com", "cy@example.com", "kim@example.com"}
    ann = leads["ann@example.com"]
    assert (ann.lead_name, ann.company_name, ann.status, ann.source, ann.lead_type) == (
        "Ann Ray",
        "Ray & Co",
        LeadStatus.OPEN,
        "Campaign",
        "Client",
    )
    assert ann.phone == "+44 20 7946 0000" and ann.name and ann.name.startswith("LEAD-")
    cy = leads["cy@example.com"]
    assert cy.is_organization and cy.status == LeadStatus.LEAD and cy.source == "Import"
    assert leads["kim@example.com"].lead_name == "Kim Old"  # merged, not doubled
    assert len(imported) == 1 and len(imported[0]["created_ids"]) == 2
    with app.app_context():
        subjects = set(db.session.scalars(select(HistoryEntry.subject)))
    assert "Lead imported from erpnext.csv, line 2; status Open" in subjects
    assert "Updated from erpnext.csv, line 7" in subjects

    again = runner.invoke(args=["leads", "import", str(path)])  # the same file twice
    assert "0 new leads, 4 merged" in again.output
    assert count(app, Lead) == 3


def test_imported_leads_follow_the_assignment_rules(
    app: Flask, staff: Shopper, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    first, second = make_staff(app, "Ann", "Bob")
    staff.submit(
        "/backoffice/assignment",
        {"name": "Imports", "source": "Import", "users": f"{first},{second}"},
    )
    rows = "".join(f"p{i}@example.com,Person {i}\n" for i in range(3))
    runner.invoke(
        args=["leads", "import", str(write(tmp_path, "a.csv", "email,lead_name\n" + rows))]
    )
    with app.app_context():
        assigned = list(db.session.scalars(select(Lead.assigned_to).order_by(Lead.id)))
    assert assigned == [first, second, first]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(staff: Shopper, name: str, content: bytes) -> Any:
    token = csrf_token(staff.get("/backoffice/import").get_data(as_text=True))
    return staff.client.post(
        "/backoffice/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_the_back_office_imports_an_xlsx_workbook(app: Flask, staff: Shopper) -> None:
    workbook = xlsx(
        [
            ["Email", "First Name", "Last Name", "Phone", "Organization Lead", "Company Name"],
            ["lu@example.com", "Lu", "Ng", 4420794600, None, None],
            ["corp@example.com", None, None, None, 1, "Corp Inc"],
            ["LU@example.com", None, None, None, None, "Ng Trading"],
            ["x", "Bad", None, None, None, None],
        ]
    )
    response = upload(staff, "leads.xlsx", workbook)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "<strong>2</strong> new leads" in page and "<strong>1</strong> merged" in page
    assert re.search(r"<td[^>]*>5</td><td[^>]*>email</td>", page)
    leads = leads_by_email(app)
    assert leads["lu@example.com"].lead_name == "Lu Ng"
    assert leads["lu@example.com"].company_name == "Ng Trading"
    assert leads["lu@example.com"].phone == "4420794600"
    assert leads["corp@example.com"].is_organization
    assert leads["lu@example.com"].owner == "1"  # the staff user who imported


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("latin1.csv", "email,lead_name\nzoe@example.com,Zoë\n".encode("latin-1"), "not UTF-8"),
        ("noemail.csv", b"name,phone\nAnn,123\n", "email"),
        ("twice.csv", b"email,email_id\na@example.com,b@example.com\n", "both give email"),
        ("empty.csv", b"", "empty"),
        ("junk.csv", os.urandom(10 * 1024 * 1024), ""),
        ("fake.xlsx", b"PK\x03\x04 not really a workbook", "XLSX"),
        ("text.xlsx", b"email\na@example.com\n", "XLSX"),
        ("huge-cell.csv", b"email,lead_name\na@example.com," + b"x" * 200_000 + b"\n", "CSV"),
    ],
)
def test_unreadable_files_are_refused_whole(
    app: Flask, staff: Shopper, name: str, content: bytes, reason: str
) -> None:
    with app.app_context():
        capture_lead(db.session, source="Reference", lead_name="Kept", email="kept@example.com")
        db.session.commit()
    # Good rows first, so a refusal half-way through would show as written rows.
    if name in ("latin1.csv", "huge-cell.csv"):
        head, _, rest = content.partition(b"\n")
        good = b"".join(b"g%d@example.com,Good\n" % i for i in range(1500))
        content = head + b"\n" + good + rest
    response = upload(staff, name, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-field="file"' in page and reason in page
    assert count(app, Lead) == 1


def test_an_upload_over_the_limit_is_refused(app: Flask, staff: Shopper) -> None:
    app.config["LEADCAPTURE_IMPORT_MAX_BYTES"] = 1024
    response = upload(staff, "big.csv", b"email\n" + b"a@example.com\n" * 200)
    assert response.status_code == 400 and "larger than" in response.get_data(as_text=True)
    assert count(app, Lead) == 0


def test_oversized_and_formula_fields_are_row_errors_or_kept_as_text(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    content = (
        "email,lead_name,notes\n"
        f"long@example.com,{'x' * 500},\n"
        'f@example.com,"=HYPERLINK(""http://evil.example"",""x"")",@SUM(1)\n'
        "ctl@example.com,Bad\x07Name,\n"
        "nul@example.com,A\x00nn,\n"
    )
    result = runner.invoke(args=["leads", "import", str(write(tmp_path, "f.csv", content))])
    assert "line 2: lead_name: Must be at most 140 characters." in result.output
    assert "line 4: lead_name: Contains characters that are not allowed." in result.output
    assert "line 5: lead_name: Contains characters that are not allowed." in result.output
    lead = leads_by_email(app)["f@example.com"]
    assert lead.lead_name == '=HYPERLINK("http://evil.example","x")'  # stored as typed
    exported = runner.invoke(args=["leads", "export"]).output
    assert "'=HYPERLINK" in exported and ",'@SUM(1)" not in exported  # notes are not exported


def test_an_import_is_a_few_statements_per_thousand_rows(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Set-based: the statements grow with the chunks (1,000 rows each), not the rows."""

    def statements(rows: int, tag: str) -> int:
        body = "".join(f"{tag}{i}@example.com,P {i}\n" for i in range(rows))
        path = write(tmp_path, f"{tag}.csv", "email,lead_name\n" + body)
        seen: list[str] = []
        with app.app_context():
            listener = lambda *args, **kw: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert runner.invoke(args=["leads", "import", str(path)]).exit_code == 0
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    one_chunk = statements(1000, "a")
    three_chunks = statements(3000, "b")
    assert three_chunks <= 3 * one_chunk
    assert three_chunks < 60
    assert count(app, Lead) == 4000


def test_each_new_lead_is_written_once_whole_and_its_history_set_based(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """One INSERT of leads per chunk, named in it (no second pass), and one of their
    history entries: nothing row by row."""
    body = "".join(f"n{i}@example.com,Person {i},+1 555 {i:04d}\n" for i in range(1500))
    path = write(tmp_path, "many.csv", "email,lead_name,phone\n" + body)
    seen: list[str] = []
    with app.app_context():
        listener = lambda *args, **kw: seen.append(" ".join(args[2].split()))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert runner.invoke(args=["leads", "import", str(path)]).exit_code == 0
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    writes = [s.split(" (")[0] for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes.count("INSERT INTO lc_leads") == 2
    assert writes.count("INSERT INTO lc_history") == 2
    assert not [w for w in writes if w.startswith("UPDATE lc_leads")]

    with app.app_context():
        leads = {lead.email: lead for lead in db.session.scalars(select(Lead))}
        entries = db.session.execute(select(HistoryEntry).order_by(HistoryEntry.id)).scalars()
        history = {entry.lead_id: entry for entry in entries}
        assert len(leads) == len(history) == 1500
        for i in (0, 999, 1000, 1499):
            lead = leads[f"n{i}@example.com"]
            assert lead.name == lead_name_for(lead.id)
            assert (lead.lead_name, lead.phone, lead.status) == (
                f"Person {i}",
                f"+1 555 {i:04d}",
                "Lead",
            )
            assert lead.is_organization is False and lead.source == "Import"
            entry = history[lead.id]
            assert entry.data == {"file": "many.csv", "line": i + 2, "status": "Lead"}
            assert entry.subject == f"Lead imported from many.csv, line {i + 2}; status Lead"
            assert (entry.kind, entry.event) == ("system", "created")
            assert entry.created_at == lead.created_at


def test_an_upload_without_a_file_names_the_field(app: Flask, staff: Shopper) -> None:
    response = staff.submit("/backoffice/import", {})
    assert response.status_code == 400 and 'data-field="file"' in response.get_data(as_text=True)
    empty_name = upload(staff, "", b"email\na@example.com\n")
    assert empty_name.status_code == 400 and count(app, Lead) == 0
