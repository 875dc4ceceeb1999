"""The back office's customer search at scale: ours vs raw SQL, with and without the
trigram indexes of migration lc0024.

Fills a fresh database with --leads leads (``bench/lead_list.py``'s), makes a customer
of every fifth with a contact of its own (set-based, in SQL), then times, as the median
of --repeat runs, a page of 50 customers found by the customer list's search
(:func:`leadcapture.customerlist.customer_search`, which the page and the JSON API
use) for a customer's name, a contact's email and a lead's company; the same query
written by hand in SQL; and ours again with lc0024's indexes dropped. Appends the
results to bench/RESULTS.md with the machine and the date.

    python bench/customer_search.py [--leads 1000000] [--database-url URL]

PostgreSQL is the database this is for (a database of its own is made and dropped);
without a URL it runs on SQLite, where there are no trigram indexes to drop.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from lead_list import drop_indexes, filled_shop, median_ms, settle  # noqa: E402
from lead_list import fill as fill_leads  # noqa: E402
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.customerlist import customer_search  # noqa: E402
from leadcapture.models import Customer  # noqa: E402

INDEXES = ("ix_lc_customers_search", "ix_lc_contacts_search")
SEARCHES = {
    "a customer's name": "buyer 123455",
    "a contact's email": "c123455@",
    "a lead's company": "company 4320",
}


def fill(connection: sa.Connection, leads: int) -> None:
    """The leads, then a customer of every fifth with a contact, in two INSERT … SELECTs."""
    fill_leads(connection, leads)
    connection.execute(
        sa.text(
            "INSERT INTO lc_customers (name, customer_name, customer_type, lead_id, created_at)"
            " SELECT 'CUST-' || id, 'Buyer ' || id, 'Individual', id, created_at"
            " FROM lc_leads WHERE id % 5 = 0"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO lc_contacts (full_name, email, customer_id, is_primary, created_at)"
            " SELECT 'Contact ' || id, 'c' || lead_id || '@example.com', id, true, created_at"
            " FROM lc_customers"
        )
    )
    postgres = connection.dialect.name == "postgresql"
    connection.execute(sa.text("ANALYZE" if not postgres else "ANALYZE lc_customers, lc_contacts"))


#: The same search by hand: the three kinds of match, each from its own index.
RAW = (
    "SELECT * FROM lc_customers WHERE id IN ("
    " SELECT id FROM lc_customers WHERE lower(coalesce(customer_name, '') || ' ' ||"
    " coalesce(name, '')) LIKE :pattern"
    " UNION SELECT c.id FROM lc_customers c JOIN lc_leads l ON l.id = c.lead_id"
    " WHERE lower(coalesce(l.lead_name, '') || ' ' || coalesce(l.email, '') || ' ' ||"
    " coalesce(l.company_name, '') || ' ' || coalesce(l.name, '')) LIKE :pattern"
    " UNION SELECT customer_id FROM lc_contacts WHERE customer_id IS NOT NULL AND"
    " lower(coalesce(full_name, '') || ' ' || coalesce(email, '')) LIKE :pattern)"
    " ORDER BY id DESC LIMIT 51"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    lines = []
    with filled_shop(args.database_url, fill, args.leads, "leads") as (backend, session):
        settle(session, "lc_leads", "lc_customers", "lc_contacts")
        customers = session.scalar(sa.select(sa.func.count()).select_from(Customer))

        def ours(q: str) -> object:
            query = sa.select(Customer).where(customer_search(q))
            return session.scalars(query.order_by(Customer.id.desc()).limit(51)).all()

        timed = {}
        for name, q in SEARCHES.items():
            assert ours(q), name  # each search finds its customer
            timed[name] = (
                median_ms(lambda q=q: ours(q), args.repeat),  # type: ignore[misc]
                median_ms(
                    lambda q=q: session.execute(sa.text(RAW), {"pattern": f"%{q}%"}).all(),  # type: ignore[misc]
                    args.repeat,
                ),
            )
            session.rollback()
        if backend == "postgresql":
            drop_indexes(session, *INDEXES)
        for name, q in SEARCHES.items():
            ours_ms, raw_ms = timed[name]
            bare = median_ms(lambda q=q: ours(q), args.repeat) if backend == "postgresql" else None  # type: ignore[misc]
            session.rollback()
            lines.append(
                f"{when_and_where()} {backend} | {args.leads:,} | {customers:,} | {name} | "
                f"{ours_ms:.1f} ms | {raw_ms:.1f} ms | {ours_ms / raw_ms:.1f} | "
                f"{f'{bare:.1f} ms' if bare is not None else '—'} |"
            )
            print(lines[-1])
    for line in lines:
        record(
            "## The customer search at scale (`bench/customer_search.py`)",
            "Median time of one page of customers found by the customer list's search vs the\n"
            "same query written in SQL, and ours without the trigram indexes of lc0024.",
            [
                "date",
                "machine",
                "database",
                "leads",
                "customers",
                "search",
                "ours",
                "raw SQL",
                "ratio",
                "ours without lc0024",
            ],
            line,
        )


if __name__ == "__main__":
    main()
