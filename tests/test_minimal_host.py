"""A stranger's app mounts the plug-in: its own User model, its own Flask-Migrate setup,
no storefront import. It runs the plug-in's migrations, sends the signals, gets leads."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_login import LoginManager, UserMixin
from flask_migrate import Migrate, init
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column

from leadcapture import LeadCapture, LeadStatus, ValidationError, capture_lead, signals
from leadcapture.models import Customer, Lead
from leadcapture.staff import staff_name


def make_host(database: str, migrations: Path) -> tuple[Flask, SQLAlchemy, type]:
    app = Flask("minimal_host", root_path=str(migrations.parent))
    app.config.update(SQLALCHEMY_DATABASE_URI=database, SECRET_KEY="x", TESTING=True)
    db = SQLAlchemy(app)

    class Member(UserMixin, db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "members"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(200))
        name: Mapped[str] = mapped_column(sa.String(200))
        admin: Mapped[bool] = mapped_column(default=False)

    login = LoginManager(app)
    login.user_loader(lambda user_id: db.session.get(Member, int(user_id)))
    Migrate(app, db, directory=str(migrations))
    LeadCapture(
        app,
        db=db,
        is_staff=lambda user: user.admin,
        load_user=lambda user_id: db.session.get(Member, int(user_id)),
    )
    return app, db, Member


@pytest.fixture
def host(tmp_path: Path) -> tuple[Flask, SQLAlchemy, type]:
    migrations = tmp_path / "migrations"
    app, db, member = make_host(f"sqlite:///{tmp_path / 'host.sqlite3'}", migrations)
    with app.app_context():
        init(directory=str(migrations))
        env = migrations / "env.py"
        # The host keeps its own logging; Alembic's template would reconfigure it.
        env.write_text(env.read_text().replace("fileConfig(config.config_file_name)", ""))
        db.create_all()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])  # the host's own command
    assert result.exit_code == 0, result.output
    return app, db, member


def test_a_minimal_host_runs_the_plug_in_migrations_in_its_own_setup(host) -> None:  # type: ignore[no-untyped-def]
    app, db, _ = host
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {
            "lc_leads",
            "lc_addresses",
            "lc_customers",
            "lc_contacts",
            "lc_history",
            "lc_carts",
            "lc_emails",
            "lc_api_tokens",
            "members",
        } <= tables
        version = db.session.scalar(sa.text("SELECT version_num FROM lc_alembic_version"))
        assert version == "lc0026"  # the plug-in's head, in its own version table


def test_a_minimal_host_sends_the_signals_and_gets_leads(host) -> None:  # type: ignore[no-untyped-def]
    app, db, member = host
    created: list[str] = []
    signals.lead_created.connect(
        lambda sender, lead, **kw: created.append(lead.email), sender=app, weak=False
    )
    with app.app_context():
        ada = member(email="ada@example.com", name="Ada L")
        db.session.add(ada)
        db.session.commit()
        signals.user_registered.send(
            app, user_id=str(ada.id), email="Ada@Example.com", full_name="Ada L"
        )
        signals.cart_changed.send(
            app,
            cart_id="c1",
            user_id=str(ada.id),
            currency="gbp",
            lines=[{"sku": "X", "name": "X", "quantity": 2, "unit_price": "3.50"}],
        )
        signals.checkout_email_given.send(app, cart_id="c1", email="ada@example.com")
        signals.order_placed.send(
            app,
            order_id="42",
            user_id=str(ada.id),
            email="ada@example.com",
            full_name="Ada L",
            total="7.00",
            currency="GBP",
            cart_id="c1",
            billing_address={"address_line1": "1 Way", "city": "Leeds", "country": "UK"},
        )
        signals.order_placed.send(
            app,
            order_id="43",
            email="bob@example.com",
            full_name="Bob B",
            total="1.00",
            currency="GBP",
        )

        leads = {lead.email: lead for lead in db.session.scalars(sa.select(Lead))}
        assert set(leads) == {"ada@example.com", "bob@example.com"}
        assert leads["ada@example.com"].status == LeadStatus.CONVERTED
        assert leads["ada@example.com"].addresses[0].name == "Ada L-Billing"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 2
    assert created == ["ada@example.com", "bob@example.com"]


def test_a_failing_capture_never_breaks_the_host(host, caplog) -> None:  # type: ignore[no-untyped-def]
    app, db, _ = host
    with app.app_context():
        signals.user_registered.send(app, user_id="1", email="not an email", full_name="X")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 0
    assert "register_web_user failed" in caplog.text


def test_the_host_staff_callable_guards_the_back_office(host) -> None:  # type: ignore[no-untyped-def]
    app, db, member = host
    with app.app_context():
        db.session.add_all(
            [
                member(email="boss@example.com", name="Boss", admin=True),
                member(email="shopper@example.com", name="Shopper"),
            ]
        )
        db.session.commit()

    @app.login_manager.user_loader
    def load(user_id: str):  # type: ignore[no-untyped-def]
        return db.session.get(member, int(user_id))

    client = app.test_client()
    assert client.get("/backoffice/").status_code == 401
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    page = client.get("/backoffice/")
    assert page.status_code == 200
    assert "<h1>Leads</h1>" in page.get_data(as_text=True)
    assert "Leaf" not in page.get_data(as_text=True)  # the plug-in's own base template
    with client.session_transaction() as session:
        session["_user_id"] = "2"
    assert client.get("/backoffice/").status_code == 403


def test_without_a_staff_list_staff_ids_are_checked_by_loading_the_user(host) -> None:  # type: ignore[no-untyped-def]
    app, db, member = host
    app.login_manager.user_loader(lambda user_id: db.session.get(member, int(user_id)))
    with app.app_context():
        db.session.add_all(
            [
                member(email="boss@example.com", name="Boss", admin=True),
                member(email="shopper@example.com", name="Shopper"),
            ]
        )
        db.session.commit()
    with app.test_request_context():
        lead, _ = capture_lead(db.session, source="Reference", lead_name="Kim", assigned_to="1")
        assert lead.assigned_to == "1" and staff_name("1") == "Boss"
        for user_id in ("2", "3"):  # a shopper; nobody
            with pytest.raises(ValidationError) as refused:
                capture_lead(db.session, source="Reference", lead_name="Lee", assigned_to=user_id)
            assert set(refused.value.errors) == {"assigned_to"}


def count_leads(db: SQLAlchemy) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Lead)) or 0


def test_any_sender_reaches_the_plug_in(host) -> None:  # type: ignore[no-untyped-def]
    """``current_app`` (the proxy) or no sender at all: the plug-in finds the app."""
    from flask import current_app

    app, db, _ = host
    with app.app_context():
        signals.user_registered.send(current_app, user_id="1", email="a@example.com", full_name="A")
        signals.user_registered.send(None, user_id="2", email="b@example.com", full_name="B")
        signals.user_registered.send(user_id="3", email="c@example.com", full_name="C")
        assert count_leads(db) == 3
    with pytest.raises(RuntimeError, match="need an app"):
        signals.user_registered.send(None, user_id="4", email="d@example.com", full_name="D")


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        ({"user_id": "1", "email": "a@example.com"}, "full_name"),
        ({"user_id": "1", "email": "a@example.com", "full_name": "A", "fullname": "A"}, "fullname"),
        ({"user_id": "1", "email": ["a@example.com"], "full_name": "A"}, "email must be str"),
        (
            {"user_id": 1.5, "email": "a@example.com", "full_name": "A"},
            "user_id must be str or int",
        ),
    ],
)
def test_a_payload_the_plug_in_cannot_take_raises_in_the_shops_code(
    host, payload: dict[str, str], said: str
) -> None:  # type: ignore[no-untyped-def]
    app, db, _ = host
    with app.app_context():
        with pytest.raises(TypeError) as refused:
            signals.user_registered.send(app, **payload)
        assert "leadcapture.signals.user_registered" in str(refused.value)
        assert said in str(refused.value)
        assert count_leads(db) == 0


def test_a_signed_in_shoppers_idle_cart_is_swept_without_an_email(host) -> None:  # type: ignore[no-untyped-def]
    """The shop reports the cart of a signed-in user without an email: the plug-in takes
    it from that user's lead."""
    from datetime import UTC, datetime, timedelta

    from leadcapture.models import TrackedCart
    from leadcapture.sweep import run_sweep

    app, db, _ = host
    with app.app_context():
        signals.user_registered.send(app, user_id="7", email="ann@example.com", full_name="Ann")
        signals.cart_changed.send(
            app,
            cart_id="member-7",
            user_id="7",
            currency="EUR",
            lines=[{"sku": "X", "name": "X", "quantity": 1, "unit_price": "5.00"}],
            updated_at=datetime.now(UTC) - timedelta(hours=2),
        )
        assert run_sweep(db.session).abandoned == 1
        cart = db.session.scalars(sa.select(TrackedCart)).one()
        assert (cart.email, cart.state) == ("ann@example.com", "abandoned")


