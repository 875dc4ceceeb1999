"""The shop's security headers and cookie settings.

Every page gets a Content-Security-Policy without inline script and is not to be
framed — except a page that states its own policy (the plug-in's embeddable web form
names who may frame it).
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: Over HTTPS, browsers are told to come back over HTTPS only, for a year.
HSTS = "max-age=31536000; includeSubDomains"

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def secure_headers(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = POLICY
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def secure(app: Flask) -> None:
    """Cookies HttpOnly and SameSite always, Secure unless the app runs in debug mode
    (``STOREFRONT_SECURE_COOKIES`` decides when set); the headers on every response.

    ``STOREFRONT_TRUSTED_PROXIES`` (default 0): how many proxies in front of the app set
    ``X-Forwarded-For``/``-Proto``/``-Host``; with 1 or more, the app reads the client's
    address and scheme from them (so rate limits count clients, not the proxy). Leave it
    0 when the app is reached directly: then those headers are anyone's to forge."""
    proxies = int(app.config.get("STOREFRONT_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    secure_cookies = app.config.get("STOREFRONT_SECURE_COOKIES")
    if secure_cookies is None:
        secure_cookies = not app.debug
    app.config.update(
        SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    app.after_request(secure_headers)
