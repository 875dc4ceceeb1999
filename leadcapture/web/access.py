"""Who may see a page: the signed-in shopper, or staff, by the host's callables."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app

from ..webuser import WebUser, signed_in


def unauthorized() -> Any:
    """Send an anonymous visitor to the host's login (Flask-Login), else answer 401."""
    login_manager = getattr(current_app, "login_manager", None)
    if login_manager is not None:
        return login_manager.unauthorized()
    abort(401)


def staff_user() -> WebUser | None:
    """The signed-in staff user; aborts 403 for a signed-in shopper, ``None`` if anonymous."""
    user = signed_in()
    if user is None:
        return None
    if not is_staff(user):
        abort(403)
    return user


def is_staff(user: WebUser) -> bool:
    """The host's ``is_staff``, asked about its own user object when it is known."""
    extension = current_app.extensions["leadcapture"]
    return bool(extension.is_staff(user.user if user.user is not None else user))
