"""The back office's cart page at a million carts: each kind of page, ours vs raw SQL.

Fills a fresh database with --carts carts (set-based, in SQL; nine in ten still being
shopped, the rest ordered, abandoned, lost or recovered, the rarest one in a thousand),
then times, as the median of --repeat runs, ``cart_page`` (the page at
``/backoffice/carts``) for: every state, the abandoned tab, the rarest tab, and that tab
twenty pages deep; and the same query written by hand in SQL. Appends the results to
bench/RESULTS.md with the machine and the date.

    python bench/cart_list.py [--carts 1000000] [--database-url URL]

PostgreSQL is the database this is for (a database of its own is made and dropped);
without a URL it runs on SQLite.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from lead_list import filled_shop, median_ms  # noqa: E402  (bench/lead_list.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.reports import cart_page  # noqa: E402

#: A cart's state by ``n % 1000``: (below this, state).
STATES = [(900, "active"), (970, "checked_out"), (995, "abandoned"), (999, "lost")]
RAREST = "recovered"
PAGE = 50


def fill(connection: sa.Connection, carts: int) -> None:
    """``carts`` carts in one INSERT … SELECT."""
    if connection.dialect.name == "postgresql":
        rows = "generate_series(1, :n) AS g(n)"
    else:
        rows = (
            "(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :n)"
            " SELECT n FROM g)"
        )
    state = "CASE " + " ".join(f"WHEN n % 1000 < {below} THEN '{s}'" for below, s in STATES)
    lines = '[{"sku": "TEA-001", "name": "Sencha green tea", "quantity": 2, "unit_price": "8.50"}]'
    connection.execute(
        sa.text(  # built from this module's constants only
            "INSERT INTO lc_carts (cart_key, email, lines, item_count, total, currency,"  # noqa: S608
            " last_activity_at, created_at, state, capture_declined, emails_sent)"
            f" SELECT 'cart-' || n, 'p' || n || '@example.com', '{lines}', 2, 17.00, 'EUR',"
            f" CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, {state} ELSE '{RAREST}' END, false, 0"
            f" FROM {rows}"
        ),
        {"n": carts},
    )
    connection.execute(
        sa.text("ANALYZE lc_carts" if connection.dialect.name == "postgresql" else "ANALYZE")
    )


RAW = (
    "SELECT lc_carts.*, lc_leads.* FROM lc_carts LEFT JOIN lc_leads"
    " ON lc_leads.id = lc_carts.lead_id WHERE {where} ORDER BY lc_carts.id DESC LIMIT 51"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    lines = []
    with filled_shop(args.database_url, fill, args.carts, "carts") as (backend, session):
        deep, depth = None, 0
        while depth < 20:  # the rarest tab, twenty pages deep (or its last page)
            _, older = cart_page(session, limit=PAGE, state=RAREST, before=deep)
            if older is None:
                break
            deep, depth = older, depth + 1
        session.rollback()
        pages = {
            "every state": ({}, "lc_carts.state <> 'active'"),
            "abandoned": ({"state": "abandoned"}, "lc_carts.state = 'abandoned'"),
            f"{RAREST} (1 in 1,000)": ({"state": RAREST}, f"lc_carts.state = '{RAREST}'"),
            f"{RAREST}, {depth} pages deep": (
                {"state": RAREST, "before": deep},
                f"lc_carts.state = '{RAREST}' AND lc_carts.id < {deep or 0}",
            ),
        }
        for name, (params, where) in pages.items():
            ours_ms = median_ms(
                lambda p=params: cart_page(session, limit=PAGE, **p),  # type: ignore[misc]
                args.repeat,
            )
            raw_ms = median_ms(
                lambda w=where: session.execute(sa.text(RAW.format(where=w))).all(),  # type: ignore[misc]
                args.repeat,
            )
            session.rollback()
            lines.append(
                f"{when_and_where()} {backend} | {args.carts:,} | {name} | "
                f"{ours_ms:.1f} ms | {raw_ms:.1f} ms | {ours_ms / raw_ms:.1f} |"
            )
            print(lines[-1])
    for line in lines:
        record(
            "## The cart page at scale (`bench/cart_list.py`)",
            "Median time of one page of 50 through `cart_page` (the back office's\n"
            "`/backoffice/carts`) vs the same query written in SQL, on a database filled with\n"
            "carts (nine in ten still being shopped).",
            ["date", "machine", "database", "carts", "page", "ours", "raw SQL", "ratio"],
            line,
        )


if __name__ == "__main__":
    main()