def test_users_are_named_by_the_hosts_callable_or_the_first_name_they_have() -> None:
    from types import SimpleNamespace

    from leadcapture.webuser import user_display_name

    assert user_display_name(SimpleNamespace(username="ada", email="a@example.com")) == "ada"
    assert user_display_name(SimpleNamespace(name=" ", email="a@example.com")) == "a@example.com"
    assert user_display_name(SimpleNamespace(full_name="Ada L", username="ada")) == "Ada L"
    named = LeadCapture(db=SQLAlchemy(), display_name=lambda user: f"@{user.handle}")
    assert named.display_name(SimpleNamespace(handle="ada")) == "@ada"


def test_a_host_leaves_out_parts_names_the_cli_group_and_gives_its_base_template(
    tmp_path: Path,
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "shell.html").write_text(
        "<html><head><title>{% block title %}{% endblock %} | Host Shop</title>"
        "{% block head %}{% endblock %}</head>"
        '<body class="host">{% block content %}{% endblock %}</body></html>'
    )
    app = Flask("host_parts", root_path=str(tmp_path))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite3'}",
        SECRET_KEY="x",
        LEADCAPTURE_WEBFORM=False,
        LEADCAPTURE_PORTAL=False,
        LEADCAPTURE_CLI_GROUP="crm",
        LEADCAPTURE_BASE_TEMPLATE="shell.html",
    )
    db = SQLAlchemy(app)
    LoginManager(app).user_loader(lambda user_id: None)
    LeadCapture(app, db=db, is_staff=lambda user: True, load_user=lambda user_id: None)
    result = app.test_cli_runner().invoke(args=["crm", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.get("/leadcapture/form").status_code == 404
    assert client.get("/account/addresses/new").status_code == 404
    assert "leadcapture_backoffice" in app.blueprints
    unsubscribe = client.get("/leadcapture/unsubscribe/not-a-token")  # links stay mounted
    body = unsubscribe.get_data(as_text=True)
    assert unsubscribe.status_code == 400 and '<body class="host">' in body
    assert "| Host Shop</title>" in body
    result = app.test_cli_runner().invoke(args=["crm", "sweep"])
    assert result.exit_code == 0 and "Sweep done" in result.output, result.output


def test_an_event_that_cannot_be_written_never_fails_the_hosts_commit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A host that made its own tables with ``db.create_all()`` and not the plug-in's:
    the event sent before its commit is rolled back alone, logged, and the host commits."""
    app = Flask("no_tables", root_path=str(tmp_path))
    app.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite3'}")
    db = SQLAlchemy(app)

    class Account(db.Model):  # type: ignore[name-defined,misc]
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str] = mapped_column(sa.String(80))

    LeadCapture(app, db=db, load_user=lambda user_id: None)
    with app.app_context():
        db.create_all()  # the host's tables only: Account has its own metadata
        assert "lc_inbound_events" not in sa.inspect(db.engine).get_table_names()
        account = Account(username="ada")
        db.session.add(account)
        db.session.flush()
        signals.user_registered.send(app, user_id="1", email="ada@example.com", full_name="Ada")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 1
    assert "could not keep the user_registered event" in caplog.text
