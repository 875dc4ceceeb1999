"""The plug-in's own static files (stylesheet, favicon), served from the package under
the links' prefix: ``/leadcapture/static/…``. No page of the plug-in loads anything from
another site, so the Content-Security-Policy may stay ``'self'``."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

bp = Blueprint(
    "leadcapture_static",
    __name__,
    static_folder=str(Path(__file__).parent.parent / "static"),
    static_url_path="/static",
)
