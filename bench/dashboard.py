"""The dashboard's figures and the lead list's status tabs at a million leads, with the
indexes that serve them and without.

Fills a fresh database with --leads leads as ``bench/lead_list.py`` does (over 400 days,
six statuses and six sources), gives each lead two history entries (one in ten a
sign-up's) and each converted lead its customer; then times, as the median of --repeat
runs, each figure of ``/backoffice/dashboard`` and the status tabs' counts of the lead
list, and times them again with the indexes of migration lc0023 dropped. Appends the
results to bench/RESULTS.md with the machine and the date.

    python bench/dashboard.py [--leads 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from lead_list import drop_indexes, filled_shop, median_ms, settle  # noqa: E402
from lead_list import fill as fill_leads  # noqa: E402  (bench/lead_list.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture import reports  # noqa: E402
from leadcapture.leadlist import status_counts  # noqa: E402

#: The indexes migration lc0023 adds.
INDEXES = ("ix_lc_leads_source_status", "ix_lc_history_signups", "ix_lc_customers_created_at")


def fill(connection: sa.Connection, leads: int) -> None:
    """The leads of ``bench/lead_list.py``, their history and their customers."""
    fill_leads(connection, leads)
    for event, where in (("status_changed", ""), ("signed_up", " WHERE id / 10 * 10 = id")):
        connection.execute(
            sa.text(  # built from this module's constants only
                "INSERT INTO lc_history (lead_id, kind, event, subject, created_at)"  # noqa: S608
                f" SELECT id, 'system', '{event}', '{event}', created_at FROM lc_leads{where}"
            )
        )
    connection.execute(
        sa.text(
            "INSERT INTO lc_customers (customer_name, customer_type, lead_id, created_at)"
            " SELECT lead_name, 'Individual', id, created_at FROM lc_leads"
            " WHERE status = 'Converted'"
        )
    )
    if connection.dialect.name == "sqlite":
        connection.execute(sa.text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    lines = []
    with filled_shop(args.database_url, fill, args.leads, "leads") as (backend, session):
        settle(session, "lc_leads", "lc_history", "lc_customers")
        now = datetime.now(UTC)
        month = (now - timedelta(days=30), now)
        figures: dict[str, Callable[[], object]] = {
            "funnel": lambda: reports.funnel(session),
            "leads by source, 8 weeks": lambda: reports.leads_by_source(session),
            "conversion by source": lambda: reports.conversion_by_source(session),
            "by source, 30 days": lambda: reports.attribution(session, *month, by="source"),
            "by campaign, 30 days": lambda: reports.attribution(session, *month, by="campaign"),
            "lead list's status tabs": lambda: status_counts(session),
        }

        def timed() -> dict[str, float]:
            found = {name: median_ms(work, args.repeat) for name, work in figures.items()}
            session.rollback()
            return found

        indexed = timed()
        drop_indexes(session, *INDEXES)
        bare = timed()
    dashboard = [name for name in figures if name != "lead list's status tabs"]
    indexed["the dashboard, all of it"] = sum(indexed[name] for name in dashboard)
    bare["the dashboard, all of it"] = sum(bare[name] for name in dashboard)
    for name in indexed:
        lines.append(
            f"{when_and_where()} {backend} | {args.leads:,} | {name} | {indexed[name]:.1f} ms"
            f" | {bare[name]:.1f} ms |"
        )
        print(lines[-1])
    for line in lines:
        record(
            "## The dashboard at scale (`bench/dashboard.py`)",
            "Median time of each figure of `/backoffice/dashboard` and of the lead list's\n"
            "status tabs, on leads spread over 400 days with two history entries each, with\n"
            "the indexes of migration lc0023 and with them dropped.",
            ["date", "machine", "database", "leads", "figure", "ours", "without the indexes"],
            line,
        )


if __name__ == "__main__":
    main()
