"""Who is signed in, as the plug-in sees it; the host's user model stays the host's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_login import current_user


@dataclass(frozen=True)
class WebUser:
    """The few facts the plug-in needs of a shop account."""

    id: str
    email: str
    full_name: str
    user: Any = None


def user_display_name(user: Any) -> str:
    """The default ``display_name``: the user's ``full_name``, ``name`` or ``username``,
    else the email ("" when it has none of them)."""
    for attribute in ("full_name", "name", "username", "email"):
        value = getattr(user, attribute, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def current_web_user() -> WebUser | None:
    """The default: Flask-Login's ``current_user``, if someone is signed in."""
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    name = current_app.extensions["leadcapture"].display_name(user)
    return WebUser(
        id=str(user.get_id()), email=getattr(user, "email", ""), full_name=name, user=user
    )


def is_staff_user(user: Any) -> bool:
    """The default staff test: the user object's ``is_staff``."""
    return bool(getattr(user, "is_staff", False))


def signed_in() -> WebUser | None:
    """The signed-in shopper, by the host's ``current_user`` callable."""
    return current_app.extensions["leadcapture"].current_user()  # type: ignore[no-any-return]
