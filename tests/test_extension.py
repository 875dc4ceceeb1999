"""The plug-in as a Flask extension: registration, settings, templates, staff callable."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from leadcapture import LeadCapture
from leadcapture.config import DEFAULTS

from .helpers import Shopper


def test_it_registers_in_app_extensions_and_refuses_twice() -> None:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app)
    extension = LeadCapture(app, db=db, load_user=lambda user_id: None)
    assert app.extensions["leadcapture"] is extension
    with pytest.raises(RuntimeError, match="already registered"):
        extension.init_app(app)


def test_settings_get_their_defaults_and_unknown_keys_are_refused() -> None:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    app.config["LEADCAPTURE_PAGE_SIZE"] = 10
    LeadCapture(app, db=SQLAlchemy(app), load_user=lambda user_id: None)
    assert app.config["LEADCAPTURE_PAGE_SIZE"] == 10
    for key, value in DEFAULTS.items():
        if key != "PAGE_SIZE":
            assert app.config[f"LEADCAPTURE_{key}"] == value

    typo = Flask(__name__)
    typo.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    typo.config["LEADCAPTURE_PAGESIZE"] = 10
    with pytest.raises(RuntimeError, match="LEADCAPTURE_PAGESIZE"):
        LeadCapture(typo, db=SQLAlchemy(typo))


def test_it_needs_the_hosts_db() -> None:
    with pytest.raises(RuntimeError, match="db="):
        LeadCapture(Flask(__name__))


def test_the_back_office_needs_the_hosts_user_loader_and_nothing_private() -> None:
    """Flask-Login keeps its loader private: the host names its own, or goes without
    the back office."""
    from flask_login import LoginManager

    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    LoginManager(app).user_loader(lambda user_id: object())
    with pytest.raises(RuntimeError, match=r"load_user=.*LEADCAPTURE_BACKOFFICE = False"):
        LeadCapture(app, db=SQLAlchemy(app))

    without = Flask(__name__)
    without.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", LEADCAPTURE_BACKOFFICE=False)
    LeadCapture(without, db=SQLAlchemy(without))
    assert "leadcapture_backoffice" not in without.blueprints

    def by_number(user_id: str) -> object:
        return {1: "ada"}.get(int(user_id))

    reading = LeadCapture(db=SQLAlchemy(), load_user=by_number)
    assert reading.load_user("1") == "ada"
    assert reading.load_user("abc") is None  # a typed id the host cannot read


def test_the_shop_overrides_the_plug_in_base_template(shopper: Shopper) -> None:
    """The address form is the plug-in's template; the shop's leadcapture/base.html
    gives it the shop's header."""
    shopper.register()
    page = shopper.get("/account/addresses/new").get_data(as_text=True)
    assert "Add an address" in page
    assert 'class="brand"' in page and "Leaf &amp; Kettle" in page


