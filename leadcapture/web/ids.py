"""Row ids in URLs."""

from __future__ import annotations

from ..constants import MAX_ID

#: The converter for a row id in a route: ``f"/leads/<{ID}:lead_id>"``. A URL with a
#: larger id matches no route (404) instead of overflowing the database's integer.
ID = f"int(max={MAX_ID})"


def row_id(text: str | None) -> int | None:
    """A row id from a query string (a page's ``before``, say): ``None`` when there is
    none; :class:`ValueError` for anything but digits naming a row that can exist."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
        raise ValueError(text)
    return int(text)


__all__ = ["ID", "MAX_ID", "row_id"]
