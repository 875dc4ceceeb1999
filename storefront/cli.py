"""The shop's commands: ``flask create-staff EMAIL``, ``flask seed-demo``."""

from __future__ import annotations

import click
from flask import Flask

from .extensions import db
from .seed import create_staff, seed_demo


def register(app: Flask) -> None:
    @app.cli.command("create-staff")
    @click.argument("email")
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Asked for when left out.",
    )
    @click.option("--name", "full_name", default="Staff", show_default=True)
    def create_staff_command(email: str, password: str, full_name: str) -> None:
        """Make EMAIL a staff user who may use the back office."""
        if len(password) < 8:
            raise click.BadParameter("at least 8 characters", param_hint="--password")
        if "@" not in email or len(email) > 254:
            raise click.BadParameter("not an email address", param_hint="EMAIL")
        user = create_staff(db.session, email, password, full_name=full_name)
        db.session.commit()
        click.echo(f"Staff user {user.email} is ready.")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Add the demo catalog and the demo staff account (once; again changes nothing)."""
        seed_demo(db.session, app.config["STOREFRONT_DEMO_STAFF_PASSWORD"])
        click.echo("The demo catalog and staff account are in place.")
