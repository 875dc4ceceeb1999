"""The README's first command tells the whole story: the demo shop's own timing abandons
a guest cart within a minute and makes its first recovery email due at once, so "Run
sweep now" puts one in the outbox; the first start says where to go and how to sign in."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from storefront import create_app
from storefront.extensions import db

from .helpers import Shopper, age_carts, csrf_token, guest_with_cart


def test_the_demo_shows_a_recovery_email_a_minute_after_a_guest_leaves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "TESTING": True}
    )
    said = capsys.readouterr().err
    assert "http://127.0.0.1:5000/backoffice/" in said
    assert "staff@example.com / demo-staff-password" in said
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}"})
    assert capsys.readouterr().err == ""  # only on the first start

    guest_with_cart(app, "gus@example.com", "TEA-001", 1)
    age_carts(app, 1.5)  # a minute and a half without a change

    owner = Shopper(app)
    owner.login("staff@example.com", "demo-staff-password")
    page = owner.get("/backoffice/carts").get_data(as_text=True)
    swept = owner.client.post(
        "/backoffice/carts/sweep", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )
    assert swept.status_code == 200
    outbox = owner.get("/backoffice/outbox").get_data(as_text=True)
    assert "gus@example.com" in outbox
    with app.app_context():
        emails = db.session.scalar(sa.text("SELECT count(*) FROM lc_emails"))
        assert emails == 1
        db.engine.dispose()
