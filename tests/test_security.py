"""The security surface: CSRF on every state-changing route, headers, cookies, login that
tells nothing, rate limits on the public forms, hashed passwords."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from storefront import create_app
from storefront.extensions import db
from storefront.models import User

from .helpers import Shopper, capture_email, csrf_token

#: State-changing routes that take no CSRF token, on purpose: the public web form (posted
#: from other sites, acting for nobody), RFC 8058's one-click unsubscribe (posted by mail
#: clients, carrying a signed token) and the JSON API (bearer tokens; a session's writes
#: there need the X-CSRFToken header, tested in test_api).
EXEMPT = {
    "leadcapture_webform.form",
    "leadcapture_links.unsubscribe",
}


def _fill(rule: str) -> str:
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule)


def test_every_state_changing_route_needs_a_csrf_token(app: Flask, staff: Shopper) -> None:
    checked = []
    for rule in app.url_map.iter_rules():
        writes = set(rule.methods or ()) & {"POST", "PUT", "PATCH", "DELETE"}
        if not writes or rule.endpoint in EXEMPT or rule.endpoint.startswith("leadcapture_api."):
            continue
        url = _fill(rule.rule)
        for method in writes:
            response = staff.client.open(url, method=method, data={"anything": "1"})
            assert response.status_code == 400, (method, url, response.status_code)
            assert "CSRF" in response.get_data(as_text=True), (method, url)
            checked.append(url)
    assert len(checked) > 20  # the walk found the routes


def test_api_writes_with_a_session_need_the_csrf_header(app: Flask, staff: Shopper) -> None:
    lead = {"lead_name": "X", "source": "Reference"}
    refused = staff.client.post("/backoffice/api/leads", json=lead)
    assert refused.status_code == 400 and list(refused.get_json()["errors"]) == ["csrf_token"]
    page = staff.get("/backoffice/").get_data(as_text=True)  # for the page's scripts:
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)  # type: ignore[union-attr]
    made = staff.client.post("/backoffice/api/leads", json=lead, headers={"X-CSRFToken": token})
    assert made.status_code == 201


PAGES = ["/", "/cart", "/register", "/login", "/account/addresses/new", "/backoffice/"]


def test_pages_forbid_inline_script_and_framing(app: Flask, staff: Shopper) -> None:
    for url in PAGES + ["/backoffice/dashboard", "/backoffice/carts", "/backoffice/import"]:
        response = staff.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url  # no inline script
        assert not re.search(r"\son[a-z]+\s*=", page), url  # no inline handlers


def test_only_the_web_form_may_be_framed(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/leadcapture/form")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def _session_cookie(response) -> str:  # type: ignore[no-untyped-def]
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookies_are_httponly_samesite_and_secure(app: Flask, shopper: Shopper) -> None:
    cookie = _session_cookie(shopper.client.get("/register"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_in_debug_the_cookie_works_over_plain_http(database_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "DEBUG": True})
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_passwords_are_hashed_with_scrypt(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com", password="correct horse battery")
    with app.app_context():
        stored = db.session.scalars(
            select(User.password_hash).where(User.email == "jane@example.com")
        ).one()
    assert stored.startswith("scrypt:") and "correct horse battery" not in stored


def _login(app: Flask, email: str, password: str) -> tuple[int, str, float]:
    browser = Shopper(app)
    token = csrf_token(browser.get("/login").get_data(as_text=True))
    started = time.perf_counter()
    response = browser.client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    took = time.perf_counter() - started
    body = response.get_data(as_text=True).replace(token, "")
    body = re.sub(r'value="[^"]*"', "", body)  # the typed email comes back in the form
    return response.status_code, body, took


def test_unknown_email_and_wrong_password_look_the_same(
    app: Flask, shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same page, and the same work: each checks one scrypt hash (what takes the
    time), so no timing tells an unknown email from a wrong password. Counted, not timed:
    a timing on a shared machine flakes."""
    from werkzeug import security

    from storefront import models

    shopper.register(email="jane@example.com", password="correct horse battery")
    checked: list[str] = []

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$", 1)[0])
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    unknown = [_login(app, "nobody@example.com", "whatever password") for _ in range(3)]
    wrong = [_login(app, "jane@example.com", "whatever password") for _ in range(3)]
    assert {(s, b) for s, b, _ in unknown} == {(s, b) for s, b, _ in wrong}
    assert "Email or password is wrong." in unknown[0][1]
    assert len(checked) == 6 and all(method.startswith("scrypt") for method in checked)


