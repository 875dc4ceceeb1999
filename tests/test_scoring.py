"""Lead scores: 0–100 with reasons, by the rules until the shop's own won and lost leads
teach the weights (naive Bayes); sorted and filtered in the list and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from leadcapture import capture_lead, set_status
from leadcapture.constants import LeadSource, LeadStatus
from leadcapture.models import HistoryEntry, Lead, TrackedCart
from leadcapture.models.base import utcnow
from leadcapture.scoring import MIN_EXAMPLES, RULES, learn
from storefront.extensions import db

from .helpers import Shopper, age_carts, capture_email, sweep

API = "/backoffice/api"


def lead_named(app: Flask, email: str) -> Lead:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        db.session.expunge(lead)
        return lead


def score(app: Flask) -> str:
    return app.test_cli_runner().invoke(args=["leads", "score"]).output


def make(app: Flask, email: str, source: LeadSource, status: LeadStatus | None = None) -> int:
    with app.app_context():
        lead, _ = capture_lead(db.session, email=email, source=source)
        if status is not None:
            set_status(db.session, lead, status)
        db.session.commit()
        return lead.id


def test_before_there_is_anything_to_learn_the_rules_score(app: Flask) -> None:
    warm = Shopper(app)
    warm.register(email="warm@example.com")
    warm.add_to_cart("TEA-001", 8)  # a cart over 100
    make(app, "cold@example.com", LeadSource.COLD_CALLING)
    with app.app_context():  # the cold one was last heard of two months ago
        old = utcnow() - timedelta(days=60)
        cold = db.session.scalar(select(Lead.id).where(Lead.email == "cold@example.com"))
        db.session.execute(update(Lead).where(Lead.id == cold).values(created_at=old))
        db.session.execute(
            update(HistoryEntry).where(HistoryEntry.lead_id == cold).values(created_at=old)
        )
        db.session.execute(
            update(TrackedCart).values(link_opened_at=utcnow())  # the warm one came back
        )
        db.session.commit()
    said = score(app)
    assert "2 leads scored, 2 changed; weights by the rules" in said
    warm_lead, cold_lead = lead_named(app, "warm@example.com"), lead_named(app, "cold@example.com")
    assert warm_lead.scored_at is not None and cold_lead.scored_at is not None
    assert warm_lead.score > 80 > 20 > cold_lead.score
    assert "+ Opened a recovery link" in (warm_lead.score_reasons or [])
    assert "− Quiet for over a month" in (cold_lead.score_reasons or [])
    assert "0 changed" in score(app)  # written once; a run that moves nothing writes nothing


def test_the_shops_own_outcomes_teach_the_weights(app: Flask) -> None:
    for n in range(MIN_EXAMPLES + 5):
        make(app, f"won{n}@example.com", LeadSource.REFERENCE, LeadStatus.CONVERTED)
        make(app, f"lost{n}@example.com", LeadSource.COLD_CALLING, LeadStatus.DO_NOT_CONTACT)
    make(app, "referred@example.com", LeadSource.REFERENCE)
    make(app, "called@example.com", LeadSource.COLD_CALLING)
    assert "weights learned from 25 won and 25 lost leads" in score(app)
    referred, called = (
        lead_named(app, "referred@example.com"),
        lead_named(app, "called@example.com"),
    )
    assert referred.score > 90 and called.score < 10
    assert (referred.score_reasons or [])[0] == "+ Source Reference"
    assert (called.score_reasons or [])[0] == "− Source Cold Calling"


def test_a_lost_cart_counts_as_a_lost_lead(app: Flask, smtp: object) -> None:
    guest = Shopper(app)
    guest.add_to_cart("MUG-001")
    assert capture_email(guest, "gus@example.com").status_code == 204
    age_carts(app, 120)
    now = utcnow()
    sweep(app, now=now)
    sweep(app, now=now + timedelta(days=31))  # no order: the cart is lost
    with app.app_context():
        from leadcapture.scoring import _facts_query, outcome

        [row] = db.session.execute(_facts_query()).all()
        assert row.status != LeadStatus.CONVERTED and outcome(row) is False


def test_learning_needs_enough_of_each_outcome_and_smooths_what_it_never_saw() -> None:
    won = [({"source": "Reference", "replies": "1"}, True)] * MIN_EXAMPLES
    lost = [({"source": "Cold Calling", "replies": "0"}, False)] * (MIN_EXAMPLES - 1)
    assert learn(won + lost) is None
    model = learn(won + lost + [({"source": "Cold Calling", "replies": "0"}, False)])
    assert model is not None and model.learned
    assert model.weights[("source", "Reference")] > 0 > model.weights[("source", "Cold Calling")]
    score_, _ = model.score({"source": "Exhibition"})  # never seen: no weight either way
    assert score_ == 50
    assert 0 <= RULES.score({"cart_value": "none", "recency": "older"})[0] <= 100


def test_scoring_is_not_an_edit(app: Flask) -> None:
    make(app, "ann@example.com", LeadSource.WEB_FORM)
    before = lead_named(app, "ann@example.com").updated_at
    score(app)
    assert lead_named(app, "ann@example.com").updated_at == before


def test_the_list_and_the_api_sort_and_filter_by_score(app: Flask, staff: Shopper) -> None:
    ids = [make(app, f"p{n}@example.com", LeadSource.WEB_FORM) for n in range(4)]
    with app.app_context():
        for lead_id, value in zip(ids, (40, 90, 10, None), strict=True):
            if value is not None:
                scored = {"score": value, "scored_at": utcnow()}
                db.session.execute(update(Lead).where(Lead.id == lead_id).values(**scored))
        db.session.commit()
    body = staff.get(f"{API}/leads?sort=-score&limit=2").get_json()
    assert [item["score"] for item in body["items"]] == [90, 40]
    rest = staff.get(f"{API}/leads?sort=-score&limit=2&cursor={body['next_cursor']}").get_json()
    assert [item["score"] for item in rest["items"]] == [10, None]  # unscored last
    high = staff.get(f"{API}/leads?min_score=40&sort=score").get_json()
    assert [item["score"] for item in high["items"]] == [40, 90]
    page = staff.get("/backoffice/?sort=-score&min_score=50").get_data(as_text=True)
    assert "p1@example.com" in page and "p0@example.com" not in page


@pytest.mark.parametrize("value", ["abc", "101", "-1", "1.5"])
def test_a_bad_minimum_score_is_named(staff: Shopper, value: str) -> None:
    answer = staff.get(f"{API}/leads?min_score={value}")
    assert answer.status_code == 400 and "min_score" in answer.get_json()["errors"]


def test_staff_score_every_lead_from_the_list(app: Flask, staff: Shopper) -> None:
    make(app, "ann@example.com", LeadSource.WEB_FORM)
    assert "not scored yet" in staff.get("/backoffice/leads/1").get_data(as_text=True)
    answer = staff.submit("/backoffice/", {}, action="/backoffice/leads/score")
    assert answer.status_code == 302 and "sort=-score" in answer.headers["Location"]
    page = staff.get("/backoffice/leads/1").get_data(as_text=True)
    assert "not scored yet" not in page and "/ 100" in page
