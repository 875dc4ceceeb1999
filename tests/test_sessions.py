"""Sessions: a new one at each sign-in, and none that outlives a sign-out or a new password."""

from __future__ import annotations

from flask import Flask

from .helpers import Shopper, csrf_token


def copy_of(app: Flask, browser: Shopper) -> Shopper:
    """Another browser holding a copy of this browser's session cookie."""
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    thief = Shopper(app)
    thief.client.set_cookie("session", cookie.value, domain=cookie.domain)
    return thief


def signed_in(browser: Shopper) -> bool:
    return browser.get("/account").status_code == 200


def test_signing_in_starts_a_new_session_with_a_new_csrf_token(app: Flask) -> None:
    Shopper(app).register(email="jane@example.com")
    browser = Shopper(app)
    before = csrf_token(browser.get("/login").get_data(as_text=True))
    planted = browser.client.get_cookie("session")
    browser.login("jane@example.com")
    after = csrf_token(browser.get("/account").get_data(as_text=True))
    assert after != before
    assert browser.client.get_cookie("session").value != planted.value  # type: ignore[union-attr]


def test_a_guest_cart_survives_the_new_session(app: Flask) -> None:
    Shopper(app).register(email="jane@example.com")
    browser = Shopper(app)
    browser.add_to_cart("TEA-001", 2)
    browser.login("jane@example.com")
    assert "Sencha green tea" in browser.get("/cart").get_data(as_text=True)


def test_a_copied_cookie_stops_working_after_sign_out(app: Flask) -> None:
    jane = Shopper(app)
    jane.register(email="jane@example.com")
    thief = copy_of(app, jane)
    assert signed_in(thief)
    jane.logout()
    assert not signed_in(jane) and not signed_in(thief)


def test_a_new_password_ends_every_other_session(app: Flask) -> None:
    jane = Shopper(app)
    jane.register(email="jane@example.com", password="correct horse battery")
    laptop = Shopper(app)
    laptop.login("jane@example.com", "correct horse battery")
    thief = copy_of(app, laptop)
    assert signed_in(laptop) and signed_in(thief)
    wrong = jane.submit(
        "/account/password",
        {"current": "not it", "password": "new horse battery", "confirm": "new horse battery"},
    )
    assert "This is not your password." in wrong.get_data(as_text=True)
    assert signed_in(laptop)
    done = jane.submit(
        "/account/password",
        {
            "current": "correct horse battery",
            "password": "new horse battery",
            "confirm": "new horse battery",
        },
    )
    assert done.status_code == 302
    assert signed_in(jane)  # this session goes on
    assert not signed_in(laptop) and not signed_in(thief)
    assert jane.logout().status_code == 302
    fresh = Shopper(app)
    assert fresh.login("jane@example.com", "new horse battery").status_code == 302
    assert signed_in(fresh)


def test_a_recovery_code_survives_the_new_session(app: Flask) -> None:
    Shopper(app).register(email="jane@example.com")
    browser = Shopper(app)
    with browser.client.session_transaction() as session:
        session["coupon"] = "BACK-1234"
        session["something_else"] = "gone"
    browser.login("jane@example.com")
    with browser.client.session_transaction() as session:
        assert session.get("coupon") == "BACK-1234" and "something_else" not in session
