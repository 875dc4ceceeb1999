"""The cart page's figures and its recovery report at a million carts: ours, the same
queries written by hand in SQL, and ours without the indexes that serve them.

Fills a fresh database with --carts carts as ``bench/cart_list.py`` does (nine in ten
still being shopped), gives the carts past shopping a moment of abandonment spread over
a year (recovered ones a recovery and an opened link the day after) and each of them a
recovery email sent an hour after; then times, as the median of --repeat runs, the
figures on top of ``/backoffice/carts`` (``cart_totals``: each state's count and value)
and the recovery report of the last 30 days (``recovery_report``, email by email too).
Appends the results to bench/RESULTS.md with the machine and the date.

    python bench/cart_figures.py [--carts 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from cart_list import fill as fill_carts  # noqa: E402  (bench/cart_list.py)
from lead_list import drop_indexes, filled_shop, median_ms, settle  # noqa: E402
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.dayranges import day_bounds  # noqa: E402
from leadcapture.recovery_report import recovery_report  # noqa: E402
from leadcapture.reports import cart_totals  # noqa: E402

#: The indexes the figures are read by (migration lc0022).
INDEXES = (
    "ix_lc_carts_past_shopping",
    "ix_lc_carts_abandoned_at",
    "ix_lc_carts_recovered_at",
    "ix_lc_carts_link_opened_at",
    "ix_lc_emails_sent_at",
    "ix_lc_emails_link_opened_at",
)


def days_ago(dialect: str, days: str, hours: int = 0) -> str:
    """SQL for the moment ``days`` (an SQL expression) days and ``hours`` hours ago."""
    if dialect == "postgresql":
        return f"(LOCALTIMESTAMP - ({days}) * INTERVAL '1 day' + INTERVAL '{hours} hours')"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({days}) || ' days', '+{hours} hours')"


def fill(connection: sa.Connection, carts: int) -> None:
    """The carts of ``bench/cart_list.py``, then their moments and emails, set-based."""
    fill_carts(connection, carts)
    dialect = connection.dialect.name
    day = "CAST(substr(cart_key, 6) AS INTEGER) % 365"
    connection.execute(
        sa.text(  # built from this module's constants only
            f"UPDATE lc_carts SET abandoned_at = {days_ago(dialect, day)}"  # noqa: S608
            " WHERE state IN ('abandoned', 'lost', 'recovered')"
        )
    )
    connection.execute(
        sa.text(
            f"UPDATE lc_carts SET recovered_at = {days_ago(dialect, day, 24)},"  # noqa: S608
            f" link_opened_at = {days_ago(dialect, day, 20)}, recovered_value = total"
            " WHERE state = 'recovered'"
        )
    )
    connection.execute(
        sa.text(
            'INSERT INTO lc_emails (cart_id, lead_id, step, "to", subject, text_body,'  # noqa: S608
            " html_body, status, attempts, created_at, sent_at, link_opened_at)"
            f" SELECT id, NULL, 1, email, 'S', 'T', 'H', 'sent', 0, abandoned_at,"
            f" {days_ago(dialect, day, 1)}, link_opened_at"
            " FROM lc_carts WHERE abandoned_at IS NOT NULL"
        )
    )
    connection.execute(sa.text("ANALYZE" if dialect == "sqlite" else "ANALYZE lc_carts"))
    if dialect == "postgresql":
        connection.execute(sa.text("ANALYZE lc_emails"))


#: The same figures by hand: each a statement, run one after the other.
RAW = {
    "figures on top": [
        "SELECT state, currency, count(*), sum(total) FROM lc_carts"
        " WHERE state <> 'active' GROUP BY state, currency",
        "SELECT currency, sum(recovered_value) FROM lc_carts"
        " WHERE recovered_at IS NOT NULL GROUP BY currency",
    ],
    "recovery report, 30 days": [
        "SELECT currency, count(*), sum(total) FROM lc_carts"
        " WHERE abandoned_at BETWEEN :since AND :until GROUP BY currency",
        "SELECT currency, count(*), sum(recovered_value) FROM lc_carts"
        " WHERE recovered_at BETWEEN :since AND :until GROUP BY currency",
        "SELECT step, count(*) FROM lc_emails"
        " WHERE step IS NOT NULL AND sent_at BETWEEN :since AND :until GROUP BY step",
        "SELECT step, count(*) FROM lc_emails"
        " WHERE step IS NOT NULL AND link_opened_at BETWEEN :since AND :until GROUP BY step",
        "SELECT last.step, c.currency, count(*), sum(c.recovered_value) FROM lc_carts c JOIN"
        " (SELECT e.cart_id, max(e.step) AS step FROM lc_emails e JOIN lc_carts r"
        " ON r.id = e.cart_id WHERE r.recovered_at BETWEEN :since AND :until"
        " AND e.step IS NOT NULL AND e.sent_at <= r.recovered_at GROUP BY e.cart_id) last"
        " ON last.cart_id = c.id GROUP BY last.step, c.currency",
        "SELECT count(*) FROM lc_carts WHERE link_opened_at BETWEEN :since AND :until",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    first = today - timedelta(days=29)
    since, until = day_bounds(first, today)
    window = {"since": since.replace(tzinfo=None), "until": until.replace(tzinfo=None)}
    with filled_shop(args.database_url, fill, args.carts, "carts") as (backend, session):
        settle(session, "lc_carts", "lc_emails")
        ours = {
            "figures on top": lambda: cart_totals(session),
            "recovery report, 30 days": lambda: recovery_report(session, first, today),
        }
        report = recovery_report(session, first, today)
        print(f"30 days: {report.abandoned:,} carts abandoned, {report.emails_sent:,} emails")

        def timed() -> dict[str, float]:
            found = {name: median_ms(work, args.repeat) for name, work in ours.items()}
            session.rollback()
            return found

        indexed = timed()
        raw = {
            name: median_ms(
                lambda s=statements: [session.execute(sa.text(q), window).all() for q in s],  # type: ignore[misc]
                args.repeat,
            )
            for name, statements in RAW.items()
        }
        session.rollback()
        drop_indexes(session, *INDEXES)
        bare = timed()
    for name in ours:
        line = (
            f"{when_and_where()} {backend} | {args.carts:,} | {name} | {indexed[name]:.1f} ms"
            f" | {raw[name]:.1f} ms | {indexed[name] / raw[name]:.1f} | {bare[name]:.1f} ms |"
        )
        print(line)
        record(
            "## The cart page's figures at scale (`bench/cart_figures.py`)",
            "Median time of the figures on top of `/backoffice/carts` (each state's count and\n"
            "value) and of its recovery report for the last 30 days, vs the same queries\n"
            "written in SQL, and ours again with the indexes of migration lc0022 dropped.\n"
            "Nine carts in ten still being shopped; the others abandoned over a year.",
            [
                "date",
                "machine",
                "database",
                "carts",
                "figures",
                "ours",
                "raw SQL",
                "ratio",
                "ours without the indexes",
            ],
            line,
        )


if __name__ == "__main__":
    main()
