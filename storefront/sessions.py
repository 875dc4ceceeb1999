"""Signing in and out: a new session at each sign-in, and sessions that end everywhere.

A session remembers the user's session version from its sign-in. Signing out, or a new
password, counts the version up, so every other session of the user — a cookie copied
from another browser included — stops being signed in.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user

from leadcapture import VISIT_SESSION_KEY

from . import cart
from .extensions import db
from .models import User

VERSION_KEY = "_session_version"
#: What a guest's session brings into the new one besides the cart: a recovery code, the
#: chosen language and the campaign the visit came from.
CARRIED = ("coupon", "language", VISIT_SESSION_KEY)
#: The largest id the users table holds: a larger one in a cookie is no user.
MAX_ID = 2_147_483_647


def user_by_id(user_id: str) -> User | None:
    if not user_id.isdigit() or int(user_id) > MAX_ID:
        return None
    return db.session.get(User, int(user_id))


def user_of_session(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, if this session began at their current version."""
    user = user_by_id(user_id)
    if user is None or session.get(VERSION_KEY) != user.session_version:
        return None
    return user


def sign_in(user: User) -> None:
    """A new session (a new CSRF token too) for the user; a guest's cart comes along."""
    guest = cart.take_guest_cart()
    carried = {key: session[key] for key in CARRIED if key in session}
    session.clear()
    session.update(carried)
    login_user(user)
    session[VERSION_KEY] = user.session_version
    cart.merge_guest_cart(user, guest)


def sign_out(user: User) -> None:
    """End this session and every other of the user."""
    user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()


def keep_this_session(user: User) -> None:
    """After a password change: the user's other sessions end, this one goes on."""
    session[VERSION_KEY] = user.session_version
