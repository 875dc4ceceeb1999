"""Every back-office route, HTML and JSON, checked as anonymous, shopper and staff."""

from __future__ import annotations

import pytest
from flask import Flask

from storefront import create_app

from .helpers import Shopper


def backoffice_routes() -> list[tuple[str, str, str]]:
    app = create_app(
        {
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "STOREFRONT_AUTO_MIGRATE": False,
        }
    )
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("leadcapture_backoffice.", "leadcapture_api.")):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


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
    api = endpoint.startswith("leadcapture_api.")
    anonymous = Shopper(app).client.open(url, method=method)
    if api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code in (302, 400) and (
            anonymous.status_code == 400 or "/login" in anonymous.location
        )
    shopper.register()
    as_shopper = shopper.client.open(url, method=method)
    assert as_shopper.status_code in (403, 400)
    if method == "GET":
        assert as_shopper.status_code == 403
        assert staff.client.open(url, method=method).status_code in (200, 404)
