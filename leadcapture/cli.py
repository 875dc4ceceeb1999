"""``flask leads …``: thin commands over the domain."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select, text

from . import schema
from .errors import ValidationError
from .events.store import retry as retry_events
from .exporting import export_csv
from .followups import remind
from .i18n import gettext, ngettext
from .importing import import_leads
from .mail.imap import MailboxError, fetch_mail
from .mail.sending import rules_from as send_rules
from .mail.sending import send_waiting
from .models import InboundEvent
from .models.event import DEAD, PENDING
from .scoring import score_leads
from .spreadsheets import open_sheet
from .sweep import run_sweep
from .transactions import current_session
from .webhooks.delivery import DeliveryRules, deliver_waiting


@click.pass_context
@with_appcontext
def _tables_ready(context: click.Context) -> None:
    """Every command but ``db`` needs the plug-in's tables current."""
    if context.invoked_subcommand != "db":
        try:
            schema.ensure_ready(current_app._get_current_object())  # type: ignore[attr-defined]
        except schema.TablesNotReady as error:
            raise click.ClickException(str(error)) from None


leads_cli = AppGroup("leads", help="Leadcapture: leads from the shop.", callback=_tables_ready)
database_cli = AppGroup("db", help="The plug-in's tables: their own migrations.")
leads_cli.add_command(database_cli)


@database_cli.command("upgrade")
@click.argument("revision", default="head")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
def upgrade_command(revision: str, sql: bool) -> None:
    """Create the plug-in's tables, or upgrade them to REVISION (default: the latest)."""
    schema.upgrade(revision, sql=sql)


@database_cli.command("downgrade")
@click.argument("revision")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
def downgrade_command(revision: str, sql: bool) -> None:
    """Walk the plug-in's tables back to REVISION (``base``: drop them all)."""
    schema.downgrade(revision, sql=sql)


@database_cli.command("current")
def current_command() -> None:
    """Say which revision the plug-in's tables are at, and what is wrong if anything."""
    with current_app.extensions["leadcapture"].db.engine.connect() as connection:
        at = ", ".join(sorted(schema.current(connection))) or "none"
        problem = schema.problem(connection)
    click.echo(f"Leadcapture tables at: {at}. {problem or 'Current.'}")


@leads_cli.command("sweep")
def sweep_command() -> None:
    """Abandon idle carts (making their leads), mark lost carts, send recovery emails."""
    result = run_sweep(current_session(), progress=lambda line: click.echo(line))
    handled = ngettext("%(num)d kept event handled", "%(num)d kept events handled", result.events)
    summary = f"{result}; {result.webhooks}; {handled}"
    click.echo(gettext("Sweep done: %(summary)s.", summary=summary))


@leads_cli.command("retry")
def retry_command() -> None:
    """Handle the captured events a failure kept back, and send failed emails and
    webhooks again."""
    session = current_session()
    config = current_app.config
    events = retry_events(session, max_attempts=int(config["LEADCAPTURE_EVENT_MAX_ATTEMPTS"]))
    sending = send_waiting(session, config, rules=send_rules(config))
    webhooks = deliver_waiting(session, DeliveryRules.of(config))
    waiting = session.scalar(select(func.count()).select_from(InboundEvent).where(text(PENDING)))
    dead = session.scalar(select(func.count()).select_from(InboundEvent).where(text(DEAD)))
    session.rollback()
    click.echo(
        gettext(
            "Retry: %(handled)s, %(waiting)s, %(dead)s dead (see the back office's outbox);"
            " %(sending)s; %(webhooks)s.",
            handled=ngettext("%(num)d kept event handled", "%(num)d kept events handled", events),
            waiting=ngettext(
                "%(num)d event still waiting", "%(num)d events still waiting", waiting or 0
            ),
            dead=dead,
            sending=sending,
            webhooks=webhooks,
        )
    )


@leads_cli.command("score")
def score_command() -> None:
    """Score every lead from 0 to 100 (daily, from cron: recency moves every day)."""
    session = current_session()
    result = score_leads(session)
    session.commit()
    click.echo(f"Scores: {result}")


@leads_cli.command("remind")
def remind_command() -> None:
    """Set leads whose next contact date has come to Open (once per date)."""
    session = current_session()
    count = remind(session, today=date.today())
    session.commit()
    click.echo(
        ngettext(
            "Reminders: %(num)d lead due for follow-up.",
            "Reminders: %(num)d leads due for follow-up.",
            count,
        )
    )


@leads_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", help="The staff user id to record as the leads' owner.")
def import_command(file: Path, by: str | None) -> None:
    """Import leads from a CSV or XLSX FILE (columns by header; ERPNext's names work)."""
    session = current_session()
    bar: Any = None

    def advance(amount: int) -> None:
        if bar is not None:
            bar.update(amount)

    try:
        sheet = open_sheet(file, progress=advance)
        with click.progressbar(length=sheet.size, label="Importing", file=sys.stderr) as bar:
            report = import_leads(session, sheet, filename=file.name, by=by)
        session.commit()
    except ValidationError as error:
        session.rollback()
        raise click.ClickException(f"Nothing imported. {error}") from None
    for problem in report.problems:
        click.echo(f"line {problem.line}: {problem.field}: {problem.message}", err=True)
    if report.skipped > len(report.problems):
        more = report.skipped - len(report.problems)
        click.echo(
            ngettext("… and %(num)d more bad row.", "… and %(num)d more bad rows.", more), err=True
        )
    if report.ignored_columns:
        click.echo(f"Columns ignored: {', '.join(report.ignored_columns)}", err=True)
    click.echo(
        gettext(
            "Imported %(rows)s: %(created)s, %(merged)s merged into known leads,"
            " %(skipped)s skipped.",
            rows=ngettext("%(num)d row", "%(num)d rows", report.rows),
            created=ngettext("%(num)d new lead", "%(num)d new leads", report.created),
            merged=report.merged,
            skipped=report.skipped,
        )
    )


@leads_cli.command("export")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--q", "q", help="Search name, email, company and id.")
@click.option("--status")
@click.option("--source")
@click.option("--assigned-to")
@click.option("--created-after", help="A date or ISO 8601 time.")
@click.option("--created-before", help="A date or ISO 8601 time.")
def export_command(output: TextIO, **filters: str | None) -> None:
    """Write the leads matching the filters as CSV (to stdout, or --output FILE)."""
    params = {name: value for name, value in filters.items() if value}
    try:
        pieces = export_csv(current_session(), params)
        for piece in pieces:
            output.write(piece)
    except ValidationError as error:
        raise click.ClickException(str(error)) from None


@leads_cli.command("fetch-mail")
def fetch_mail_command() -> None:
    """Read the mailbox's new messages: new senders become leads, known ones' history."""
    try:
        result = fetch_mail(
            current_session(), current_app.config, progress=lambda line: click.echo(line)
        )
    except MailboxError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        gettext(
            "Mail: %(read)s, %(created)s, %(on_history)s on known leads' history, %(skipped)s"
            " skipped, %(taken_before)s taken before, %(failed)s failed (left for the next run).",
            read=ngettext("%(num)d message read", "%(num)d messages read", result.seen),
            created=ngettext("%(num)d new lead", "%(num)d new leads", result.leads_created),
            on_history=result.on_history,
            skipped=result.skipped,
            taken_before=result.taken_before,
            failed=result.failed,
        )
    )
