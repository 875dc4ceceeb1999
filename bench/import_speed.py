"""How fast a spreadsheet import is, and that its memory does not grow with the file.

Writes a CSV of --rows leads (2 % of them a known email again in other letter case, 1 %
with a bad email), imports it into a fresh database with ``import_leads`` (validation,
merging, assignment, history: everything ``flask leads import`` does), and compares the
time with a raw ``executemany`` INSERT of the same rows (no validation, no history).
Then measures the peak Python memory (tracemalloc) of importing a fifth of the file and
the whole file. Each timing is the best of --rounds runs, ours and the raw INSERT in turn.
Appends the results to bench/RESULTS.md with the machine and the date.

    python bench/import_speed.py [--rows 100000] [--rounds 3] [--database-url URL]

A PostgreSQL URL is used for its server: each run gets a database of its own, dropped
afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.importing import import_leads  # noqa: E402
from leadcapture.spreadsheets import open_sheet  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["email_id", "lead_name", "company_name", "mobile_no", "source"])
        for i in range(rows):
            if i % 100 == 1:
                email = f"not-an-email-{i}"
            elif i % 50 == 2 and i > 50:
                email = f"LEAD{i - 50}@Example.com"  # seen earlier in the file
            else:
                email = f"lead{i}@example.com"
            writer.writerow([email, f"Person {i}", f"Company {i % 997}", f"+1 555 {i:07d}", ""])


@contextlib.contextmanager
def fresh_database(base_url: str | None, folder: str) -> Iterator[str]:
    if not base_url or not base_url.startswith("postgresql"):
        yield f"sqlite:///{folder}/bench-{uuid.uuid4().hex[:8]}.sqlite3"
        return
    url = sa.make_url(base_url)
    name = f"lc_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def ours(url: str, path: Path, *, trace: bool = False) -> tuple[float, int, int]:
    """Seconds, leads made, and the peak traced bytes (0 unless ``trace``)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        report = import_leads(db.session, open_sheet(path), filename=path.name)
        db.session.commit()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        db.session.remove()
        db.engine.dispose()
    return seconds, report.created, peak


def raw(url: str, path: Path) -> float:
    """The same rows by a plain executemany INSERT: the floor any import stands on."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    now = datetime.now(UTC)
    with app.app_context(), db.engine.begin() as connection:
        started = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as source:
            reader = csv.reader(source)
            next(reader)
            rows = [
                {"e": email.lower(), "n": name, "c": company, "p": phone, "t": now}
                for email, name, company, phone, _ in reader
            ]
        connection.execute(
            sa.text(
                "INSERT INTO lc_leads (email, lead_name, company_name, phone, status, source,"
                " is_organization, created_at, updated_at) VALUES (:e, :n, :c, :p, 'Lead',"
                " 'Import', false, :t, :t) ON CONFLICT (email) DO NOTHING"
            ),
            rows,
        )
        seconds = time.perf_counter() - started
    with app.app_context():
        db.engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["STOREFRONT_INSTANCE_PATH"] = folder
        whole, fifth = Path(folder) / "whole.csv", Path(folder) / "fifth.csv"
        write_csv(whole, args.rows)
        write_csv(fifth, args.rows // 5)
        ours_times, raw_times = [], []
        for _ in range(args.rounds):  # in turn, each on a fresh database; the best of each
            with fresh_database(args.database_url, folder) as url:
                seconds, created, _ = ours(url, whole)
                ours_times.append(seconds)
                backend = sa.make_url(url).get_backend_name()
            with fresh_database(args.database_url, folder) as url:
                raw_times.append(raw(url, whole))
        ours_seconds, raw_seconds = min(ours_times), min(raw_times)
        with fresh_database(args.database_url, folder) as url:
            _, _, fifth_peak = ours(url, fifth, trace=True)
        with fresh_database(args.database_url, folder) as url:
            _, _, whole_peak = ours(url, whole, trace=True)
    line = (
        f"{when_and_where()} {backend} | {args.rows:,} ({created:,} new) | "
        f"{ours_seconds:.1f} s | {raw_seconds:.1f} s | {ours_seconds / raw_seconds:.1f} | "
        f"{fifth_peak / 2**20:.1f} MiB | {whole_peak / 2**20:.1f} MiB |"
    )
    print(line)
    record(
        "## Spreadsheet import (`bench/import_speed.py`)",
        "`import_leads` on a fresh database (validation, merging, assignment, history) vs a\n"
        "raw executemany INSERT of the same rows; peak Python memory (tracemalloc) importing\n"
        "a fifth of the file and the whole file.",
        [
            "date",
            "machine",
            "database",
            "rows",
            "import",
            "raw INSERT",
            "ratio",
            "peak, 1/5 file",
            "peak, whole file",
        ],
        line,
    )


if __name__ == "__main__":
    main()
