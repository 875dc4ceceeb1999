from __future__ import annotations

from ..validators import HtmlForm


class SweepForm(HtmlForm):
    """A button that posts nothing but its CSRF token (run a sweep, revoke a token)."""
