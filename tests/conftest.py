"""Fixtures: ``app``, ``client``, ``runner`` and ``shopper`` on SQLite, or on PostgreSQL
when ``LEADCAPTURE_TEST_DATABASE_URL`` names one (its tables are dropped first)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from leadcapture.models import metadata as leadcapture_metadata
from storefront import create_app
from storefront.extensions import db

from .browsing import live_server, page  # noqa: F401  (fixtures for the browser tests)
from .helpers import Shopper

DATABASE_URL_VARIABLE = "LEADCAPTURE_TEST_DATABASE_URL"


def _wipe(engine: sa.Engine) -> None:
    """Drop every table, so the migrations start from an empty database."""
    found = sa.MetaData()
    found.reflect(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in found.tables:
                connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        else:
            found.drop_all(connection)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get(DATABASE_URL_VARIABLE)
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    engine = sa.create_engine(url)
    _wipe(engine)
    engine.dispose()
    return url


def _empty_tables() -> None:
    """Leave the migrated schema, drop the rows: each test starts from a fresh shop."""
    tables = [t for md in (db.metadata, leadcapture_metadata) for t in md.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
            # The ids start again at 1, as RESTART IDENTITY does (lc_leads is AUTOINCREMENT).
            connection.execute(sa.text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STOREFRONT_DEMO_STAFF_PASSWORD": "staff-password",
            # Tests sign in and up many times from one address; test_security sets them.
            "STOREFRONT_LOGIN_RATE_LIMIT": "1000 per minute",
            "STOREFRONT_REGISTER_RATE_LIMIT": "1000 per minute",
            "STOREFRONT_CAPTURE_RATE_LIMIT": "1000 per minute",
            # The plug-in's own timing, not the demo's minute-long story (test_demo.py).
            "LEADCAPTURE_ABANDONED_AFTER_MINUTES": 60,
            "LEADCAPTURE_RECOVERY_SCHEDULE_HOURS": (1, 24, 72),
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def shopper(app: Flask) -> Shopper:
    return Shopper(app)


@pytest.fixture
def other_shopper(app: Flask) -> Shopper:
    return Shopper(app)


@pytest.fixture
def staff(app: Flask) -> Shopper:
    browser = Shopper(app)
    browser.login("staff@example.com", "staff-password")
    return browser


class Inbox:
    """What a real local SMTP server (aiosmtpd) received, parsed."""

    def __init__(self) -> None:
        #: What the plug-in sent (recovery emails); the shop's order confirmations, which
        #: every checkout sends, are kept apart in ``confirmations``.
        self.messages: list[EmailMessage] = []
        self.confirmations: list[EmailMessage] = []
        #: Set to a cleared Event, it holds every conversation at RCPT TO until set: a
        #: sender stuck in the middle of its SMTP conversation. ``held`` counts them.
        self.gate: threading.Event | None = None
        self.held = 0

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.gate is not None:
            self.held += 1
            while not self.gate.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        mine = str(parsed["Subject"] or "").startswith("Your order ")
        (self.confirmations if mine else self.messages).append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(app: Flask) -> Iterator[Inbox]:
    """An SMTP server on a loopback port, and the app's MAIL_* settings pointing at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_DEFAULT_SENDER="Leaf & Kettle <shop@leafandkettle.example>",
    )
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def imap_server() -> Iterator[Any]:
    """Dovecot on a loopback port for the whole run (skipped where it is not installed;
    .ci/run installs it). Its folder is outside pytest's, which only its owner may enter."""
    import shutil
    import tempfile

    from .imapserver import DOVECOT, ImapServer

    if not os.path.exists(DOVECOT):
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="leadcapture-imap-"))
    server = ImapServer(root, free_port())
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(app: Flask, imap_server: Any) -> Any:
    """A fresh mailbox of the IMAP server, and the app's LEADCAPTURE_IMAP_* set to it;
    yields a ``deliver(*messages)`` function."""
    from .imapserver import PASSWORD

    user = f"shop{os.urandom(4).hex()}"
    app.config.update(
        LEADCAPTURE_IMAP_HOST="127.0.0.1",
        LEADCAPTURE_IMAP_PORT=imap_server.port,
        LEADCAPTURE_IMAP_SSL=False,
        LEADCAPTURE_IMAP_USER=user,
        LEADCAPTURE_IMAP_PASSWORD=PASSWORD,
    )

    class Mailbox:
        def deliver(self, *messages: bytes) -> None:
            imap_server.deliver(user, *messages)

        def unseen(self) -> int:
            return int(imap_server.unseen(user))

    return Mailbox()


@pytest.fixture
def empty_database(database_url: str, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database of its own, so the shared test schema stays as it is."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"lc_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Receiver:
    """A webhook endpoint: a real HTTP server on a loopback port. What it was posted, and
    the status it answers."""

    url: str = ""
    status: int = 200
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _, _, body in self.posts]


@pytest.fixture
def receiver(app: Flask) -> Iterator[Receiver]:
    got = Receiver()

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.posts.append((self.path, dict(self.headers), body))
            self.send_response(got.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    got.url = f"http://127.0.0.1:{server.server_port}/hooks/leads?shop=1"
    app.config["LEADCAPTURE_WEBHOOKS_ALLOW_PRIVATE"] = True  # a loopback receiver
    yield got
    server.shutdown()
    server.server_close()
