"""A signed-in shopper's data rights: download everything the shop's CRM holds about
them, or have it erased."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request

from ..personal_data import erase_person, export_person
from ..transactions import current_session, in_transaction
from ..webuser import signed_in
from . import bp
from .access import unauthorized
from .forms import DownloadForm, EraseForm


def download(document: dict[str, Any], filename: str) -> Response:
    """``document`` as a JSON file the browser saves."""
    body = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/privacy", methods=["GET", "POST"])
def privacy() -> Any:
    """GET shows both requests; a POST of the download form sends the file, one of the
    erase form erases (once its box is ticked)."""
    user = signed_in()
    if user is None or not user.email:
        return unauthorized()
    download_form = DownloadForm(prefix="download")
    erase_form = EraseForm(prefix="erase")
    status = 200
    session = current_session()
    if request.method == "POST":
        if "download-submit" in request.form and download_form.validate_on_submit():
            return download(export_person(session, user.email), "my-data.json")
        if "erase-submit" in request.form and erase_form.validate_on_submit():
            email = user.email
            in_transaction(session, lambda: erase_person(session, email, requested_by="shopper"))
            flash("Everything the shop's CRM held about you has been erased.", "success")
            return redirect(request.script_root + "/")
        status = 400
    return render_template(
        "leadcapture/portal/privacy.html",
        download_form=download_form,
        erase_form=erase_form,
        email=user.email,
    ), status
