"""How fast the CSV export of a million leads is, and that its memory does not grow.

Fills a fresh SQLite database with --leads leads (one in a hundred with a name a
spreadsheet would take for a formula, one in ten converted to a customer), then writes
the export to a file three ways, in turn, the best of --rounds each:

- ours: ``export_csv`` (what ``flask leads export`` and the back office's export run:
  every lead field, formula-safe cells, the customer's name, keyset batches);
- raw: the same columns by one ``sqlite3`` query written with ``csv.writer`` as they
  come, no formula safety: the floor any export stands on.

Then the peak Python memory (tracemalloc) of ours for a fifth of the leads and for all.
Appends the results to bench/RESULTS.md with the machine and the date.

    python bench/export_speed.py [--leads 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.exporting import COLUMNS, export_csv  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402

#: 1,000,000 leads in a few statements: a recursive count, each row made from its number.
FILL_LEADS = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO lc_leads (id, name, lead_name, company_name, is_organization, email, phone,
                      status, source, owner, created_at, updated_at)
SELECT i, 'LEAD-' || printf('%05d', i),
       CASE WHEN i % 100 = 0 THEN '=HYPERLINK("x")' ELSE 'Person ' || i END,
       'Company ' || (i % 997), 0, 'lead' || i || '@example.com',
       '+1 555 ' || printf('%07d', i), CASE WHEN i % 10 = 0 THEN 'Converted' ELSE 'Lead' END,
       'Import', 'staff', :now, :now
FROM n
"""
FILL_CUSTOMERS = """
INSERT INTO lc_customers (name, customer_name, customer_type, lead_id, created_at)
SELECT 'CUST-' || printf('%05d', id), lead_name, 'Individual', id, created_at
FROM lc_leads WHERE id % 10 = 0
"""


def fill(path: Path, leads: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        db.engine.dispose()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(path) as connection:
        connection.execute(FILL_LEADS, {"count": leads, "now": now})
        connection.execute(FILL_CUSTOMERS)


def ours(database: Path, out: Path, *, trace: bool = False) -> tuple[float, int]:
    """Seconds, and the peak traced bytes (0 unless ``trace``)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench"})
    with app.app_context(), out.open("w", newline="", encoding="utf-8") as target:
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        for piece in export_csv(db.session, {}):
            target.write(piece)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        db.session.remove()
        db.engine.dispose()
    return seconds, peak


def raw(database: Path, out: Path) -> float:
    """The same columns by one query, written as they come."""
    columns = ", ".join(f"l.{name}" for name in COLUMNS)
    query = (
        f"SELECT {columns}, c.name FROM lc_leads l"  # noqa: S608 (names from the code)
        " LEFT JOIN lc_customers c ON c.lead_id = l.id ORDER BY l.id"
    )
    started = time.perf_counter()
    with sqlite3.connect(database) as connection, out.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow([*COLUMNS, "customer"])
        writer.writerows(connection.execute(query))
    return time.perf_counter() - started


def lines(path: Path) -> int:
    with path.open("rb") as source:
        return sum(1 for _ in source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["STOREFRONT_INSTANCE_PATH"] = folder
        whole, fifth = Path(folder) / "whole.sqlite3", Path(folder) / "fifth.sqlite3"
        fill(whole, args.leads)
        fill(fifth, args.leads // 5)
        out = Path(folder) / "export.csv"
        ours_times, raw_times = [], []
        for _ in range(args.rounds):
            ours_times.append(ours(whole, out)[0])
            exported = lines(out)
            raw_times.append(raw(whole, out))
            assert lines(out) == exported == args.leads + 1, (exported, args.leads)
        _, fifth_peak = ours(fifth, out, trace=True)
        _, whole_peak = ours(whole, out, trace=True)
    ours_seconds, raw_seconds = min(ours_times), min(raw_times)
    line = (
        f"{when_and_where()} sqlite | {args.leads:,} | "
        f"{ours_seconds:.1f} s | {raw_seconds:.1f} s | {ours_seconds / raw_seconds:.2f} | "
        f"{fifth_peak / 2**20:.1f} MiB | {whole_peak / 2**20:.1f} MiB |"
    )
    print(line)
    record(
        "## CSV export (`bench/export_speed.py`)",
        "`export_csv` (every lead field, formula-safe cells, the customer's name, keyset\n"
        "batches) vs one raw `sqlite3` query of the same columns written by `csv.writer`;\n"
        "best of three each, in turn; peak Python memory (tracemalloc) exporting a fifth\n"
        "of the leads and all of them.",
        [
            "date",
            "machine",
            "database",
            "leads",
            "export",
            "raw",
            "ratio",
            "peak, 1/5",
            "peak, all",
        ],
        line,
    )


if __name__ == "__main__":
    main()
