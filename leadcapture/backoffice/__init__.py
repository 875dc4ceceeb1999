"""The staff back office: leads and their history. Staff only, by the host's predicate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, g

from ..staff import staff_directory, staff_name
from ..web.access import staff_user, unauthorized

bp = Blueprint(
    "leadcapture_backoffice",
    __name__,
    template_folder=str(Path(__file__).parent.parent / "templates"),
)


@bp.before_request
def require_staff() -> Any:
    user = staff_user()
    if user is None:
        return unauthorized()
    g.leadcapture_staff = user
    return None


@bp.context_processor
def staff_helpers() -> dict[str, Any]:
    return {"staff_name": staff_name, "staff_directory": staff_directory}


from . import carts, leads, outbox, overview, settings, transfer  # noqa: E402,F401  (routes register on bp)