@pytest.mark.parametrize(
    "path, setting",
    [
        ("/login", "STOREFRONT_LOGIN_RATE_LIMIT"),
        ("/register", "STOREFRONT_REGISTER_RATE_LIMIT"),
    ],
)
def test_login_and_registration_are_rate_limited_per_address(
    app: Flask, path: str, setting: str
) -> None:
    app.config[setting] = "3 per minute"
    browser = Shopper(app)
    token = csrf_token(browser.get(path).get_data(as_text=True))
    data = {"csrf_token": token, "email": "x@example.com", "password": "p"}
    statuses = [browser.client.post(path, data=data).status_code for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429
    assert 'data-field="form"' in browser.client.post(path, data=data).get_data(as_text=True)
    elsewhere = browser.client.post(path, data=data, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code != 429


def test_a_body_over_the_limit_gets_413_before_it_is_read(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    import io

    class Endless(io.RawIOBase):
        """A body that fails the test if anyone reads it."""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise AssertionError("the body was read")

    for path in ("/login", "/checkout/email", "/leadcapture/form", "/backoffice/import"):
        response = client.post(
            path,
            content_type="multipart/form-data; boundary=xyz",  # a file upload: spooled to disk
            environ_overrides={
                "wsgi.input": Endless(),
                "CONTENT_LENGTH": str(1536 * 1024 * 1024),  # 1.5 GB announced
            },
        )
        assert response.status_code == 413, path


def test_the_import_upload_has_its_own_larger_limit_for_staff_only(
    app: Flask, staff: Shopper, shopper: Shopper
) -> None:
    import io

    app.config["MAX_CONTENT_LENGTH"] = 1024
    csv = b"email,lead_name\n" + b"".join(
        f"p{n}@example.com,Person {n}\n".encode() for n in range(200)
    )
    assert len(csv) > 1024
    token = csrf_token(staff.get("/backoffice/import").get_data(as_text=True))
    done = staff.client.post(
        "/backoffice/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv), "people.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and "<strong>200</strong> new leads" in done.get_data(
        as_text=True
    )
    shopper.register()
    token = csrf_token(shopper.get("/login").get_data(as_text=True))
    refused = shopper.client.post(
        "/backoffice/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv), "people.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413


def test_behind_a_trusted_proxy_rate_limits_count_the_client(database_url: str) -> None:
    from storefront import create_app

    def limited_after_three(trusted: int) -> bool:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "STOREFRONT_AUTO_MIGRATE": False,
                "STOREFRONT_LOGIN_RATE_LIMIT": "3 per minute",
                "STOREFRONT_TRUSTED_PROXIES": trusted,
            }
        )
        browser = Shopper(app)
        token = csrf_token(browser.get("/login").get_data(as_text=True))
        statuses = [
            browser.client.post(
                "/login",
                data={"csrf_token": token, "email": "x@example.com", "password": "p"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            ).status_code
            for n in range(5)
        ]
        return 429 in statuses

    assert not limited_after_three(1)  # five clients behind one proxy, one try each
    assert limited_after_three(0)  # reached directly: X-Forwarded-For is anyone's to forge


def test_hsts_over_https_only(client) -> None:  # type: ignore[no-untyped-def]
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://shop.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_checkout_email_capture_is_limited_per_client_and_per_session(app: Flask) -> None:
    app.config.update(
        STOREFRONT_CAPTURE_RATE_LIMIT="6 per minute",
        STOREFRONT_CAPTURE_SESSION_RATE_LIMIT="3 per 10 minutes",
    )
    one = Shopper(app)
    one.add_to_cart("TEA-001")
    statuses = [capture_email(one, f"p{n}@example.com").status_code for n in range(4)]
    assert statuses == [204, 204, 204, 429]
    assert capture_email(one, "p@example.com").get_json() == {
        "errors": {"email": ["Too many emails from here; wait a while and try again."]}
    }
    others = [Shopper(app) for _ in range(2)]
    for other in others:
        other.add_to_cart("TEA-001")
    assert capture_email(others[0], "q@example.com").status_code == 204
    assert capture_email(others[1], "r@example.com").status_code == 429  # 6 from this address
    elsewhere = Shopper(app)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    elsewhere.add_to_cart("TEA-001")
    assert capture_email(elsewhere, "s@example.com").status_code == 204
