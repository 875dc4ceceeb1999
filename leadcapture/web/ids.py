"""Row ids in URLs."""

from __future__ import annotations

from ..constants import MAX_ID

#: The converter for a row id in a route: ``f"/leads/<{ID}:lead_id>"``. A URL with a
#: larger id matches no route (404) instead of overflowing the database's integer.
ID = f"int(max={MAX_ID})"

__all__ = ["ID", "MAX_ID"]
