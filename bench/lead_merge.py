"""Duplicates at a million leads: a lead page's look for possible duplicates, and a merge,
ours vs the same work written in SQL.

Fills a fresh database with --leads leads (set-based, in SQL), then times, as the
median of --repeat runs: ``possible_duplicates`` (run on every lead's page) against one
hand-written SELECT; and ``merge_leads`` of a duplicate with --history lines of history
and two addresses, committed, against the hand-written UPDATEs, DELETE and INSERTs of the
same merge, committed. Each merge takes a duplicate made for it beforehand (not timed).
Appends the results to bench/RESULTS.md with the machine and the date.

    python bench/lead_merge.py [--leads 1000000] [--history 50] [--database-url URL]

PostgreSQL is the database this is for (a database of its own is made and dropped);
without a URL it runs on SQLite.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from lead_list import fill, filled_shop, median_ms, settle  # noqa: E402  (bench/lead_list.py)
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.merging import MOVED, merge_leads, possible_duplicates  # noqa: E402
from leadcapture.models import Lead  # noqa: E402

PHONE = "+44 1632 960000"

#: The merge written by hand: what ``merge_leads`` sends, without the ORM.
RAW_MERGE = [
    *(
        f"UPDATE {model.__tablename__} SET lead_id = :kept WHERE lead_id = :duplicate"  # noqa: S608 (our own tables)
        for model in MOVED.values()
    ),
    "UPDATE lc_lead_merges SET into_id = :kept WHERE into_id = :duplicate",
    "DELETE FROM lc_leads WHERE id = :duplicate",
    "INSERT INTO lc_lead_merges (lead_id, name, into_id, merged_at)"
    " VALUES (:duplicate, 'LEAD-x', :kept, CURRENT_TIMESTAMP)",
    "UPDATE lc_leads SET phone = :phone, updated_at = CURRENT_TIMESTAMP WHERE id = :kept",
    "INSERT INTO lc_history (lead_id, kind, event, subject, created_at)"
    " VALUES (:kept, 'system', 'merged', 'LEAD-x (Dup) merged into this lead', CURRENT_TIMESTAMP)",
]


def with_phones(connection: sa.Connection, leads: int) -> None:
    """The lead list's leads, each with a phone of its own."""
    fill(connection, leads)
    connection.execute(sa.text("UPDATE lc_leads SET phone = '+44 1632 ' || id"))


def duplicate_of(session: Any, kept: Lead, history: int) -> int:
    """A phoned-in lead with ``history`` lines of history and two addresses, committed."""
    lead = Lead(lead_name="Dup", phone=PHONE, status="Lead", source="Reference")
    session.add(lead)
    session.flush()
    lead.name = f"DUP-{lead.id}"
    connection = session.connection()
    connection.execute(
        sa.text(
            "INSERT INTO lc_history (lead_id, kind, subject, created_at)"
            " VALUES (:lead, 'note', :subject, CURRENT_TIMESTAMP)"
        ),
        [{"lead": lead.id, "subject": f"Note {n}"} for n in range(history)],
    )
    connection.execute(
        sa.text(
            "INSERT INTO lc_addresses (name, address_type, address_line1, city, country,"
            " lead_id, created_at, updated_at) VALUES (:name, 'Office', '1 Road', 'Leeds',"
            " 'UK', :lead, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        [{"name": f"Dup-{lead.id}-{n}", "lead": lead.id} for n in range(2)],
    )
    session.commit()
    return lead.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--history", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    lines = []
    with filled_shop(args.database_url, with_phones, args.leads, "leads") as (backend, session):
        settle(session, "lc_leads")
        kept = session.get(Lead, args.leads // 2)
        kept.phone = PHONE
        session.commit()
        kept_id = kept.id

        look = "SELECT * FROM lc_leads WHERE (phone = :phone OR lead_name = :name)"
        look += " AND id != :id AND email IS NULL ORDER BY id LIMIT 5"
        found = {"phone": PHONE, "name": kept.lead_name, "id": kept_id}
        timings = {
            "possible duplicates": (
                median_ms(lambda: possible_duplicates(session, kept), args.repeat),
                median_ms(lambda: session.execute(sa.text(look), found).all(), args.repeat),
            )
        }
        session.rollback()

        ours_ids = [duplicate_of(session, kept, args.history) for _ in range(args.repeat + 1)]
        raw_ids = [duplicate_of(session, kept, args.history) for _ in range(args.repeat + 1)]

        def ours() -> None:
            lead = session.get(Lead, kept_id)
            merge_leads(session, lead, ours_ids.pop(), by="bench")
            session.commit()

        def raw() -> None:
            values = {"kept": kept_id, "duplicate": raw_ids.pop(), "phone": PHONE}
            with session.get_bind().begin() as connection:
                connection.execute(sa.text("SELECT id FROM lc_leads WHERE id = :kept"), values)
                for statement in RAW_MERGE:
                    connection.execute(sa.text(statement), values)

        timings["merge"] = (median_ms(ours, args.repeat), median_ms(raw, args.repeat))
        for name, (ours_ms, raw_ms) in timings.items():
            what = f"merge ({args.history} history lines)" if name == "merge" else name
            lines.append(
                f"{when_and_where()} {backend} | {args.leads:,} | {what} | "
                f"{ours_ms:.1f} ms | {raw_ms:.1f} ms | {ours_ms / raw_ms:.1f} |"
            )
            print(lines[-1])
    for line in lines:
        record(
            "## Duplicates at scale (`bench/lead_merge.py`)",
            "Median time of a lead page's look for possible duplicates, and of a merge\n"
            "(committed), vs the same work written in SQL, among a million leads.",
            ["date", "machine", "database", "leads", "work", "ours", "raw SQL", "ratio"],
            line,
        )


if __name__ == "__main__":
    main()
