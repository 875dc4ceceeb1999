"""Mailbox intake against a real IMAP server (Dovecot): unknown senders become leads,
known ones' messages land on their history, each message is taken once."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from leadcapture import LeadStatus, capture_lead, set_status
from leadcapture.mail.imap import fetch_mail
from leadcapture.models import Contact, HistoryEntry, Lead, MailMessage
from storefront.extensions import db

from .helpers import Shopper, count


def message(
    sender: str = "Ann Ray <ann@example.com>",
    subject: str = "Wholesale prices?",
    body: str = "Do you sell oolong by the kilo?",
    message_id: str | None = "<m1@mail.example>",
    html: str | None = None,
    attachment: bytes | None = None,
    **headers: str,
) -> bytes:
    mail = EmailMessage()
    if sender:
        mail["From"] = sender
    mail["To"] = "shop@leafandkettle.example"
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    if html is not None:
        mail.set_content(html, subtype="html")
    else:
        mail.set_content(body)
    if attachment is not None:
        mail.add_attachment(
            attachment, maintype="application", subtype="octet-stream", filename="big.bin"
        )
    return mail.as_bytes()


def fetch(runner: FlaskCliRunner) -> str:
    result = runner.invoke(args=["leads", "fetch-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def history(app: Flask, email: str) -> list[HistoryEntry]:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        entries = list(lead.history)
        for entry in entries:
            db.session.expunge(entry)
        return entries


def lead_of(app: Flask, email: str) -> Lead:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        db.session.expunge(lead)
        return lead


def test_an_unknown_sender_becomes_a_lead_with_the_message(
    app: Flask, runner: FlaskCliRunner, mailbox: Any
) -> None:
    mailbox.deliver(message())
    output = fetch(runner)
    assert "1 message read, 1 new lead" in output
    lead = lead_of(app, "ann@example.com")
    assert (lead.lead_name, lead.source, lead.status) == ("Ann Ray", "Email", LeadStatus.LEAD)
    [email] = [e for e in history(app, "ann@example.com") if e.kind == "email_received"]
    assert email.subject == "Email received: Wholesale prices?"
    assert email.body == "Do you sell oolong by the kilo?"
    assert mailbox.unseen() == 0


def test_a_known_sender_lands_on_the_history_and_reopens_the_lead(
    app: Flask, runner: FlaskCliRunner, mailbox: Any
) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source="Reference", lead_name="Bo", email="bo@example.com"
        )
        set_status(db.session, lead, LeadStatus.REPLIED)
        db.session.commit()
    mailbox.deliver(message(sender="BO@Example.com", subject="Re: prices", message_id="<r1@x>"))
    assert "1 on known leads' history" in fetch(runner)
    assert lead_of(app, "bo@example.com").status == LeadStatus.OPEN
    assert history(app, "bo@example.com")[1].subject == "Email received: Re: prices"
    assert count(app, Lead) == 1


def test_a_customers_contact_lands_on_the_customers_lead(
    app: Flask, runner: FlaskCliRunner, mailbox: Any, shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com", full_name="Jane Doe")
    shopper.add_to_cart("TEA-001")
    shopper.checkout()
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        db.session.add(
            Contact(full_name="Buyer", email="buyer@janes.example", customer=lead.customer)
        )
        db.session.commit()
    mailbox.deliver(message(sender="Buyer <buyer@janes.example>", message_id="<c1@x>"))
    assert "1 on known leads' history" in fetch(runner)
    jane = lead_of(app, "jane@example.com")
    assert jane.status == LeadStatus.CONVERTED  # never moved out of Converted
    with app.app_context():
        entry = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.kind == "email_received")
        ).one()
        assert entry.lead_id == jane.id and entry.customer_id is not None
    assert count(app, Lead) == 1


def test_each_message_is_taken_once(app: Flask, runner: FlaskCliRunner, mailbox: Any) -> None:
    copy = message(message_id="<same@x>")
    mailbox.deliver(copy, copy)  # the same message twice (a resend, a second folder)
    assert "2 messages read, 1 new lead" in fetch(runner)
    assert "taken before" in fetch(runner) and mailbox.unseen() == 0
    mailbox.deliver(copy)
    assert "1 taken before" in fetch(runner)
    assert count(app, HistoryEntry, HistoryEntry.kind == "email_received") == 1


def test_a_run_cut_off_before_marking_seen_takes_nothing_twice(
    app: Flask, runner: FlaskCliRunner, mailbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim commits with the lead; the \\Seen flag comes after. A run that dies in
    between leaves the messages unseen, and the next run knows them by their Message-ID."""
    import imaplib

    mailbox.deliver(
        *(message(sender=f"p{i}@example.com", message_id=f"<p{i}@x>") for i in range(3))
    )
    real_uid = imaplib.IMAP4.uid

    def no_store(self: imaplib.IMAP4, command: str, *args: Any) -> Any:
        if command == "STORE":
            raise imaplib.IMAP4.abort("connection lost")
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", no_store)
    assert runner.invoke(args=["leads", "fetch-mail"]).exit_code != 0
    monkeypatch.undo()
    assert mailbox.unseen() == 3
    output = fetch(runner)  # the first run took one message, then lost the connection
    assert "2 new leads" in output and "1 taken before" in output
    assert count(app, MailMessage) == 3 and count(app, Lead) == 3
    assert count(app, HistoryEntry, HistoryEntry.kind == "email_received") == 3
    assert mailbox.unseen() == 0


