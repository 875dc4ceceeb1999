"""How well lead scores rank the leads that buy above the leads that do not (AUC).

Generates --leads leads whose facts (source, largest cart, recovery link opened, replies,
recency, shop account) come from a hidden propensity to buy, and draws each lead's
outcome from it. Seven in ten leads are past (Converted or Do Not Contact, as the
outcome fell); the rest are still open, their outcome kept by this script only. Then
``score_leads`` scores every lead — learning the weights from the past ones — and the
AUC of the open leads' scores against their hidden outcomes is measured: the chance that
a buyer picked at random scores above a non-buyer picked at random (0.5 is a coin, 1 is
perfect). The hand rules' AUC on the same leads is reported beside it. Appends to
bench/RESULTS.md.

    python bench/scoring_auc.py [--leads 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from results import record, when_and_where  # noqa: E402  (bench/results.py)

from leadcapture.models import HistoryEntry, Lead, TrackedCart  # noqa: E402
from leadcapture.models.base import utcnow  # noqa: E402
from leadcapture.scoring import RULES, _facts_query, facts_of, score_leads  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402

SOURCES = {"Reference": 0.8, "Web Form": 0.2, "Abandoned Cart": 0.0, "Cold Calling": -0.9}


def auc(scores: list[float], bought: list[bool]) -> float:
    """Mann–Whitney: the share of (buyer, non-buyer) pairs the score orders right, ties
    counting half."""
    ranked = sorted(zip(scores, bought, strict=True), key=lambda pair: pair[0])
    rank_sum, position, buyers = 0.0, 0, sum(bought)
    while position < len(ranked):
        end = position
        while end < len(ranked) and ranked[end][0] == ranked[position][0]:
            end += 1
        middle = (position + 1 + end) / 2  # the tied run's mean rank
        rank_sum += middle * sum(1 for _, b in ranked[position:end] if b)
        position = end
    others = len(ranked) - buyers
    return (rank_sum - buyers * (buyers + 1) / 2) / (buyers * others)


def generate(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[bool]]:
    """Leads' facts as rows to insert, and whether each buys."""
    now = utcnow()
    leads, outcomes = [], []
    for i in range(n):
        source = rng.choice(list(SOURCES))
        signed_up = rng.random() < 0.4
        cart = rng.choice([0, 0, 20, 60, 150])
        opened = cart > 0 and rng.random() < 0.3
        replies = rng.choice([0, 0, 0, 1, 2])
        days = rng.choice([0.5, 3, 20, 60])
        propensity = (
            -1.2
            + SOURCES[source]
            + (0.5 if signed_up else 0)
            + {0: -0.6, 20: 0, 60: 0.4, 150: 0.8}[cart]
            + (0.9 if opened else 0)
            + 0.7 * replies
            + {0.5: 0.6, 3: 0.3, 20: 0, 60: -0.9}[days]
        )
        bought = rng.random() < 1 / (1 + math.exp(-propensity))
        leads.append(
            {
                "id": i + 1,
                "source": source,
                "signed_up": signed_up,
                "cart": cart,
                "opened": opened,
                "replies": replies,
                "at": now - timedelta(days=days),
            }
        )
        outcomes.append(bought)
        leads[-1]["propensity"] = propensity
    return leads, outcomes


def fill(url: str, leads: list[dict[str, Any]], past: list[bool | None]) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "STOREFRONT_SEED_DEMO": False}
    )
    with app.app_context():
        db.session.execute(
            sa.insert(Lead),
            [
                {
                    "id": lead["id"],
                    "email": f"lead{lead['id']}@example.com",
                    "source": lead["source"],
                    "web_user_id": str(lead["id"]) if lead["signed_up"] else None,
                    "status": {True: "Converted", False: "Do Not Contact", None: "Open"}[p],
                    "is_organization": False,
                    "created_at": lead["at"],
                    "updated_at": lead["at"],
                }
                for lead, p in zip(leads, past, strict=True)
            ],
        )
        db.session.execute(
            sa.insert(TrackedCart),
            [
                {
                    "cart_key": f"c{lead['id']}",
                    "lead_id": lead["id"],
                    "lines": [],
                    "item_count": 1,
                    "total": lead["cart"],
                    "currency": "EUR",
                    "last_activity_at": lead["at"],
                    "created_at": lead["at"],
                    "state": "abandoned",
                    "capture_declined": False,
                    "emails_sent": 1 if lead["opened"] else 0,
                    "link_opened_at": lead["at"] if lead["opened"] else None,
                }
                for lead in leads
                if lead["cart"]
            ],
        )
        db.session.execute(
            sa.insert(HistoryEntry),
            [
                {
                    "lead_id": lead["id"],
                    "kind": "email_received",
                    "subject": "Re: your cart",
                    "created_at": lead["at"],
                }
                for lead in leads
                for _ in range(lead["replies"])
            ],
        )
        db.session.commit()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 (generated data, not secrets)
    leads, outcomes = generate(args.leads, rng)
    past: list[bool | None] = [o if rng.random() < 0.7 else None for o in outcomes]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/scoring.sqlite3"
        fill(url, leads, past)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            started = time.perf_counter()
            result = score_leads(db.session)
            db.session.commit()
            seconds = time.perf_counter() - started
            rows = {row.id: row for row in db.session.execute(_facts_query())}
            scores = {
                row.id: row.score for row in db.session.execute(sa.select(Lead.id, Lead.score))
            }
            db.engine.dispose()
    now = utcnow()
    open_ids = [lead["id"] for lead, p in zip(leads, past, strict=True) if p is None]
    bought = [outcomes[i - 1] for i in open_ids]
    learned = auc([float(scores[i] or 0) for i in open_ids], bought)
    rules = auc([float(RULES.score(facts_of(rows[i], now))[0]) for i in open_ids], bought)
    ceiling = auc([leads[i - 1]["propensity"] for i in open_ids], bought)
    print(
        f"{result}\nAUC on {len(open_ids)} open leads: learned {learned:.3f}, rules"
        f" {rules:.3f}, the hidden propensity itself {ceiling:.3f}"
    )
    record(
        "## Lead scoring: how well scores rank buyers above the rest",
        "`python bench/scoring_auc.py`: generated leads whose facts come from a hidden\n"
        "propensity to buy; seven in ten are past (Converted or Do Not Contact) and teach\n"
        "the weights, the AUC is measured on the open rest against their hidden outcomes.",
        [
            "date",
            "machine",
            "leads",
            "won / lost learned from",
            "AUC learned",
            "AUC rules",
            "AUC of the hidden propensity (the best a score can do)",
            "scoring run",
        ],
        f"{when_and_where()} {args.leads:,} | {result.model.won:,} / {result.model.lost:,} |"
        f" {learned:.3f} | {rules:.3f} | {ceiling:.3f} | {seconds:.2f} s |",
    )


if __name__ == "__main__":
    main()
