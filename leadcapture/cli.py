"""``flask leads …``: thin commands over the domain."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from .followups import remind
from .sweep import run_sweep
from .transactions import current_session

leads_cli = AppGroup("leads", help="Leadcapture: leads from the shop.")


@leads_cli.command("sweep")
def sweep_command() -> None:
    """Abandon idle carts (making their leads), mark lost carts, send recovery emails."""
    result = run_sweep(current_session(), progress=lambda line: click.echo(line))
    click.echo(
        f"Sweep done: {result.abandoned} cart(s) abandoned, {result.leads_created} new "
        f"lead(s), {result.lost} lost, {result.emails} recovery email(s)."
    )


@leads_cli.command("remind")
def remind_command() -> None:
    """Set leads whose next contact date has come to Open (once per date)."""
    session = current_session()
    count = remind(session, today=date.today())
    session.commit()
    click.echo(f"Reminders: {count} lead(s) due for follow-up.")
