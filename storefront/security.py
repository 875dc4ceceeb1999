"""The shop's security headers and cookie settings.

Every page gets a Content-Security-Policy without inline script and is not to be
framed — except a page that states its own policy (the plug-in's embeddable web form
names who may frame it).
"""

from __future__ import annotations

from flask import Flask, Response

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
    return response


def secure(app: Flask) -> None:
    """Cookies HttpOnly and SameSite always, Secure unless the app runs in debug mode
    (``STOREFRONT_SECURE_COOKIES`` decides when set); the headers on every response."""
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
