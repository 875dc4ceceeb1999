"""The shopper's own pages: the address web form, and their data rights."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

bp = Blueprint(
    "leadcapture_portal",
    __name__,
    template_folder=str(Path(__file__).parent.parent / "templates"),
)

from . import privacy, views  # noqa: E402,F401  (routes register on bp)
