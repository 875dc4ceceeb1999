"""Lead scores: how likely a lead is to buy, from 0 to 100, with the main reasons.

A score is read from a few facts about the lead (:data:`FEATURES`): its source, its
largest cart, whether it opened a recovery link, how often it wrote back, how recently
anything happened, and whether it has a shop account. Each fact's value weighs for or
against (a log-odds weight); the score is the resulting probability in percent, and the
reasons are the facts that weighed most.

The weights are learned from this shop's own outcomes once there are
:data:`MIN_EXAMPLES` leads won (Converted) and as many lost (Lost Quotation, Do Not
Contact, or a cart lost with no order): naive Bayes, as Odoo's predictive lead scoring
does — each fact's weight is how much more often its value comes with a win than with a
loss (Laplace-smoothed). Before that, :data:`RULES` give the weights by hand.

:func:`score_leads` scores every lead in one pass: one set-based query reads the facts,
and only leads whose score or reasons moved are written. It runs daily (``flask leads
score``, or the ``score`` beat job with Celery), since recency moves every day.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, select, update

from .cartstates import CartState
from .constants import HistoryKind, LeadStatus
from .i18n import ngettext
from .models import HistoryEntry, Lead, TrackedCart
from .models.base import utcnow
from .transactions import DBSession

FEATURES = ("source", "cart_value", "link_opened", "replies", "recency", "signed_up")
#: Leads of each outcome needed before the weights are learned rather than ruled.
MIN_EXAMPLES = 20
WON = frozenset({LeadStatus.CONVERTED})
LOST = frozenset({LeadStatus.LOST_QUOTATION, LeadStatus.DO_NOT_CONTACT})
#: How many reasons a score names.
REASONS = 3
#: Leads written per UPDATE.
BATCH = 1000

#: What each fact's value reads as, in a reason.
WORDS: dict[tuple[str, str], str] = {
    ("cart_value", "none"): "no cart",
    ("cart_value", "small"): "a cart under 30",
    ("cart_value", "medium"): "a cart of 30 to 100",
    ("cart_value", "large"): "a cart over 100",
    ("link_opened", "yes"): "opened a recovery link",
    ("link_opened", "no"): "opened no recovery link",
    ("replies", "0"): "never wrote back",
    ("replies", "1"): "wrote back once",
    ("replies", "2+"): "wrote back more than once",
    ("recency", "day"): "active in the last day",
    ("recency", "week"): "active this week",
    ("recency", "month"): "active this month",
    ("recency", "older"): "quiet for over a month",
    ("signed_up", "yes"): "has a shop account",
    ("signed_up", "no"): "has no shop account",
}


@dataclass(frozen=True)
class Model:
    """Log-odds weights: ``prior`` plus one weight per (fact, value)."""

    prior: float
    weights: Mapping[tuple[str, str], float]
    learned: bool = False
    won: int = 0
    lost: int = 0

    def score(self, facts: Mapping[str, str]) -> tuple[int, list[str]]:
        """The score (0–100) of a lead with these facts, and its main reasons."""
        parts = [
            (weight, feature, value)
            for feature, value in facts.items()
            if (weight := self.weights.get((feature, value), 0.0))
        ]
        odds = self.prior + sum(weight for weight, _, _ in parts)
        score = round(100 / (1 + math.exp(-max(-30.0, min(30.0, odds)))))
        strongest = sorted(parts, key=lambda part: -abs(part[0]))[:REASONS]
        return score, [_reason(weight, feature, value) for weight, feature, value in strongest]


def _reason(weight: float, feature: str, value: str) -> str:
    words = WORDS.get((feature, value)) or f"source {value}"
    return f"{'+' if weight > 0 else '−'} {words[0].upper()}{words[1:]}"


#: The weights before there is anything to learn from: what cart recovery tools count on.
RULES = Model(
    prior=-1.0,
    weights={
        ("cart_value", "none"): -0.5,
        ("cart_value", "medium"): 0.5,
        ("cart_value", "large"): 0.9,
        ("link_opened", "yes"): 0.9,
        ("replies", "1"): 0.8,
        ("replies", "2+"): 1.2,
        ("recency", "day"): 0.6,
        ("recency", "week"): 0.3,
        ("recency", "older"): -0.8,
        ("signed_up", "yes"): 0.6,
        ("source", "Existing Customer"): 0.6,
        ("source", "Reference"): 0.4,
        ("source", "Checkout"): 0.4,
    },
)


def learn(examples: Iterable[tuple[Mapping[str, str], bool]]) -> Model | None:
    """Naive Bayes weights from ``(facts, won)`` examples; ``None`` below
    :data:`MIN_EXAMPLES` of either outcome."""
    counts: dict[bool, Counter[tuple[str, str]]] = {True: Counter(), False: Counter()}
    totals: Counter[bool] = Counter()
    values: dict[str, set[str]] = {feature: set() for feature in FEATURES}
    for facts, won in examples:
        totals[won] += 1
        for feature, value in facts.items():
            counts[won][(feature, value)] += 1
            values[feature].add(value)
    if min(totals[True], totals[False]) < MIN_EXAMPLES:
        return None
    weights = {}
    for feature, seen in values.items():
        for value in seen:
            likely = [
                (counts[won][(feature, value)] + 1) / (totals[won] + len(seen))
                for won in (True, False)
            ]
            weights[(feature, value)] = math.log(likely[0] / likely[1])
    return Model(
        prior=math.log(totals[True] / totals[False]),
        weights=weights,
        learned=True,
        won=totals[True],
        lost=totals[False],
    )


def facts_of(row: Any, now: datetime) -> dict[str, str]:
    """A lead's facts, from a row of :func:`_facts_query`, as (fact → value)."""
    value = float(row.cart_value or 0)
    last = max(filter(None, (row.created_at, row.last_history)), default=None)
    days = (now - last) / timedelta(days=1) if last else 999.0
    return {
        "source": row.source or "none",
        "cart_value": (
            "none"
            if not row.cart_value
            else "small"
            if value < 30
            else "medium"
            if value < 100
            else "large"
        ),
        "link_opened": "yes" if row.link_opened else "no",
        "replies": "0" if not row.replies else "1" if row.replies == 1 else "2+",
        "recency": (
            "day" if days <= 1 else "week" if days <= 7 else "month" if days <= 30 else "older"
        ),
        "signed_up": "yes" if row.web_user_id else "no",
    }


