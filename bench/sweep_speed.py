"""How fast the sweep abandons idle carts, against the same work written as SQL.

Fills the carts table with --carts carts (a tenth of them idle, nine in ten of those with
an email; one in twenty of those emails already a lead), then runs the sweep
(``run_sweep``: abandon in batches, make or move the leads, link the carts, write the
history, announce) and, on a copy of the same data, the lean baseline: the same work
as a handful of set-based SQL statements, all carts at once, no batches and no signals.
Then both run again on what they left, a sweep interval later, with nothing to do (the
median of seven runs): an empty re-sweep must cost what the baseline's does, whatever
the number of carts. Appends to bench/RESULTS.md.

    python bench/sweep_speed.py [--carts 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from import_speed import fresh_database  # noqa: E402  (bench/import_speed.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture import SweepSettings, run_sweep  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
#: The second run, a sweep interval later: nothing went idle meanwhile.
LATER = NOW + timedelta(minutes=5)
IDLE_AFTER = timedelta(minutes=60)
FIRST_EMAIL = timedelta(hours=1)
LOST_AFTER = timedelta(days=30)
#: Empty runs take milliseconds: each is timed this many times, the median kept.
EMPTY_RUNS = 7
CHUNK = 20_000
#: The plug-in's own timing (the demo shop's is minutes): no email is due at ``NOW``.
CONFIG = {
    "SECRET_KEY": "bench",
    "STOREFRONT_SEED_DEMO": False,
    "LEADCAPTURE_ABANDONED_AFTER_MINUTES": 60,
    "LEADCAPTURE_RECOVERY_SCHEDULE_HOURS": (1, 24, 72),
}


def fill(url: str, carts: int) -> tuple[int, int]:
    """The carts (and the known leads); returns (idle carts with an email, known leads)."""
    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    lines = '[{"sku": "TEA-001", "name": "Sencha green tea", "quantity": 2, "unit_price": "8.50"}]'
    idle_with_email = known = 0
    with app.app_context(), db.engine.begin() as connection:
        rows = []
        for i in range(carts):
            idle = i % 10 == 0
            email = f"shopper{i}@example.com" if (not idle or i % 100 < 86) else None
            idle_with_email += idle and email is not None
            rows.append(
                {
                    "k": f"cart-{i}",
                    "e": email,
                    "l": lines,
                    "t": (NOW - timedelta(hours=3)) if idle else NOW,
                }
            )
            if len(rows) == CHUNK:
                _insert_carts(connection, rows)
                rows = []
        _insert_carts(connection, rows)
        known_rows = [
            {"e": f"shopper{i}@example.com", "n": f"LEAD-K{i}", "t": NOW - timedelta(days=9)}
            for i in range(0, carts, 200)
            if i % 100 < 86
        ]
        known = len(known_rows)
        connection.execute(
            sa.text(
                "INSERT INTO lc_leads (email, name, status, source, is_organization,"
                " created_at, updated_at) VALUES (:e, :n, 'Lead', 'Web Form', false, :t, :t)"
            ),
            known_rows,
        )
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("ANALYZE"))
    with app.app_context():
        db.engine.dispose()
    return idle_with_email, known


def _insert_carts(connection: sa.Connection, rows: list[dict[str, object]]) -> None:
    if rows:
        connection.execute(
            sa.text(
                "INSERT INTO lc_carts (cart_key, email, lines, item_count, total, currency,"
                " last_activity_at, created_at, state, capture_declined, emails_sent)"
                " VALUES (:k, :e, :l, 2, 17.00, 'EUR', :t, :t, 'active', false, 0)"
            ),
            rows,
        )


def ours(url: str) -> tuple[float, float, int]:
    """The sweep, then the sweep again: seconds of each, and carts abandoned."""
    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        settings = SweepSettings.of(app, db.session)
        started = time.perf_counter()
        result = run_sweep(db.session, settings, now=NOW)
        first = time.perf_counter() - started
        second = _median(lambda: run_sweep(db.session, settings, now=LATER).abandoned == 0)
        db.session.remove()
        db.engine.dispose()
    return first, second, result.abandoned


def _median(run: Callable[[], bool]) -> float:
    """The median seconds of :data:`EMPTY_RUNS` calls of ``run`` (which checks itself)."""
    times = []
    for _ in range(EMPTY_RUNS):
        started = time.perf_counter()
        assert run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


#: The abandoned cart's history line (history.CART_ABANDONED and CART_ABANDONED_ONE).
SUBJECT = (
    "'Cart abandoned: ' || CASE item_count WHEN 1 THEN '1 item' ELSE item_count || ' items' END"
    " || ', ' || total || ' ' || currency"
)


def _statements(dialect: str) -> list[str]:
    """The sweep's abandonment as set-based SQL: what the sweep would be with no batches,
    no signals and nothing but the database."""
    if dialect == "postgresql":
        name = "'LEAD-' || lpad(id::text, 5, '0')"
        snapshot = (
            "json_build_object('cart_id', id, 'lines', lines, 'total', total::text,"
            " 'currency', currency, 'item_count', item_count)"
        )
        subject = SUBJECT
    else:
        name = "'LEAD-' || printf('%05d', id)"
        snapshot = (
            "json_object('cart_id', id, 'lines', json(lines), 'total', CAST(total AS TEXT),"
            " 'currency', currency, 'item_count', item_count)"
        )
        subject = SUBJECT
    swept = "state = 'abandoned' AND abandoned_at = :now"
    return [
        "UPDATE lc_carts SET state = 'abandoned', abandoned_at = :now, next_email_at = :first"
        " WHERE state = 'active' AND item_count > 0 AND email IS NOT NULL"
        " AND capture_declined = false AND last_activity_at <= :cutoff",
        "INSERT INTO lc_leads (email, utm_source, utm_medium, utm_campaign, referrer,"
        " language, source, status, is_organization, created_at, updated_at)"
        " SELECT email, max(utm_source), max(utm_medium), max(utm_campaign), max(referrer),"
        " max(language), 'Abandoned Cart', 'Open', false, :now, :now"
        f" FROM lc_carts WHERE {swept} GROUP BY email ON CONFLICT (email) DO NOTHING",
        f"UPDATE lc_leads SET name = {name} WHERE id > :last_lead",
        "INSERT INTO lc_history (lead_id, kind, event, subject, created_at)"
        " SELECT id, 'system', 'created', 'Lead created from Abandoned Cart', :now"
        " FROM lc_leads WHERE id > :last_lead",
        "INSERT INTO lc_history (lead_id, kind, event, subject, created_at)"
        " SELECT id, 'system', 'status_changed', 'Status changed from Lead to Open', :now"
        f" FROM lc_leads WHERE status IN ('Lead', 'Replied')"
        f" AND email IN (SELECT email FROM lc_carts WHERE {swept})",
        "UPDATE lc_leads SET status = 'Open', updated_at = :now"
        " WHERE status IN ('Lead', 'Replied')"
        f" AND email IN (SELECT email FROM lc_carts WHERE {swept})",
        "UPDATE lc_carts SET"
        " lead_id = (SELECT id FROM lc_leads WHERE lc_leads.email = lc_carts.email),"
        " customer_id = (SELECT c.id FROM lc_customers c JOIN lc_leads l ON c.lead_id = l.id"
        f" WHERE l.email = lc_carts.email) WHERE {swept}",
        f"UPDATE lc_carts SET next_email_at = NULL WHERE {swept} AND lead_id IN"
        " (SELECT id FROM lc_leads WHERE status IN ('Do Not Contact', 'Converted'))",
        "INSERT INTO lc_history (lead_id, customer_id, kind, event, subject, data, created_at)"
        f" SELECT lead_id, customer_id, 'system', 'cart_abandoned', {subject}, {snapshot}, :now"
        f" FROM lc_carts WHERE {swept}",
        "UPDATE lc_carts SET state = 'lost', lost_at = :now, next_email_at = NULL"
        " WHERE state = 'abandoned' AND abandoned_at <= :lost_before",
        "SELECT id FROM lc_carts WHERE next_email_at <= :now AND state = 'abandoned'",
    ]


def raw(url: str) -> tuple[float, float]:
    """The baseline, then the baseline again: seconds of each."""
    engine = sa.create_engine(url)

    def run(now: datetime) -> float:
        params = {
            "now": now,
            "first": now + FIRST_EMAIL,
            "cutoff": now - IDLE_AFTER,
            "lost_before": now - LOST_AFTER,
        }
        if engine.dialect.name == "sqlite":  # stored as the plug-in stores times: naive UTC
            params = {k: v.replace(tzinfo=None) for k, v in params.items()}
        started = time.perf_counter()
        with engine.begin() as connection:
            last = connection.execute(sa.text("SELECT max(id) FROM lc_leads")).scalar() or 0
            for statement in _statements(engine.dialect.name):
                connection.execute(sa.text(statement), {**params, "last_lead": last})
        return time.perf_counter() - started

    first = run(NOW)
    second = _median(lambda: run(LATER) >= 0)
    engine.dispose()
    return first, second


def sizes(url: str) -> None:
    """On PostgreSQL, print the bytes a row takes in each table the sweep wrote, its
    indexes included (docs/scale.md derives a database's size from them)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        for table in ("lc_leads", "lc_history", "lc_carts"):
            rows = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 1
            size = connection.execute(sa.text(f"SELECT pg_total_relation_size('{table}')")).scalar()
            print(f"{table}: {rows:,} rows, {size / rows:.0f} bytes a row with its indexes")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carts", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["STOREFRONT_INSTANCE_PATH"] = folder
        with fresh_database(args.database_url, folder) as url:
            idle, known = fill(url, args.carts)
            backend = sa.make_url(url).get_backend_name()
            if backend == "sqlite":
                source = sa.make_url(url).database
                copy = f"{folder}/copy.sqlite3"
                shutil.copy(source, copy)
                (first, again, abandoned) = ours(url)
                raw_first, raw_again = raw(f"sqlite:///{copy}")
            else:
                (first, again, abandoned) = ours(url)
                sizes(url)
                with fresh_database(args.database_url, folder) as other:
                    fill(other, args.carts)
                    raw_first, raw_again = raw(other)
    assert abandoned == idle, (abandoned, idle)
    line = (
        f"{when_and_where()} {backend} | {args.carts:,} ({idle:,} idle, "
        f"{known:,} known leads) | {first:.2f} s | {raw_first:.2f} s | {first / raw_first:.2f} | "
        f"{again * 1000:.1f} ms | {raw_again * 1000:.1f} ms | {again / raw_again:.1f} |"
    )
    print(line)
    record(
        "## The sweep at scale (`bench/sweep_speed.py`)",
        "`run_sweep` (batches, leads made and moved, carts linked, history, signals) vs the\n"
        "same abandonment as set-based SQL on a copy of the same carts; then each again on\n"
        "what it left, with nothing to do.",
        [
            "date",
            "machine",
            "database",
            "carts",
            "sweep",
            "SQL",
            "ratio",
            "empty re-sweep",
            "empty SQL",
            "ratio",
        ],
        line,
    )


if __name__ == "__main__":
    main()
