"""The host's staff users, as the plug-in sees them: an id and a name to show.

Leads name staff by the host's user id (``assigned_to``, ``next_contact_by``, the users of
an assignment rule). The host may list its staff with ``staff_users()``; without that
list, an id is checked by loading the user (``load_user``) and asking ``is_staff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g

from . import fields
from .errors import ValidationError
from .i18n import gettext


@dataclass(frozen=True)
class StaffUser:
    id: str
    name: str


def _extension() -> Any:
    return current_app.extensions["leadcapture"]


def staff_directory() -> list[StaffUser] | None:
    """Every staff user the host lists, by name; ``None`` when the host lists none.
    Read once per request."""
    if "leadcapture_staff_directory" not in g:
        listing = _extension().staff_users
        g.leadcapture_staff_directory = (
            None
            if listing is None
            else sorted(
                (StaffUser(str(user_id), str(name)) for user_id, name in listing()),
                key=lambda staff: (staff.name.lower(), staff.id),
            )
        )
    directory: list[StaffUser] | None = g.leadcapture_staff_directory
    return directory


def find_staff(user_id: str) -> StaffUser | None:
    """The staff user of ``user_id``, or ``None`` if that id is not a staff user's.
    Remembered for the request, so a page of leads loads each user once."""
    known: dict[str, StaffUser | None] = g.setdefault("leadcapture_staff_found", {})
    if user_id not in known:
        known[user_id] = _look_up(user_id)
    return known[user_id]


def _look_up(user_id: str) -> StaffUser | None:
    directory = staff_directory()
    if directory is not None:
        return next((staff for staff in directory if staff.id == user_id), None)
    extension = _extension()
    user = extension.load_user(user_id)
    if user is None or not extension.is_staff(user):
        return None
    return StaffUser(user_id, extension.display_name(user) or user_id)


def staff_field(field: str, value: Any) -> str | None:
    """A field holding a staff user's id: empty, or the id of someone who is staff."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    user_id = fields.text(field, value, max_length=64)
    if user_id and find_staff(user_id) is None:
        raise ValidationError.single(field, gettext("%(user)r is not a staff user.", user=user_id))
    return user_id


def staff_name(user_id: str | None, *, shopper: str | None = None) -> str:
    """What the back office shows for a user id: a staff user's name; "the shopper" for
    ``shopper``, the web account of the lead on the page (its owner, and the hand behind
    its sign-up and orders); else the id of someone who is no longer staff."""
    if not user_id:
        return ""
    staff = find_staff(user_id)
    if staff is not None:
        return staff.name
    return gettext("the shopper") if user_id == shopper else f"#{user_id}"
