"""Follow-ups: the daily reminder, the "today" view and each user's calendar feed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from leadcapture import LeadSource, LeadStatus, capture_lead, set_status
from leadcapture.communications import add_note, log_communication
from leadcapture.models import HistoryEntry, Lead
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper, csrf_token

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


def assign(app: Flask, lead_id: int, user_id: str) -> None:
    with app.app_context():
        db.session.get(Lead, lead_id).assigned_to = user_id  # type: ignore[union-attr]
        db.session.commit()


def test_today_shows_my_follow_ups_only(app: Flask, staff: Shopper) -> None:
    """Mine: those naming me, and those of my leads that name nobody."""
    me = staff_id(app)
    lead_due(app, "Mine Overdue", TODAY - timedelta(days=1), by=me)
    lead_due(app, "Mine Today", TODAY, by=me)
    lead_due(app, "Mine Later", TODAY + timedelta(days=5), by=me)
    lead_due(app, "Mine Next Month", TODAY + timedelta(days=30), by=me)
    lead_due(app, "Someone Else's", TODAY, by="999")
    assign(app, lead_due(app, "Assigned Unnamed", TODAY), me)
    assign(app, lead_due(app, "Assigned Named Other", TODAY, by="999"), me)
    assign(app, lead_due(app, "Other's Unnamed", TODAY), "999")
    page = staff.get("/backoffice/today").get_data(as_text=True)
    assert "Mine Overdue" in page and "Mine Today" in page and "overdue since" in page
    assert "Assigned Unnamed" in page and "3 follow-ups due" in page
    due = page.split('id="coming-heading"')[0]
    assert "Mine Later" not in due and "Someone Else" not in page
    assert "Assigned Named Other" not in page and "Other&#39;s Unnamed" not in page
    coming = page.split('id="coming-heading"')[1]  # mine of the next 7 days
    assert f"{TODAY + timedelta(days=5)}</time> · <a" in coming and "Mine Later" in coming
    assert "Mine Next Month" not in page


def test_today_shows_the_most_overdue_first_a_page_at_most(
    app: Flask, staff: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadcapture.backoffice import overview

    monkeypatch.setattr(overview, "TODAY_MOST", 2)
    me = staff_id(app)
    for days, name in ((1, "One Day"), (9, "Nine Days"), (0, "Today Only"), (4, "Four Days")):
        lead_due(app, name, TODAY - timedelta(days=days), by=me)
    page = staff.get("/backoffice/today").get_data(as_text=True)
    assert "4 follow-ups due: the 2 most overdue below." in page
    assert "Nine Days" in page and "Four Days" in page
    assert "One Day" not in page and "Today Only" not in page


def done_lines(app: Flask, lead_id: int) -> list[HistoryEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(HistoryEntry).where(
                    HistoryEntry.lead_id == lead_id, HistoryEntry.event == "follow_up_done"
                )
            )
        )


def finish_on_today(staff: Shopper, lead_id: int, **data: str) -> Any:
    """Post the Today page's "Done" form of ``lead_id`` as the page shows it, with ``data``
    typed in; ``due`` as the page gave it unless ``data`` says otherwise."""
    page = staff.get("/backoffice/today").get_data(as_text=True)
    prefix = f"lead-{lead_id}-"
    due = re.search(rf'name="{prefix}due"[^>]*value="([^"]*)"', page)
    form = {
        f"{prefix}csrf_token": csrf_token(page),
        f"{prefix}due": due.group(1) if due else "",
        **{prefix + name: value for name, value in data.items()},
    }
    return staff.client.post(f"/backoffice/today/{lead_id}/done", data=form)


def test_a_follow_up_is_done_from_today_with_the_next_one_set(app: Flask, staff: Shopper) -> None:
    """Who to call today: each follow-up with how to reach the lead and what was last
    said, and "Done" on the page itself, which sets the next follow-up (or none) and
    writes one line of history, however often the form is sent."""
    me = staff_id(app)
    overdue = lead_due(app, "Ada Caller", TODAY - timedelta(days=3), by=me)
    due_today = lead_due(app, "Bo Quiet", TODAY, by=me)
    with app.app_context():
        ada = db.session.get(Lead, overdue)
        assert ada is not None
        ada.phone, ada.email = "+351 912 345 678", "ada@example.com"
        log_communication(
            db.session, ada, medium="call", direction="sent", subject="Asked for a quote"
        )
        add_note(db.session, ada, "Prefers mornings")
        db.session.commit()
    page = staff.get("/backoffice/today").get_data(as_text=True)
    assert "2 follow-ups due" in page
    assert 'href="tel:+351912345678"' in page and 'href="mailto:ada@example.com"' in page
    assert f'href="/backoffice/leads/{overdue}#write"' in page  # tracked, unlike mailto
    assert "Prefers mornings" in page  # the last thing said, not the system's lines
    assert "No call, email or note yet." in page  # Bo's

    next_week = TODAY + timedelta(days=7)
    response = finish_on_today(
        staff, overdue, next_contact_date=next_week.isoformat(), note="Call back with prices"
    )
    assert response.status_code == 302 and response.location.endswith("/backoffice/today")
    page = staff.get("/backoffice/today").get_data(as_text=True)
    assert f"Follow-up with Ada Caller done; the next on {next_week}." in page
    assert f"lead-{overdue}-due" not in page and f"lead-{due_today}-due" in page
    [line] = done_lines(app, overdue)
    assert line.subject == f"Follow-up of {TODAY - timedelta(days=3)} done; the next on {next_week}"
    assert line.body == "Call back with prices" and line.created_by == me
    with app.app_context():
        assert db.session.get(Lead, overdue).next_contact_date == next_week  # type: ignore[union-attr]

    with app.app_context():  # a week on, Ada's next follow-up says what was said last
        db.session.get(Lead, overdue).next_contact_date = TODAY  # type: ignore[union-attr]
        db.session.commit()
    page = staff.get("/backoffice/today").get_data(as_text=True)
    assert f"done; the next on {next_week}: Call back with prices" in page

    # Bo's, done with no next one: the follow-up is gone from the lead.
    assert finish_on_today(staff, due_today).status_code == 302
    with app.app_context():
        assert db.session.get(Lead, due_today).next_contact_date is None  # type: ignore[union-attr]
    assert [e.subject for e in done_lines(app, due_today)] == [f"Follow-up of {TODAY} done"]
    assert f"lead-{due_today}-due" not in staff.get("/backoffice/today").get_data(as_text=True)


def test_a_follow_up_is_done_from_the_leads_own_page(app: Flask, staff: Shopper) -> None:
    me = staff_id(app)
    lead_id = lead_due(app, "Page Done", TODAY + timedelta(days=2), by=me)  # done early
    url = f"/backoffice/leads/{lead_id}"
    page = staff.get(url).get_data(as_text=True)
    assert f"Follow-up on {TODAY + timedelta(days=2)} (Demo Staff)" in page
    prefix = f"lead-{lead_id}-"
    form = {
        f"{prefix}csrf_token": csrf_token(page),
        f"{prefix}due": str(TODAY + timedelta(days=2)),
        f"{prefix}next_contact_date": str(TODAY - timedelta(days=1)),
    }
    refused = staff.client.post(f"{url}/follow-up/done", data=form)
    assert refused.status_code == 400
    assert "Next follow-up: Must be a day after today." in refused.get_data(as_text=True)
    assert done_lines(app, lead_id) == []
    form[f"{prefix}next_contact_date"] = str(TODAY + timedelta(days=30))
    form[f"{prefix}note"] = "Sent the catalogue"
    done = staff.client.post(f"{url}/follow-up/done", data=form, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert done.request.path == url
    assert f"Follow-up with Page Done done; the next on {TODAY + timedelta(days=30)}." in page
    assert f"Follow-up of {TODAY + timedelta(days=2)} done; the next on" in page
    assert "Sent the catalogue" in page
    assert f"Follow-up on {TODAY + timedelta(days=30)}" in page
    again = staff.client.post(f"{url}/follow-up/done", data=form)  # sent twice
    assert again.status_code == 400
    assert "This follow-up was done or moved meanwhile." in again.get_data(as_text=True)
    assert len(done_lines(app, lead_id)) == 1


def test_a_follow_up_sent_twice_or_done_meanwhile_is_done_once(app: Flask, staff: Shopper) -> None:
    me = staff_id(app)
    lead_id = lead_due(app, "Twice Clicked", TODAY, by=me)
    page = staff.get("/backoffice/today").get_data(as_text=True)
    prefix = f"lead-{lead_id}-"
    form = {f"{prefix}csrf_token": csrf_token(page), f"{prefix}due": TODAY.isoformat()}
    url = f"/backoffice/today/{lead_id}/done"
    assert staff.client.post(url, data=form).status_code == 302
    again = staff.client.post(url, data=form, follow_redirects=True)
    assert "This follow-up was done or moved meanwhile." in again.get_data(as_text=True)
    assert len(done_lines(app, lead_id)) == 1
    # Moved by a colleague to another day meanwhile: the old date's form does nothing.
    with app.app_context():
        db.session.get(Lead, lead_id).next_contact_date = TODAY - timedelta(days=1)  # type: ignore[union-attr]
        db.session.commit()
    staff.client.post(url, data=form)
    assert len(done_lines(app, lead_id)) == 1


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"next_contact_date": (TODAY - timedelta(days=1)).isoformat()},
            "next_contact_date",
            "Next follow-up: Must be a day after today.",
        ),
        (
            {"next_contact_date": TODAY.isoformat()},
            "next_contact_date",
            "Next follow-up: Must be a day after today.",
        ),
        ({"next_contact_date": "next tuesday"}, "next_contact_date", "Next follow-up: "),
        ({"note": "bell\x07"}, "note", "What was said (optional): "),
        ({"note": "x" * 20_001}, "note", "What was said (optional): "),
    ],
)
def test_a_refused_follow_up_names_its_field_and_writes_nothing(
    app: Flask, staff: Shopper, typed: dict[str, str], field: str, message: str
) -> None:
    lead_id = lead_due(app, "Refused Ann", TODAY, by=staff_id(app))
    response = finish_on_today(staff, lead_id, **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'data-field="lead-{lead_id}-{field}"' in page and message in page
    assert done_lines(app, lead_id) == []
    with app.app_context():
        assert db.session.get(Lead, lead_id).next_contact_date == TODAY  # type: ignore[union-attr]


def test_done_needs_staff_a_token_and_a_lead(app: Flask, staff: Shopper, client) -> None:  # type: ignore[no-untyped-def]
    lead_id = lead_due(app, "Guarded", TODAY, by=staff_id(app))
    url = f"/backoffice/today/{lead_id}/done"
    data = {f"lead-{lead_id}-due": TODAY.isoformat()}
    shop_token = csrf_token(client.get("/login").get_data(as_text=True))
    anonymous = client.post(url, data={**data, "csrf_token": shop_token})
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert staff.client.post(url, data=data).status_code == 400  # no CSRF token
    token = csrf_token(staff.get("/backoffice/today").get_data(as_text=True))
    missing = staff.client.post("/backoffice/today/999999/done", data={**data, "csrf_token": token})
    assert missing.status_code == 404
    assert done_lines(app, lead_id) == []


def test_the_api_marks_a_follow_up_done_once(app: Flask, staff: Shopper) -> None:
    lead_id = lead_due(app, "Api Done", TODAY - timedelta(days=1), by=staff_id(app))
    token = csrf_token(staff.get("/backoffice/today").get_data(as_text=True))
    url = f"/backoffice/api/leads/{lead_id}/follow-up/done"

    def post(body: Any) -> Any:
        return staff.client.post(url, json=body, headers={"X-CSRFToken": token})

    assert post({"due": "someday"}).get_json() == {
        "errors": {"due": ["Must be a date (YYYY-MM-DD)."]}
    }
    assert post({"due": TODAY.isoformat()}).get_json()["errors"]["due"]  # not its date
    assert post({"due": "2026-01-01", "when": 1}).get_json() == {
        "errors": {"when": ["Unknown field."]}
    }
    assert post({}).status_code == 400 and post([1]).status_code == 400
    next_day = TODAY + timedelta(days=1)
    body = {"due": (TODAY - timedelta(days=1)).isoformat(), "next_contact_date": str(next_day)}
    done = post({**body, "note": "Left a message"})
    assert done.status_code == 200 and done.get_json()["next_contact_date"] == str(next_day)
    assert done.get_json()["history"][0]["subject"].startswith("Follow-up of")
    assert post(body).status_code == 400  # sent again: done already
    assert len(done_lines(app, lead_id)) == 1


def test_the_calendar_feed_is_valid_icalendar(app: Flask, staff: Shopper, client) -> None:  # type: ignore[no-untyped-def]
    me = staff_id(app)
    lead_due(app, "Ann, Ray; & Co", TODAY + timedelta(days=2), by=me)
    lead_due(app, "Bo " + "Long" * 30, TODAY + timedelta(days=9), by=me)
    lead_due(app, "Not mine", TODAY, by="999")
    assigned = lead_due(app, "My lead, nobody named", TODAY + timedelta(days=4))
    assign(app, assigned, me)
    with app.app_context():
        add_note(db.session, db.session.get(Lead, assigned), "Wants the 1 kg tin;\nsoon")  # type: ignore[arg-type]
        db.session.commit()
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
        TODAY + timedelta(days=4),
        TODAY + timedelta(days=9),
    ]
    assert "Ann, Ray; & Co" in str(events[0]["SUMMARY"])
    assert "My lead, nobody named" in str(events[1]["SUMMARY"])
    assert str(events[1]["DESCRIPTION"]).endswith(f"Last said {TODAY}: Wants the 1 kg tin;\nsoon")
    assert str(events[2]["SUMMARY"]).endswith("Long" * 30)


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


def test_the_dashboard_counts_the_teams_follow_ups_due(app: Flask, staff: Shopper) -> None:
    page = staff.get("/backoffice/dashboard").get_data(as_text=True)
    assert "No follow-up is due today or overdue, across the team." in page
    lead_due(app, "Mine", TODAY, by=staff_id(app))
    lead_due(app, "A Colleague's", TODAY - timedelta(days=4), by="999")
    lead_due(app, "Later", TODAY + timedelta(days=1), by="999")
    lead_due(app, "Bought", TODAY, status=LeadStatus.CONVERTED)
    page = staff.get("/backoffice/dashboard").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">2 follow-ups due today or overdue</a>', page)
    assert link is not None
    listed = staff.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Mine" in listed and "A Colleague" in listed
    assert "Later" not in listed and "Bought" not in listed


def test_of_one_day_the_highest_scored_lead_comes_first(app: Flask, staff: Shopper) -> None:
    me = staff_id(app)
    for score, name in ((10, "Cold Lead"), (90, "Hot Lead"), (50, "Warm Lead")):
        lead_id = lead_due(app, name, TODAY, by=me)
        with app.app_context():
            db.session.get(Lead, lead_id).score = score  # type: ignore[union-attr]
            db.session.commit()
    lead_due(app, "Older One", TODAY - timedelta(days=1), by=me)
    page = staff.get("/backoffice/today").get_data(as_text=True)
    order = re.findall(r'<h2><a href="[^"]+">([^<]+)</a>', page)
    assert order == ["Older One", "Hot Lead", "Warm Lead", "Cold Lead"]


def test_the_api_gives_my_follow_ups(app: Flask, staff: Shopper) -> None:
    me = staff_id(app)
    lead_due(app, "Mine Overdue", TODAY - timedelta(days=2), by=me)
    lead_due(app, "Mine Soon", TODAY + timedelta(days=3), by=me)
    lead_due(app, "Not Mine", TODAY, by="999")
    answer = staff.get("/backoffice/api/today").get_json()
    assert [lead["lead_name"] for lead in answer["due"]] == ["Mine Overdue"]
    assert answer["due_count"] == 1
    assert [lead["lead_name"] for lead in answer["coming"]] == ["Mine Soon"]
    assert answer["due"][0]["next_contact_date"] == str(TODAY - timedelta(days=2))
