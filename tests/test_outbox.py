"""Lead capture never breaks the shop and loses nothing: each inbound event is kept (in the
shop's transaction when it comes inside one), handled after the commit, and retried by
``flask leads retry`` or the sweep when handling fails — once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from leadcapture import LeadStatus, signals
from leadcapture.models import InboundEvent, Lead
from leadcapture.models.base import utcnow
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper, count, sweep


def events(app: Flask) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [
            (e.kind, e.state, e.attempts)
            for e in db.session.scalars(select(InboundEvent).order_by(InboundEvent.id))
        ]


def make_due(app: Flask) -> None:
    with app.app_context():
        db.session.execute(update(InboundEvent).values(next_attempt_at=utcnow()))
        db.session.commit()


def failing(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from leadcapture.events import store as outbox

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the CRM tables are locked")

    broken.__name__ = name
    monkeypatch.setitem(outbox.HANDLERS, "user_registered", broken)


def test_a_failing_capture_keeps_the_sign_up_and_its_event(
    app: Flask, shopper: Shopper, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    failing(monkeypatch, "register_web_user")
    response = shopper.register(email="jane@example.com")
    assert response.status_code == 302  # the shop's request succeeded
    assert count(app, User) == 2 and count(app, Lead) == 0  # the staff user and Jane
    assert ("user_registered", "pending", 1) in events(app)
    assert "register_web_user failed" in caplog.text

    monkeypatch.undo()
    runner = app.test_cli_runner()
    make_due(app)
    assert "1 kept event handled" in runner.invoke(args=["leads", "retry"]).output
    make_due(app)
    assert "0 kept events handled" in runner.invoke(args=["leads", "retry"]).output
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.email, lead.status) == ("jane@example.com", LeadStatus.OPEN)


def test_the_sweep_handles_kept_events_too(
    app: Flask, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing(monkeypatch, "register_web_user")
    shopper.register(email="jane@example.com")
    monkeypatch.undo()
    make_due(app)
    assert sweep(app).events == 1
    assert count(app, Lead) == 1


def test_an_event_is_kept_with_the_shops_transaction_or_not_at_all(app: Flask) -> None:
    """Sent inside the shop's transaction, the event commits or rolls back with it."""
    with app.app_context():
        user = User(email="kim@example.com", full_name="Kim", password_hash="-")
        db.session.add(user)
        db.session.flush()
        signals.user_registered.send(app, user_id=str(user.id), email=user.email, full_name="Kim")
        assert count(app, InboundEvent) == 0  # not visible before the shop commits
        db.session.rollback()
    assert events(app) == [] and count(app, Lead) == 0

    with app.app_context():
        user = User(email="kim@example.com", full_name="Kim", password_hash="-")
        db.session.add(user)
        db.session.flush()
        signals.user_registered.send(app, user_id=str(user.id), email=user.email, full_name="Kim")
        db.session.commit()  # the account, the event, then its handling
    assert events(app) == [("user_registered", "done", 0)]
    assert count(app, Lead) == 1


def test_an_event_sent_after_the_commit_is_kept_and_handled(app: Flask) -> None:
    with app.app_context():
        signals.user_registered.send(app, user_id="77", email="lou@example.com", full_name="Lou")
    assert events(app) == [("user_registered", "done", 0)]
    assert count(app, Lead) == 1