def test_a_failing_message_is_left_for_the_next_run(
    app: Flask, runner: FlaskCliRunner, mailbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadcapture.mail import imap as mailbox_module

    mailbox.deliver(message(sender="ok@example.com", message_id="<ok@x>"))
    mailbox.deliver(message(sender="boom@example.com", message_id="<boom@x>"))
    real = mailbox_module.take_message

    def flaky(session: Any, inbound: Any) -> Any:
        if inbound.sender == "boom@example.com":
            raise RuntimeError("the database went away")
        return real(session, inbound)

    monkeypatch.setattr(mailbox_module, "take_message", flaky)
    assert "1 new lead" in fetch(runner) and mailbox.unseen() == 1
    assert count(app, MailMessage) == 1  # the failed one wrote nothing
    monkeypatch.undo()
    assert "1 new lead" in fetch(runner) and mailbox.unseen() == 0
    assert count(app, Lead) == 2


def test_hostile_and_odd_messages(app: Flask, runner: FlaskCliRunner, mailbox: Any) -> None:
    app.config["LEADCAPTURE_MAIL_MAX_BYTES"] = 100_000
    mailbox.deliver(
        message(
            sender="Hal <hal@example.com>",
            message_id="<html@x>",
            html="<p>Hi <b>there</b></p><script>alert(1)</script><style>p{}</style>",
        ),
        message(sender="Big <big@example.com>", message_id="<big@x>", attachment=b"\0" * 300_000),
        message(sender="", message_id="<nofrom@x>"),
        message(sender="not an address", message_id="<bad@x>"),
        message(sender="bot@example.com", message_id="<auto@x>", Auto_Submitted="auto-replied"),
        message(sender=f"{'N' * 500} <long@example.com>", message_id="<long@x>"),
        message(sender="noid@example.com", message_id=None),
    )
    output = fetch(runner)
    assert "7 messages read, 4 new leads" in output and "3 skipped" in output
    [hal] = [e for e in history(app, "hal@example.com") if e.kind == "email_received"]
    assert hal.body == "Hi there" and "alert" not in (hal.body or "")
    [big] = [e for e in history(app, "big@example.com") if e.kind == "email_received"]
    assert "larger than" in (big.body or "") and big.subject == "Email received: Wholesale prices?"
    assert lead_of(app, "long@example.com").lead_name == "N" * 140  # cut to the longest name
    assert lead_of(app, "noid@example.com").source == "Email"
    with app.app_context():
        reasons = set(
            db.session.scalars(select(MailMessage.reason).where(MailMessage.reason.is_not(None)))
        )
    assert reasons == {"No valid sender address.", "An automatic message (Auto-Submitted)."}
    assert mailbox.unseen() == 0
    mailbox.deliver(message(sender="noid@example.com", message_id=None))  # the same bytes
    assert "1 taken before" in fetch(runner)


def test_a_mailbox_that_cannot_be_read_is_a_clear_error(
    app: Flask, runner: FlaskCliRunner, mailbox: Any
) -> None:
    app.config["LEADCAPTURE_IMAP_PASSWORD"] = "wrong"
    result = runner.invoke(args=["leads", "fetch-mail"])
    assert result.exit_code != 0 and "The mailbox refused" in result.output
    app.config["LEADCAPTURE_IMAP_HOST"] = None
    result = runner.invoke(args=["leads", "fetch-mail"])
    assert result.exit_code != 0 and "LEADCAPTURE_IMAP_HOST" in result.output


def test_fetch_mail_is_a_plain_function(app: Flask, mailbox: Any) -> None:
    mailbox.deliver(message())
    with app.app_context():
        result = fetch_mail(db.session, app.config)
    assert (result.seen, result.leads_created) == (1, 1)


def test_a_fetch_answer_led_by_another_runs_flag_change_is_read() -> None:
    """While a second run marks messages seen, the server tells this connection so,
    unasked, before the part it asked for."""
    from leadcapture.mail.imap import _fetch

    class Server:
        def uid(self, *args: Any) -> tuple[str, list[Any]]:
            return "OK", [
                b"1 (FLAGS (\\Seen) UID 1)",
                (b"1 (UID 1 RFC822.SIZE 12 BODY[HEADER] {12}", b"Subject: x\r\n"),
                b")",
            ]

    meta, content = _fetch(Server(), "1", "(RFC822.SIZE BODY.PEEK[HEADER])")  # type: ignore[arg-type]
    assert content == b"Subject: x\r\n" and b"RFC822.SIZE 12" in meta
