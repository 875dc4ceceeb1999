"""The staff back office: leads and their history. Staff only, by the host's predicate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, g, render_template
from werkzeug.exceptions import HTTPException

from ..cartstates import label
from ..history import shown
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


@bp.errorhandler(404)
@bp.errorhandler(500)
def error_page(error: HTTPException) -> Any:
    """A missing record or a failure, in the back office's own frame (for staff)."""
    if "leadcapture_staff" not in g:
        return error
    return (
        render_template(
            "leadcapture/backoffice/error.html",
            code=error.code,
            name="Not found" if error.code == 404 else "Something went wrong",
            description=(
                "There is nothing at this address: the record may have been removed."
                if error.code == 404
                else "The back office could not do that; the error is logged. Try again."
            ),
        ),
        error.code,
    )


@bp.context_processor
def staff_helpers() -> dict[str, Any]:
    return {
        "staff_name": staff_name,
        "staff_directory": staff_directory,
        "cart_state_label": label,
        "history_line": shown,
    }


from . import (  # noqa: E402,F401  (routes register on bp)
    carts,
    customers,
    leads,
    outbox,
    overview,
    privacy,
    recovery_emails,
    settings,
    sources,
    transfer,
    webhooks,
)
