"""The app factory, the first start, settings from the environment, and create-staff."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from storefront import create_app
from storefront.extensions import db
from storefront.models import Product, User

from .helpers import Shopper

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "instance"
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(folder))
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)
    return folder


def test_the_first_start_migrates_and_seeds_sqlite_in_the_instance_folder(instance: Path) -> None:
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'storefront.sqlite3'}"
    assert (instance / "storefront.sqlite3").exists()
    assert (instance / "secret_key").exists()
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"shop_users", "shop_products", "lc_leads", "alembic_version"} <= tables
        products = db.session.scalar(select(sa.func.count()).select_from(Product))
        staff = db.session.scalars(select(User).where(User.is_staff.is_(True))).one()
        assert products == 6 and staff.email == "staff@example.com"
        db.engine.dispose()

    again = create_app()
    with again.app_context():
        assert db.session.scalar(select(sa.func.count()).select_from(Product)) == 6
        assert db.session.scalar(select(sa.func.count()).select_from(User)) == 1
        db.engine.dispose()
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]

    browser = Shopper(again)
    assert browser.login("staff@example.com", "demo-staff-password").status_code == 302
    assert browser.get("/backoffice/").status_code == 200
    with again.app_context():
        db.engine.dispose()


def test_settings_come_from_flask_prefixed_environment_variables(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", url)
    monkeypatch.setenv("FLASK_STOREFRONT_CURRENCY", "GBP")
    monkeypatch.setenv("FLASK_STOREFRONT_SEED_DEMO", "false")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert app.config["STOREFRONT_CURRENCY"] == "GBP"
    assert (tmp_path / "from-env.sqlite3").exists()
    with app.app_context():
        assert db.session.scalar(select(sa.func.count()).select_from(Product)) == 0
        db.engine.dispose()


def test_create_staff_prompts_for_the_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-staff", "Boss@Example.com"], input="long password\nlong password\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "boss@example.com")).one()
        assert user.is_staff and user.check_password("long password")


def test_create_staff_refuses_a_short_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-staff", "boss@example.com", "--password", "short"])
    assert result.exit_code != 0 and "--password" in result.output
    with app.app_context():
        assert (
            db.session.scalars(select(User).where(User.email == "boss@example.com")).first() is None
        )


def test_wsgi_exposes_the_app_and_the_flask_command_makes_staff(instance: Path) -> None:
    env = {**os.environ, "STOREFRONT_INSTANCE_PATH": str(instance)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "create-staff",
            "ops@example.com",
            "--password",
            "a long password",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ops@example.com" in result.stdout
    check = subprocess.run(
        [sys.executable, "-c", "import wsgi; print(type(wsgi.app).__name__, wsgi.app.name)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.stdout.split() == ["Flask", "storefront"], check.stderr
