"""Assignment rules: every new lead, from any source, gets a sales user when it is made.

A rule for the lead's source wins over a rule for any source; within a rule the users
take turns (round-robin). The rule's row is locked while it hands out a turn, so
concurrent captures never give two leads the same turn.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from . import fields
from .errors import ValidationError
from .i18n import gettext
from .models import AssignmentRule
from .sources import known_source
from .staff import staff_field
from .transactions import DBSession


def clean_rule(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = fields.clean(
        {"name": data.get("name"), "source": data.get("source") or None},
        {
            "name": partial(fields.text, max_length=100, required=True),
            "source": known_source,
        },
    )
    raw = data.get("users")
    users = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(users, list):
        raise ValidationError.single(
            "users", gettext("List the staff user ids, separated by commas.")
        )
    ids = [staff_field("users", u) for u in users]
    cleaned["users"] = list(dict.fromkeys(u for u in ids if u))
    if not cleaned["users"]:
        raise ValidationError.single("users", gettext("Name at least one staff user."))
    return cleaned


def add_rule(session: DBSession, data: dict[str, Any]) -> AssignmentRule:
    rule = AssignmentRule(**clean_rule(data), last_index=-1, active=True)
    session.add(rule)
    return rule


def toggle_rule(session: DBSession, rule_id: int) -> AssignmentRule | None:
    """Switch a rule on or off; ``None`` if there is no such rule. The caller commits."""
    rule = session.get(AssignmentRule, rule_id, with_for_update=True)
    if rule is not None:
        rule.active = not rule.active
    return rule


def rule_for(session: DBSession, source: str | None) -> AssignmentRule | None:
    """The active rule for ``source`` (or for any source), locked for this transaction."""
    for wanted in dict.fromkeys((source, None)):
        condition = (
            AssignmentRule.source.is_(None) if wanted is None else (AssignmentRule.source == wanted)
        )
        rule = session.scalars(
            select(AssignmentRule)
            .where(AssignmentRule.active.is_(True), condition)
            .order_by(AssignmentRule.id)
            .limit(1)
            .with_for_update()
        ).first()
        if rule is not None:
            return rule
    return None


def next_assignees(session: DBSession, source: str | None, count: int = 1) -> list[str | None]:
    """The users the next ``count`` leads of ``source`` go to (None: no rule applies)."""
    rule = rule_for(session, source)
    if rule is None or not rule.users:
        return [None] * count
    picks: list[str | None] = []
    for _ in range(count):
        rule.last_index = (rule.last_index + 1) % len(rule.users)
        picks.append(rule.users[rule.last_index])
    return picks