def test_the_back_office_follows_the_hosts_staff_callable(
    app: Flask, shopper: Shopper, staff: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert staff.get("/backoffice/").status_code == 200
    shopper.register()
    assert shopper.get("/backoffice/").status_code == 403

    monkeypatch.setattr(
        app.extensions["leadcapture"], "is_staff", lambda user: user.email.endswith("@example.com")
    )
    assert shopper.get("/backoffice/").status_code == 200


def test_anonymous_visitors_of_the_back_office_are_sent_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/backoffice/")
    assert response.status_code == 302
    assert "/login?next=" in response.location


def test_the_back_office_lists_leads_escaped(app: Flask, shopper: Shopper, staff: Shopper) -> None:
    shopper.register(full_name="<script>alert(1)</script>")
    page = staff.get("/backoffice/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "Open: 1" in page


def test_every_setting_is_explained_where_it_is_defined() -> None:
    """The documentation's configuration page is made from these explanations."""
    from leadcapture.config import reference

    groups = reference()
    keys = [key for _, group in groups for key in group]
    assert sorted(keys) == sorted(DEFAULTS) and len(keys) == len(set(keys))
    assert all(explanation.strip() for explanation, _ in groups)


def test_celery_takes_the_work_of_the_app_it_is_given_and_no_other() -> None:
    """One LeadCapture object may serve several apps: handing one app's work to Celery
    leaves the others handling theirs inline."""
    from celery import Celery

    from leadcapture import use_celery
    from leadcapture.handoff import handoff_of

    extension = LeadCapture(db=SQLAlchemy(), load_user=lambda user_id: None)
    apps = [Flask(f"shop{n}") for n in range(2)]
    for app in apps:
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
        extension.db = SQLAlchemy(app)
        extension.init_app(app)
    celery = Celery("shop0", broker="memory://")
    use_celery(celery, apps[0])
    assert handoff_of(apps[0]) is not None and handoff_of(apps[1]) is None
    assert {"leadcapture.handle_events", "leadcapture.send_email"} <= set(celery.tasks)
    assert set(celery.conf.beat_schedule) == {
        "leadcapture.sweep",
        "leadcapture.retry",
        "leadcapture.remind",
        "leadcapture.score",
    }  # no mailbox without an IMAP host


def test_the_events_of_a_window_are_handed_off_by_one_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A web process publishes one task for the first event of each window, due twice
    the window later, so it starts after every commit of its window."""
    from leadcapture import handoff

    clock = [100.0]
    monkeypatch.setattr(handoff.time, "monotonic", lambda: clock[0])
    published: list[tuple[float, str]] = []
    sent = threading.Semaphore(0)

    def publish(countdown: float) -> None:
        published.append((countdown, threading.current_thread().name))
        sent.release()

    coalesced = handoff.Coalesced(publish, window=0.05)
    for event_id, moment in enumerate([100.0, 100.01, 100.049, 100.05, 100.07, 101.0]):
        clock[0] = moment
        coalesced(event_id)
        if moment in (100.0, 100.05, 101.0):  # the first of a window: its task is sent
            assert sent.acquire(timeout=5)
    assert not sent.acquire(timeout=0.2)
    # Due twice the window later, and sent by the process's own thread: the request
    # that wrote the event does not wait for the broker.
    assert published == [(0.1, "leadcapture-handoff")] * 3


def test_a_handoff_the_broker_refuses_is_logged_and_the_next_window_tries_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from leadcapture import handoff

    clock = [100.0]
    monkeypatch.setattr(handoff.time, "monotonic", lambda: clock[0])
    tried = threading.Semaphore(0)
    outcomes = iter([ConnectionError("broker down"), None])

    def publish(countdown: float) -> None:
        outcome = next(outcomes)
        tried.release()
        if outcome is not None:
            raise outcome

    coalesced = handoff.Coalesced(publish, window=0.05)
    coalesced(1)
    assert tried.acquire(timeout=5)
    clock[0] = 100.1
    coalesced(2)
    assert tried.acquire(timeout=5)
    assert "could not hand events to the broker" in caplog.text


def test_two_apps_in_one_process_each_run_their_own_tasks(tmp_path: Path) -> None:
    """Each Celery app's tasks work on the Flask app it was made for: a host with two
    shops in one process (or one worker and its tests) never handles one shop's events
    or sends its emails from the other's database."""
    pytest.importorskip("celery")
    import sqlalchemy as sa
    from aiosmtpd.controller import Controller

    from leadcapture import queue_email, signals
    from leadcapture.models import Email, Lead
    from storefront import create_app
    from storefront.extensions import db

    from .conftest import Inbox, free_port

    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    apps = [
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "two-apps",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shop-{name}.sqlite3",
                "STOREFRONT_CELERY_BROKER_URL": "memory://",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": port,
            }
        )
        for name in ("one", "two")
    ]
    try:
        for number, app in enumerate(apps):
            with app.app_context():
                signals.user_registered.send(
                    app, user_id="7", email=f"shop{number}@example.com", full_name="Jo"
                )
                email = queue_email(
                    db.session, to="jo@example.com", subject=f"From shop {number}", text_body="Hi"
                )
                db.session.commit()
                email_id = email.id
                db.session.remove()
            tasks = app.extensions["celery"].tasks
            assert tasks["leadcapture.handle_events"].apply().get() == 1, number
            tasks["leadcapture.send_email"].apply(args=[email_id]).get()
        for number, app in enumerate(apps):
            with app.app_context():
                leads = db.session.scalars(sa.select(Lead.email)).all()
                assert leads == [f"shop{number}@example.com"]
                assert db.session.scalars(sa.select(Email.status)).all() == ["sent"], number
                db.session.remove()
                db.engine.dispose()
        assert sorted(m["Subject"] for m in inbox.messages) == ["From shop 0", "From shop 1"]
    finally:
        server.stop()
