"""Spreadsheet import (an upload page) and CSV export (a download of the filtered list)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Response, current_app, g, render_template, request, stream_with_context
from werkzeug.exceptions import HTTPException

from ..errors import ValidationError
from ..exporting import check_params, export_csv
from ..i18n import gettext
from ..importing import ImportReport, import_leads
from ..spreadsheets import open_sheet
from ..transactions import current_session
from ..web.access import staff_user
from . import bp
from .forms import ImportForm


def _save_upload(upload: Any, target: Path, limit: int) -> None:
    """Copy the upload to ``target``, refusing it once it passes ``limit`` bytes."""
    with target.open("wb") as out:
        copied = 0
        while piece := upload.stream.read(1 << 16):
            copied += len(piece)
            if copied > limit:
                raise ValidationError.single(
                    "file",
                    gettext("The file is larger than %(size)s MB.", size=limit // (1024 * 1024)),
                )
            out.write(piece)


#: What a multipart body around the file may add to it.
FORM_OVERHEAD = 64 * 1024


@bp.url_value_preprocessor
def import_body_limit(endpoint: str | None, values: Any) -> None:
    """The import upload has its own size limit, for staff only: this runs before any
    ``before_request`` (the CSRF check reads the body), so no one else's large body is
    read, and a host's ``MAX_CONTENT_LENGTH`` still guards every other route."""
    if endpoint == "leadcapture_backoffice.import_page" and request.method == "POST":
        try:
            is_staff = staff_user() is not None
        except HTTPException:
            is_staff = False
        if is_staff:
            request.max_content_length = (
                int(current_app.config["LEADCAPTURE_IMPORT_MAX_BYTES"]) + FORM_OVERHEAD
            )


@bp.route("/import", methods=["GET", "POST"])
def import_page() -> Any:
    """Upload a spreadsheet; the report lists what was made, merged and skipped (why)."""
    form = ImportForm()
    report: ImportReport | None = None
    status = 200
    if form.validate_on_submit():
        session = current_session()
        upload = form.file.data
        folder = Path(tempfile.mkdtemp(prefix="leadcapture-import-"))
        try:
            path = folder / "upload"
            _save_upload(upload, path, current_app.config["LEADCAPTURE_IMPORT_MAX_BYTES"])
            sheet = open_sheet(path, filename=upload.filename or "upload.csv")
            report = import_leads(
                session,
                sheet,
                filename=Path(upload.filename or "upload").name,
                by=g.leadcapture_staff.id,
            )
            session.commit()
        except ValidationError as error:
            session.rollback()
            form.file.errors = [*form.file.errors, *error.errors.get("file", [str(error)])]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if form.errors:
        status = 400
    return render_template("leadcapture/backoffice/import.html", form=form, report=report), status


@bp.route("/leads.csv")
def export() -> Any:
    """The leads matching the list's filters, as CSV, streamed."""
    params = {k: v for k, v in request.args.items() if v and k not in ("sort", "cursor", "limit")}
    try:
        check_params(params)
    except ValidationError as error:
        return {"errors": error.errors}, 400
    return Response(
        stream_with_context(export_csv(current_session(), params)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )
