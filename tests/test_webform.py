"""The public web form: embeddable, posted from any site, spam-resistant, and one lead
per email however often it is sent."""

from __future__ import annotations

import socket
import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from leadcapture import LeadStatus
from leadcapture.models import HistoryEntry, Lead
from storefront import create_app
from storefront.extensions import db

from .helpers import count

FORM = "/leadcapture/form"
GOOD = {
    "lead_name": "Ann Ray",
    "email": "Ann@Example.com",
    "phone": "+44 20 7946 0000",
    "company_name": "Ray & Co",
    "message": "Do you ship oolong to Cork?\nThanks.",
}


def post(app: Flask, data: dict[str, str], *, address: str = "192.0.2.1", **headers: str):  # type: ignore[no-untyped-def]
    """A plain HTML form on another site posting here: no session, no CSRF token."""
    return app.test_client().post(
        FORM, data=data, headers=headers, environ_base={"REMOTE_ADDR": address}
    )


def test_the_form_page_may_be_framed_by_any_site(app: Flask) -> None:
    response = app.test_client().get(FORM + "?source=Campaign")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert 'name="website"' in page and 'value="Campaign"' in page
    assert "<script" not in page


def test_a_submission_from_another_site_makes_a_web_form_lead(app: Flask) -> None:
    response = post(app, GOOD, Origin="https://blog.example")
    assert response.status_code == 303 and response.location.endswith("/leadcapture/form/thanks")
    assert "Thank you" in app.test_client().get(response.location).get_data(as_text=True)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.email, lead.source, lead.status, lead.company_name) == (
            "ann@example.com",
            "Web Form",
            LeadStatus.LEAD,
            "Ray & Co",
        )
        entry = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.event == "web_form")
        ).one()
        assert entry.subject == "Web form (Web Form): Do you ship oolong to Cork?"
        assert entry.body == GOOD["message"]


def test_the_same_email_again_adds_to_the_lead_and_its_history(app: Flask) -> None:
    post(app, {**GOOD, "phone": ""})
    again = post(
        app,
        {
            **GOOD,
            "email": "ANN@example.COM",
            "lead_name": "Ann B. Ray",
            "phone": "+351 912 000 000",
            "message": "Any news?",
        },
        address="192.0.2.2",
    )
    assert again.status_code == 303
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.lead_name == "Ann Ray"  # known: kept
        assert lead.phone == "+351 912 000 000"  # empty: filled
        [captured] = [e for e in lead.history if e.event == "captured_again"]
        assert captured.data == {"filled": ["phone"], "brought": {"lead_name": "Ann B. Ray"}}
        subjects = [e.subject for e in lead.history]
    assert subjects.count("Web form (Web Form): Any news?") == 1
    assert any("oolong" in s for s in subjects)


def test_the_embedding_page_may_name_an_allowed_source_only(app: Flask) -> None:
    assert post(app, {**GOOD, "source": "Campaign"}).status_code == 303
    refused = post(app, {**GOOD, "email": "bo@example.com", "source": "Checkout"})
    assert refused.status_code == 400
    assert 'data-field="source"' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Lead.source)).all() == ["Campaign"]


def test_the_honeypot_catches_robots_without_telling_them(app: Flask) -> None:
    response = post(app, {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 303  # looks like success
    assert count(app, Lead) == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"lead_name": ""}, "lead_name"),
        ({"email": ""}, "email"),
        ({"email": "ann@"}, "email"),
        ({"email": "<script>@x"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"lead_name": "x" * 10_000}, "lead_name"),
        ({"message": "y" * 6_000}, "message"),
        ({"lead_name": "Ann\x00Ray"}, "lead_name"),
    ],
)
def test_bad_input_is_refused_naming_the_field(app: Flask, changes: dict, field: str) -> None:
    response = post(app, {**GOOD, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'data-field="{field}"' in page
    assert count(app, Lead) == 0


def test_typed_values_come_back_escaped(app: Flask) -> None:
    response = post(app, {**GOOD, "email": "bad", "lead_name": "<script>alert(1)</script>"})
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_each_address_gets_a_few_submissions_a_minute(app: Flask) -> None:
    for i in range(5):
        assert post(app, {**GOOD, "email": f"n{i}@example.com"}).status_code == 303
    over = post(app, {**GOOD, "email": "n5@example.com"})
    assert over.status_code == 429 and 'data-field="form"' in over.get_data(as_text=True)
    assert post(app, {**GOOD, "email": "other@example.com"}, address="192.0.2.9").status_code == 303
    assert count(app, Lead) == 6


def test_only_listed_sites_may_post_when_a_list_is_set(app: Flask) -> None:
    app.config["LEADCAPTURE_WEBFORM_ORIGINS"] = ["https://blog.example"]
    assert post(app, GOOD, Origin="https://evil.example").status_code == 403
    assert post(app, GOOD, Origin="https://blog.example").status_code == 303
    assert count(app, Lead) == 1


def test_with_a_list_a_post_must_say_where_it_comes_from(app: Flask) -> None:
    app.config["LEADCAPTURE_WEBFORM_ORIGINS"] = ["https://blog.example"]
    other = {**GOOD, "email": "bo@example.com"}
    assert post(app, other).status_code == 403  # neither Origin nor Referer
    assert post(app, other, Origin="null").status_code == 403  # a sandboxed page
    assert post(app, other, Referer="https://evil.example/blog.example").status_code == 403
    assert post(app, other, Referer="https://blog.example/contact").status_code == 303
    assert count(app, Lead) == 1


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_every_worker_shares_the_count(app: Flask, database_url: str) -> None:
    """Two apps stand for two workers: with Redis storage, they count together."""
    settings = {"LEADCAPTURE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    app.config.update(settings)
    other = create_app({**app.config, **settings, "STOREFRONT_AUTO_MIGRATE": False})
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"
    statuses = [
        post(worker, {**GOOD, "email": f"r{i}@example.com"}, address=address).status_code
        for i, worker in enumerate([app, other] * 3)
    ]
    assert statuses == [303] * 5 + [429]


def test_hostile_text_never_gets_a_server_error(app: Flask) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    app.config["LEADCAPTURE_WEBFORM_RATE_LIMIT"] = "1000 per minute"

    @settings(max_examples=40, deadline=None)
    @given(
        name=st.text(max_size=300),
        email=st.text(max_size=300),
        message=st.text(max_size=600),
        source=st.text(max_size=40),
    )
    def check(name: str, email: str, message: str, source: str) -> None:
        data = {"lead_name": name, "email": email, "message": message, "source": source}
        assert post(app, data).status_code in (303, 400)

    check()


def test_the_shop_embeds_the_form_on_its_contact_page(app: Flask) -> None:
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert 'href="/contact"' in home
    page = client.get("/contact")
    assert page.status_code == 200
    assert '<iframe class="contact-form"' in page.get_data(as_text=True)
    assert 'src="/leadcapture/form?source=Web+Form"' in page.get_data(as_text=True)
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]  # the shop's