def test_failures_back_off_and_are_tried_again(
    app: Flask, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing(monkeypatch, "register_web_user")
    shopper.register(email="jane@example.com")
    runner = app.test_cli_runner()
    for attempts in (2, 3):
        make_due(app)
        assert "1 event still waiting" in runner.invoke(args=["leads", "retry"]).output
        assert events(app)[-1] == ("user_registered", "pending", attempts)
    with app.app_context():
        event = db.session.scalars(select(InboundEvent)).one()
        assert "the CRM tables are locked" in (event.last_error or "")
        assert (event.next_attempt_at - utcnow()).total_seconds() > 3 * 60  # 4 minutes on


def test_odd_argument_types_never_fail_the_shops_commit(app: Flask) -> None:
    import uuid
    from decimal import Decimal

    with app.app_context():
        user = User(email="ola@example.com", full_name="Ola", password_hash="-")
        db.session.add(user)
        db.session.flush()
        signals.order_placed.send(
            app,
            order_id=uuid.uuid4(),  # not JSON: kept as text
            email="ola@example.com",
            full_name="Ola",
            total=Decimal("9.50"),
            currency="EUR",
        )
        db.session.commit()
    assert count(app, User, User.email == "ola@example.com") == 1
    assert events(app) == [("order_placed", "done", 0)]


def test_the_sweep_forgets_events_handled_a_week_ago(app: Flask) -> None:
    from datetime import timedelta

    with app.app_context():
        for n in range(3):
            signals.user_registered.send(
                app, user_id=str(n), email=f"p{n}@example.com", full_name="P"
            )
        db.session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == 1)
            .values(handled_at=utcnow() - timedelta(days=8))
        )
        db.session.execute(update(InboundEvent).where(InboundEvent.id == 2).values(state="pending"))
        db.session.commit()
    sweep(app)
    with app.app_context():
        kept = db.session.scalars(select(InboundEvent.id).order_by(InboundEvent.id)).all()
    assert kept == [2, 3]


def test_a_cart_change_handled_late_never_undoes_a_newer_one(app: Flask) -> None:
    from datetime import timedelta

    from leadcapture.models import TrackedCart

    line = {"sku": "TEA-001", "name": "Tea", "unit_price": "8.50"}
    now = utcnow()
    with app.app_context():
        signals.cart_changed.send(
            app, cart_id="c1", currency="EUR", lines=[{**line, "quantity": 3}], updated_at=now
        )
        signals.cart_changed.send(  # an older report, e.g. a kept event retried later
            app,
            cart_id="c1",
            currency="EUR",
            lines=[{**line, "quantity": 1}],
            updated_at=now - timedelta(minutes=5),
        )
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.item_count == 3


