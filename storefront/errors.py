"""The shop's own 404 and 500 pages, in its layout."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

MESSAGES = {
    404: ("Page not found", "There is nothing at this address. The tea may have sold out."),
    500: ("Something went wrong", "We could not do that just now; please try again."),
}


def register(app: Flask) -> None:
    def page(error: HTTPException) -> Any:
        name, description = MESSAGES[error.code or 500]
        return render_template("error.html", name=name, description=description), error.code

    app.register_error_handler(404, page)
    app.register_error_handler(500, page)
