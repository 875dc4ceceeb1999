from __future__ import annotations

from flask_wtf import FlaskForm


class SweepForm(FlaskForm):
    """A button that posts nothing but its CSRF token (run a sweep, revoke a token)."""
