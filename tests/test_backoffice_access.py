"""Every back-office route, HTML and JSON, checked as anonymous, shopper and staff."""

from __future__ import annotations

import pytest
from flask import Flask

from storefront import create_app

from .helpers import Shopper, csrf_token


def backoffice_routes() -> list[tuple[str, str, str]]:
    app = create_app(
        {
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "STOREFRONT_AUTO_MIGRATE": False,
        }
    )
    routes = []
    urls = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("leadcapture_backoffice.", "leadcapture_api.")):
            continue
        if rule.endpoint in PUBLIC:
            continue
        url = urls.build(rule.endpoint, dict.fromkeys(rule.arguments, 1))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


#: The API's OpenAPI document: a description, no data (tests/test_openapi.py).
PUBLIC = {"leadcapture_api.openapi_document"}
ROUTES = backoffice_routes()


def test_the_route_list_is_not_empty() -> None:
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    assert {
        "leadcapture_backoffice.leads",
        "leadcapture_backoffice.carts",
        "leadcapture_api.list_leads",
        "leadcapture_api.convert",
    } <= endpoints


@pytest.mark.parametrize("endpoint, method, url", ROUTES, ids=[f"{m} {u}" for _, m, u in ROUTES])
def test_each_route_is_staff_only(
    app: Flask, shopper: Shopper, staff: Shopper, endpoint: str, method: str, url: str
) -> None:
    """With a valid CSRF token, so that a write reaches the access check: anonymous is
    sent to sign in (401 for the API), a shopper gets 403."""
    api = endpoint.startswith("leadcapture_api.")
    stranger = Shopper(app)
    anonymous = stranger.client.open(url, method=method, headers=token_header(stranger))
    if api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302 and "/login" in anonymous.location
    shopper.register()
    as_shopper = shopper.client.open(url, method=method, headers=token_header(shopper))
    assert as_shopper.status_code == 403
    if method == "GET":
        assert staff.client.open(url, method=method).status_code in (200, 404)


def token_header(browser: Shopper) -> dict[str, str]:
    """The CSRF token of this browser's session, as the header scripts send it."""
    return {"X-CSRFToken": csrf_token(browser.get("/login").get_data(as_text=True))}