def test_staff_see_kept_events_and_retry_them_from_the_back_office(
    app: Flask, staff: Shopper, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing(monkeypatch, "register_web_user")
    shopper.register(email="jane@example.com")
    page = staff.get("/backoffice/outbox").get_data(as_text=True)
    assert re.search(r"<td[^>]*>user_registered</td>", page) and "the CRM tables are locked" in page
    monkeypatch.undo()
    done = staff.submit("/backoffice/outbox", {}, action="/backoffice/outbox/retry", follow=True)
    page = done.get_data(as_text=True)
    assert "1 kept event handled" in page and "Nothing waits" in page
    assert count(app, Lead) == 1


def test_the_outbox_page_shows_the_kept_events_once_under_a_plain_title(staff: Shopper) -> None:
    page = staff.get("/backoffice/outbox").get_data(as_text=True)
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<h2>" not in title and page.count("Kept for a retry") == 1


def test_transient_failures_end_dead_and_nothing_tries_them_again(
    app: Flask, staff: Shopper, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"] = 3
    failing(monkeypatch, "register_web_user")
    shopper.register(email="jane@example.com")
    runner = app.test_cli_runner()
    for _ in range(4):
        make_due(app)
        runner.invoke(args=["leads", "retry"])
    assert events(app)[-1] == ("user_registered", "dead", 3)
    assert "1 dead" in runner.invoke(args=["leads", "retry"]).output
    assert "1</strong> captured event could not be handled" in staff.get(
        "/backoffice/dashboard"
    ).get_data(as_text=True)
    page = staff.get("/backoffice/outbox").get_data(as_text=True)
    dead = page[page.index('id="dead"') :]
    assert re.search(r"<td[^>]*>user_registered</td>", dead) and "the CRM tables are locked" in dead

    monkeypatch.undo()  # the cause is fixed: staff retry it
    with app.app_context():
        event_id = db.session.scalars(select(InboundEvent.id)).one()
    staff.submit("/backoffice/outbox", {}, action=f"/backoffice/outbox/events/{event_id}/retry")
    assert events(app)[-1] == ("user_registered", "done", 0)
    assert count(app, Lead) == 1


def test_staff_discard_a_dead_event(
    app: Flask, staff: Shopper, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadcapture import ValidationError
    from leadcapture.events import store as outbox

    def refuses(*args: Any, **kwargs: Any) -> None:
        raise ValidationError.single("email", "Not a valid email address.")

    monkeypatch.setitem(outbox.HANDLERS, "user_registered", refuses)
    shopper.register(email="jane@example.com")
    assert events(app)[-1] == ("user_registered", "dead", 1)  # refused input: dead at once
    with app.app_context():
        event_id = db.session.scalars(select(InboundEvent.id)).one()
    staff.submit("/backoffice/outbox", {}, action=f"/backoffice/outbox/events/{event_id}/discard")
    assert events(app)[-1] == ("user_registered", "discarded", 1)
    page = staff.get("/backoffice/outbox").get_data(as_text=True)
    assert not re.search(r"<td[^>]*>user_registered</td>", page)
    assert "Every captured event was handled" in staff.get("/backoffice/dashboard").get_data(
        as_text=True
    )


def test_an_event_that_cannot_be_kept_is_logged_and_the_shop_goes_on(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from leadcapture.events import store as outbox

    def database_gone(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database is gone")

    monkeypatch.setattr(outbox, "core", database_gone)
    with app.app_context():
        signals.user_registered.send(app, user_id="9", email="lou@example.com", full_name="Lou")
    assert "could not keep the user_registered event" in caplog.text
    assert events(app) == []


def test_a_lost_race_is_run_again_and_a_lasting_one_is_raised(app: Flask) -> None:
    from sqlalchemy.exc import IntegrityError

    from leadcapture.transactions import RETRIES, in_transaction

    tries: list[int] = []

    def loses_once() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return "won"

    def always_loses() -> None:
        tries.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with app.app_context():
        assert in_transaction(db.session, loses_once) == "won"
        assert len(tries) == 2
        tries.clear()
        with pytest.raises(IntegrityError):
            in_transaction(db.session, always_loses)
        assert len(tries) == RETRIES


def test_a_hosts_receiver_that_raises_never_breaks_the_shop(
    app: Flask, shopper: Shopper, caplog: Any
) -> None:
    """Each call after the commit runs on its own: a host's failing receiver of
    ``lead_created`` is logged, the sign-up stands and the other signals still go out."""
    heard: list[str] = []

    def buggy(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug in the host's receiver")

    def listening(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs["new_status"])

    signals.lead_created.connect(buggy)
    signals.lead_status_changed.connect(listening)
    try:
        response = shopper.register(email="jane@example.com")
    finally:
        signals.lead_created.disconnect(buggy)
        signals.lead_status_changed.disconnect(listening)
    assert response.status_code == 302
    assert count(app, Lead) == 1 and heard == ["Open"]
    assert events(app) == [("user_registered", "done", 0)]
    assert "a call after the commit failed" in caplog.text


def test_an_event_kept_outside_the_shops_writes_is_one_round_trip_on_postgresql(
    app: Flask, tmp_path: Any
) -> None:
    """A guest's cart change writes nothing of the shop's: on PostgreSQL the event's
    INSERT and its COMMIT reach the server as one message (libpq's trace counts them)."""
    from leadcapture.events import store

    handed: list[int] = []
    trace = tmp_path / "libpq.trace"
    with app.app_context():
        if db.engine.dialect.driver != "psycopg":
            pytest.skip("a PostgreSQL (psycopg) round trip: run on PostgreSQL")
        db.session.execute(select(1))  # the request has read the product already
        pgconn = db.session.connection().connection.driver_connection.pgconn  # type: ignore[union-attr]
        with trace.open("w") as out:
            pgconn.trace(out.fileno())
            store.capture(
                db.session,
                "cart_changed",
                {"cart_id": "guest-1", "lines": [], "currency": "EUR", "email": None},
                handoff=handed.append,
            )
            pgconn.untrace()
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    round_trips = [f for f in sent if f[1] == "F" and f[3] in ("Query", "Sync")]
    assert len(round_trips) == 1
    assert events(app) == [("cart_changed", "pending", 0)]
    with app.app_context():
        assert handed == [db.session.scalars(select(InboundEvent.id)).one()]


def test_a_session_on_the_hosts_own_transaction_leaves_it_open(app: Flask) -> None:
    """A host's test runs the plug-in on a connection it rolls back at the end: the
    event's one-message commit on PostgreSQL must not commit that transaction."""
    from sqlalchemy.orm import Session

    from leadcapture.events import store

    with app.app_context():
        if db.engine.dialect.driver != "psycopg":
            pytest.skip("the one-message commit is PostgreSQL's (psycopg)")
        with db.engine.connect() as connection:
            outer = connection.begin()
            session = Session(bind=connection, join_transaction_mode="create_savepoint")
            session.execute(select(1))
            store.capture(session, "cart_changed", {"cart_id": "guest-2"}, handoff=lambda _: None)
            assert session.scalar(select(InboundEvent.cart_key)) == "guest-2"
            session.close()
            outer.rollback()
    assert events(app) == []


def test_an_event_in_the_shops_transaction_is_one_round_trip_on_postgresql(
    app: Flask, tmp_path: Any
) -> None:
    """An order's event is written in the shop's transaction, in a SAVEPOINT of its own:
    on PostgreSQL the SAVEPOINT, the INSERT and its RELEASE reach the server as one
    message, and the shop's commit keeps it."""
    trace = tmp_path / "libpq.trace"
    with app.app_context():
        if db.engine.dialect.driver != "psycopg":
            pytest.skip("a PostgreSQL (psycopg) round trip: run on PostgreSQL")
        user = User(email="kim@example.com", full_name="Kim", password_hash="-")
        db.session.add(user)
        db.session.flush()  # the shop's transaction has written
        pgconn = db.session.connection().connection.driver_connection.pgconn  # type: ignore[union-attr]
        with trace.open("w") as out:
            pgconn.trace(out.fileno())
            signals.user_registered.send(
                app, user_id=str(user.id), email=user.email, full_name="Kim"
            )
            pgconn.untrace()
        db.session.commit()
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    round_trips = [f for f in sent if f[1] == "F" and f[3] in ("Query", "Sync")]
    assert len(round_trips) == 1 and "SAVEPOINT" in round_trips[0][-1]
    assert events(app) == [("user_registered", "done", 0)] and count(app, Lead) == 1


def test_an_event_the_database_refuses_is_undone_alone_and_the_shop_commits(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """The event's INSERT fails inside the shop's transaction (here: a table that is not
    there): only the event's SAVEPOINT is undone, the failure is logged, and the shop's
    own write commits."""
    from leadcapture.events import store

    with app.app_context():
        if db.engine.dialect.driver != "psycopg":
            pytest.skip("the one-message SAVEPOINT is PostgreSQL's (psycopg)")
        missing = store._GUARDED_INSERT.replace("lc_inbound_events", "lc_no_such_table")
        monkeypatch.setattr(store, "_GUARDED_INSERT", missing)
        user = User(email="kim@example.com", full_name="Kim", password_hash="-")
        db.session.add(user)
        db.session.flush()
        signals.user_registered.send(app, user_id=str(user.id), email=user.email, full_name="Kim")
        db.session.commit()
    assert "could not keep the user_registered event" in caplog.text
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.email == "kim@example.com"))
    assert events(app) == []
