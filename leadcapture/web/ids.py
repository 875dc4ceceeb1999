"""Row ids in URLs."""

from __future__ import annotations

#: The largest id a 32-bit integer column holds. A URL with a larger one matches no route
#: (404) instead of overflowing the database's integer (a 500 on PostgreSQL).
MAX_ID = 2_147_483_647
#: The converter for a row id in a route: ``f"/leads/<{ID}:lead_id>"``.
ID = f"int(max={MAX_ID})"
