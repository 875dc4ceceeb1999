"""The public web form's pages: embeddable in any site, in a frame or as a plain HTML
form that posts here.

The form acts for nobody — no account, no session — so it takes posts from other sites
without a CSRF token; what guards it is a honeypot field, a per-address rate limit and,
if set, the list of sites allowed to post it (``LEADCAPTURE_WEBFORM_ORIGINS``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from ..enquiries import submit_web_form
from ..errors import ValidationError
from ..ratelimit import within_rate_limit
from ..transactions import current_session, in_transaction

logger = logging.getLogger(__name__)

bp = Blueprint(
    "leadcapture_webform",
    __name__,
    template_folder=str(Path(__file__).parent.parent / "templates"),
)

#: The field people leave empty and form-filling robots fill in.
HONEYPOT = "website"


@bp.after_request
def embeddable(response: Response) -> Response:
    ancestors = current_app.config["LEADCAPTURE_WEBFORM_FRAME_ANCESTORS"]
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; "
        f"form-action 'self'; frame-ancestors {ancestors}"
    )
    response.headers.pop("X-Frame-Options", None)
    return response


def _sources() -> list[str]:
    return list(current_app.config["LEADCAPTURE_WEBFORM_SOURCES"])


def _origin_allowed() -> bool:
    """With ``LEADCAPTURE_WEBFORM_ORIGINS`` set, the post must say where it comes from —
    its ``Origin``, else its ``Referer`` — and that must be the shop or a listed site."""
    allowed = current_app.config["LEADCAPTURE_WEBFORM_ORIGINS"]
    if allowed is None:
        return True
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent or sent == "null":
        return False
    parts = urlsplit(sent)
    own = f"{request.scheme}://{request.host}"
    return f"{parts.scheme}://{parts.netloc}" in {own, *allowed}


def _page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Any:
    return render_template(
        "leadcapture/webform/form.html",
        values=values,
        errors=errors,
        sources=_sources(),
        honeypot=HONEYPOT,
    ), status


@bp.route("/form", methods=["GET", "POST"])
def form() -> Any:
    if request.method == "GET":
        return _page({"source": request.args.get("source", "")}, {})
    values = {name: request.form.get(name, "") for name in request.form}
    if not _origin_allowed():
        return _page(values, {"form": ["This site may not send this form."]}, 403)
    if not within_rate_limit("webform", current_app.config["LEADCAPTURE_WEBFORM_RATE_LIMIT"]):
        return _page(values, {"form": ["Too many messages from here; try again later."]}, 429)
    if values.get(HONEYPOT):
        logger.info("Web form: honeypot filled from %s; nothing kept.", request.remote_addr)
        return redirect(url_for(".thanks"), 303)
    session = current_session()
    try:
        in_transaction(session, lambda: submit_web_form(session, values, sources=_sources()))
    except ValidationError as error:
        return _page(values, error.errors, 400)
    return redirect(url_for(".thanks"), 303)


@bp.route("/form/thanks")
def thanks() -> Any:
    return render_template("leadcapture/webform/thanks.html")
