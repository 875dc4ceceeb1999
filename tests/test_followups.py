"""Follow-ups: the daily reminder, the "today" view and each user's calendar feed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from leadcapture import LeadSource, LeadStatus, capture_lead, set_status
from leadcapture.models import HistoryEntry, Lead
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper

TODAY = date.today()


def staff_id(app: Flask) -> str:
    with app.app_context():
        return str(db.session.scalars(select(User.id).where(User.is_staff.is_(True))).one())


def lead_due(
    app: Flask, name: str, day: date, *, by: str | None = None, status: LeadStatus = LeadStatus.LEAD
) -> int:
    with app.app_context():
        lead, _ = capture_lead(db.session, source=LeadSource.REFERENCE, lead_name=name)
        lead.next_contact_date = day
        lead.next_contact_by = by
        set_status(db.session, lead, status)
        db.session.commit()
        return lead.id


def status_of(app: Flask, lead_id: int) -> str:
    with app.app_context():
        return db.session.get(Lead, lead_id).status  # type: ignore[union-attr]


def test_remind_opens_due_leads_once(app: Flask, runner: FlaskCliRunner) -> None:
    today = lead_due(app, "Due Today", TODAY)
    overdue = lead_due(app, "Overdue", TODAY - timedelta(days=2), status=LeadStatus.REPLIED)
    later = lead_due(app, "Later", TODAY + timedelta(days=1))
    converted = lead_due(app, "Bought", TODAY, status=LeadStatus.CONVERTED)
    blocked = lead_due(app, "Blocked", TODAY, status=LeadStatus.DO_NOT_CONTACT)
    result = runner.invoke(args=["leads", "remind"])
    assert result.exit_code == 0 and "2 leads due" in result.output
    assert [status_of(app, i) for i in (today, overdue, later, converted, blocked)] == [
        "Open",
        "Open",
        "Lead",
        "Converted",
        "Do Not Contact",
    ]
    with app.app_context():
        db.session.get(Lead, today).status = LeadStatus.REPLIED  # type: ignore[union-attr]
        db.session.commit()
    assert "0 leads due" in runner.invoke(args=["leads", "remind"]).output
    assert status_of(app, today) == "Replied"  # once per date, not every day
    with app.app_context():
        entries = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.subject.like("Follow-up due%"))
        ).all()
        assert len(entries) == 2


def test_a_new_contact_date_reminds_again(app: Flask, runner: FlaskCliRunner) -> None:
    lead_id = lead_due(app, "Again", TODAY)
    runner.invoke(args=["leads", "remind"])
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.status, lead.next_contact_date = "Replied", TODAY - timedelta(days=1)  # type: ignore[union-attr]
        db.session.commit()
    assert "1 lead due" in runner.invoke(args=["leads", "remind"]).output
    assert status_of(app, lead_id) == "Open"


def test_today_shows_my_follow_ups_only(app: Flask, staff: Shopper) -> None:
    me = staff_id(app)
    lead_due(app, "Mine Overdue", TODAY - timedelta(days=1), by=me)
    lead_due(app, "Mine Today", TODAY, by=me)
    lead_due(app, "Mine Later", TODAY + timedelta(days=5), by=me)
    lead_due(app, "Someone Else's", TODAY, by="999")
    page = staff.get("/backoffice/today").get_data(as_text=True)
    assert "Mine Overdue" in page and "Mine Today" in page and "overdue since" in page
    assert "Mine Later" not in page and "Someone Else" not in page


def test_the_calendar_feed_is_valid_icalendar(app: Flask, staff: Shopper, client) -> None:  # type: ignore[no-untyped-def]
    me = staff_id(app)
    lead_due(app, "Ann, Ray; & Co", TODAY + timedelta(days=2), by=me)
    lead_due(app, "Bo " + "Long" * 30, TODAY + timedelta(days=9), by=me)
    lead_due(app, "Not mine", TODAY, by="999")
    page = staff.get("/backoffice/today").get_data(as_text=True)
    feed = re.search(r'class="feed-url">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    response = client.get("/" + feed.split("/", 3)[3])  # no session: the URL is the key
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [
        TODAY + timedelta(days=2),
        TODAY + timedelta(days=9),
    ]
    assert "Ann, Ray; & Co" in str(events[0]["SUMMARY"])
    assert str(events[1]["SUMMARY"]).endswith("Long" * 30)


@pytest.mark.parametrize("token", ["nope", "eyJ1c2VyIjoiMSJ9.forged.sig"])
def test_a_forged_calendar_token_gets_nothing(client, token: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/leadcapture/calendar/{token}.ics")
    assert response.status_code == 404


def feed_path(staff: Shopper) -> str:
    page = staff.get("/backoffice/today").get_data(as_text=True)
    feed = re.search(r'class="feed-url">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    return "/" + feed.split("/", 3)[3]


def test_a_replaced_calendar_url_is_dead_and_the_new_one_works(
    app: Flask, staff: Shopper, client
) -> None:  # type: ignore[no-untyped-def]
    old = feed_path(staff)
    assert client.get(old).status_code == 200
    staff.submit("/backoffice/today", {}, action="/backoffice/today/calendar")
    new = feed_path(staff)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_calendar_feed_of_someone_no_longer_staff_is_gone(
    app: Flask, staff: Shopper, client
) -> None:  # type: ignore[no-untyped-def]

    url = feed_path(staff)
    assert client.get(url).status_code == 200
    with app.app_context():
        user = db.session.scalars(select(User).where(User.is_staff.is_(True))).one()
        user.is_staff = False
        db.session.commit()
    assert client.get(url).status_code == 404
