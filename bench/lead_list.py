"""The back office's lead list at a million leads: each kind of page, ours vs raw SQL.

Fills a fresh database with --leads leads (set-based, in SQL), then times, as the
median of --repeat runs, ``search_leads`` (the list and the JSON API use it) for: the
first page, a status tab, a source and date range, a search, the page after a cursor
deep in the list; and the same query written by hand in SQL, to show what the plug-in
adds. Appends the results to bench/RESULTS.md with the machine and the date.

    python bench/lead_list.py [--leads 1000000] [--database-url URL]

PostgreSQL is the database this is for (a database of its own is made and dropped);
without a URL it runs on SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from import_speed import fresh_database  # noqa: E402  (bench/import_speed.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.leadlist import _decode_cursor, search_leads  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402

STATUSES = ["Lead", "Open", "Replied", "Opportunity", "Interested", "Converted"]
SOURCES = ["Website", "Checkout", "Abandoned Cart", "Web Form", "Email", "Import"]


def fill(connection: sa.Connection, leads: int) -> None:
    """``leads`` leads over the last 400 days, in one INSERT … SELECT."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        rows = "generate_series(1, :n) AS g(n)"
        created = "now() - (n % 400) * interval '1 day' - (n % 86400) * interval '1 second'"
    else:
        rows = (
            "(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :n)"
            " SELECT n FROM g)"
        )
        created = "datetime('now', '-' || (n % 400) || ' days', '-' || (n % 86400) || ' seconds')"
    status = "CASE n % 6 " + " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(STATUSES))
    source = "CASE n % 6 " + " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(SOURCES))
    connection.execute(
        sa.text(  # built from this module's constants only
            "INSERT INTO lc_leads (name, lead_name, email, company_name, status, source,"  # noqa: S608
            " is_organization, created_at, updated_at) SELECT 'LEAD-' || n, 'Person ' || n,"
            f" 'p' || n || '@example.com', 'Company ' || (n % 5000), {status} END,"
            f" {source} END, false, {created}, {created} FROM {rows}"
        ),
        {"n": leads},
    )
    connection.execute(sa.text("ANALYZE lc_leads" if dialect == "postgresql" else "ANALYZE"))


def settle(session: Any, *tables: str) -> None:
    """On PostgreSQL, what autovacuum does after a bulk load: an index answers alone only
    for pages the visibility map knows are all visible."""
    if session.get_bind().dialect.name != "postgresql":
        return
    with session.get_bind().connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            sa.text(f"VACUUM ANALYZE {', '.join(tables)}")  # the caller's own table names
        )


def drop_indexes(session: Any, *names: str) -> None:
    """Drop the named indexes, to time the same code without them."""
    with session.get_bind().begin() as connection:
        for name in names:
            connection.execute(sa.text(f"DROP INDEX {name}"))


def median_ms(work: Callable[[], object], repeat: int) -> float:
    work()  # warm the caches and the plan
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


@contextlib.contextmanager
def filled_shop(
    database_url: str | None, fill: Callable[[sa.Connection, int], None], rows: int, what: str
) -> Iterator[tuple[str, Any]]:
    """A fresh database (made and dropped) with the shop's and the plug-in's tables, ``rows``
    of ``what`` put in by ``fill``, and an app context on it: yields (backend, session)."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["STOREFRONT_INSTANCE_PATH"] = folder
        with fresh_database(database_url, folder) as url:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
            with app.app_context():
                started = time.perf_counter()
                with db.engine.begin() as connection:
                    fill(connection, rows)
                print(f"{rows:,} {what} in {time.perf_counter() - started:.0f} s")
                try:
                    yield sa.make_url(url).get_backend_name(), db.session
                finally:
                    db.session.remove()
                    db.engine.dispose()


RAW = {
    "first page": "SELECT * FROM lc_leads ORDER BY created_at DESC, id DESC LIMIT 51",
    "status tab": (
        "SELECT * FROM lc_leads WHERE status = 'Opportunity'"
        " ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "source and dates": (
        "SELECT * FROM lc_leads WHERE source = 'Web Form' AND created_at >= :after"
        " AND created_at <= :before ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "search": (
        "SELECT * FROM lc_leads WHERE lower(coalesce(lead_name, '') || ' ' ||"
        " coalesce(email, '') || ' ' || coalesce(company_name, '') || ' ' ||"
        " coalesce(name, '')) LIKE '%son 123456%' ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    after, before = "2026-01-01", "2026-06-30"
    ours = {
        "first page": {},
        "status tab": {"status": "Opportunity"},
        "source and dates": {
            "source": "Web Form",
            "created_after": after,
            "created_before": before,
        },
        "search": {"q": "son 123456"},
    }
    lines = []
    with filled_shop(args.database_url, fill, args.leads, "leads") as (backend, session):
        # a cursor 100 pages deep: the keyset page costs what the first does
        cursor: str | None = None
        for _ in range(100):
            page = search_leads(session, {"limit": "50", "cursor": cursor or ""})
            cursor = page.next_cursor
        ours["100 pages deep"] = {"cursor": cursor or ""}
        moment, last_id = _decode_cursor("-created_at", cursor or "")
        RAW["100 pages deep"] = (
            "SELECT * FROM lc_leads WHERE (created_at, id) < (:moment, :last_id)"
            " ORDER BY created_at DESC, id DESC LIMIT 51"
        )
        keyset = {"moment": moment.replace(tzinfo=None), "last_id": last_id}
        for name, params in ours.items():
            ours_ms = median_ms(
                lambda p=params: search_leads(session, {**p, "limit": "50"}),  # type: ignore[misc]
                args.repeat,
            )
            raw_ms = median_ms(
                lambda q=RAW[name]: session.execute(  # type: ignore[misc]
                    sa.text(q), {"after": after, "before": before, **keyset}
                ).all(),
                args.repeat,
            )
            session.rollback()
            lines.append(
                f"{when_and_where()} {backend} | {args.leads:,} | {name} | "
                f"{ours_ms:.1f} ms | {raw_ms:.1f} ms | {ours_ms / raw_ms:.1f} |"
            )
            print(lines[-1])
    for line in lines:
        record(
            "## The lead list at scale (`bench/lead_list.py`)",
            "Median time of one page of 50 through `search_leads` (the back office's list and\n"
            "the JSON API) vs the same query written in SQL, on a database filled with leads.",
            ["date", "machine", "database", "leads", "page", "ours", "raw SQL", "ratio"],
            line,
        )


if __name__ == "__main__":
    main()