def outcome(row: Any) -> bool | None:
    """Won (True), lost (False), or still open (None)."""
    if row.status in WON:
        return True
    if row.status in LOST or row.cart_lost:
        return False
    return None


def _carts_by(key: Any) -> Any:
    """Each lead's carts summed up, the carts found by ``key`` (the lead, or the shop
    account, whose cart is the lead's before the sweep links it)."""
    return (
        select(
            key.label("key"),
            func.max(TrackedCart.total).label("value"),
            func.max(TrackedCart.link_opened_at).label("opened"),
            func.max(case((TrackedCart.state == CartState.LOST, 1), else_=0)).label("lost"),
        )
        .where(key.is_not(None))
        .group_by(key)
        .subquery()
    )


def _facts_query() -> Any:
    linked, of_account = _carts_by(TrackedCart.lead_id), _carts_by(TrackedCart.user_id)
    history = (
        select(
            HistoryEntry.lead_id,
            func.max(HistoryEntry.created_at).label("last"),
            func.sum(case((HistoryEntry.kind == HistoryKind.EMAIL_RECEIVED, 1), else_=0)).label(
                "replies"
            ),
        )
        .group_by(HistoryEntry.lead_id)
        .subquery()
    )

    def either(column: str) -> Any:
        return func.coalesce(linked.c[column], of_account.c[column])

    return (
        select(
            Lead.id,
            Lead.status,
            Lead.source,
            Lead.web_user_id,
            Lead.created_at,
            Lead.score,
            Lead.score_reasons,
            Lead.scored_at,
            either("value").label("cart_value"),
            either("opened").label("link_opened"),
            either("lost").label("cart_lost"),
            history.c.last.label("last_history"),
            history.c.replies,
        )
        .outerjoin(linked, linked.c.key == Lead.id)
        .outerjoin(of_account, of_account.c.key == Lead.web_user_id)
        .outerjoin(history, history.c.lead_id == Lead.id)
    )


@functools.cache
def _write_score() -> Any:
    """A score is not an edit: ``updated_at`` keeps its value (it would take the
    column's ``onupdate`` otherwise)."""
    table: Any = Lead.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("lead"))
        .values(
            score=bindparam("new_score"),
            score_reasons=bindparam("new_reasons"),
            scored_at=bindparam("now"),
            updated_at=table.c.updated_at,
        )
    )


@dataclass
class ScoringResult:
    scored: int = 0
    changed: int = 0
    model: Model = field(default_factory=lambda: RULES)

    def __str__(self) -> str:
        if self.model.learned:
            return ngettext(
                "%(num)d lead scored, %(changed)s changed; weights learned from"
                " %(won)s won and %(lost)s lost leads.",
                "%(num)d leads scored, %(changed)s changed; weights learned from"
                " %(won)s won and %(lost)s lost leads.",
                self.scored,
                changed=self.changed,
                won=self.model.won,
                lost=self.model.lost,
            )
        return ngettext(
            "%(num)d lead scored, %(changed)s changed; weights by the rules (fewer"
            " than %(least)s won or lost leads to learn from).",
            "%(num)d leads scored, %(changed)s changed; weights by the rules (fewer"
            " than %(least)s won or lost leads to learn from).",
            self.scored,
            changed=self.changed,
            least=MIN_EXAMPLES,
        )


def score_leads(session: DBSession, *, now: datetime | None = None) -> ScoringResult:
    """Score every lead; writes only the scores that moved. The caller commits."""
    now = now or utcnow()
    rows = session.execute(_facts_query()).all()
    facts = [facts_of(row, now) for row in rows]
    model = (
        learn(
            (f, won)
            for f, row in zip(facts, rows, strict=True)
            if (won := outcome(row)) is not None
        )
        or RULES
    )
    result = ScoringResult(scored=len(rows), model=model)
    changes = []
    for f, row in zip(facts, rows, strict=True):
        score, reasons = model.score(f)
        if row.scored_at is None or (score, reasons) != (row.score, row.score_reasons):
            changes.append({"lead": row.id, "new_score": score, "new_reasons": reasons, "now": now})
    for start in range(0, len(changes), BATCH):
        session.execute(_write_score(), changes[start : start + BATCH])
    result.changed = len(changes)
    return result
