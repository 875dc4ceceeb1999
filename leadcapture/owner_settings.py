"""The settings a shop owner changes in the back office without a deploy.

Each starts as the app's ``LEADCAPTURE_*`` config value; a saved one is kept in
``lc_owner_settings`` and wins from then on. :func:`effective` is the one place that
says which value holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Table, select

from . import fields
from .errors import ValidationError
from .i18n import N_, gettext
from .models import OwnerSetting
from .models.base import utcnow
from .transactions import DBSession, current_session, upsert


@dataclass(frozen=True)
class Setting:
    key: str
    #: The config key that gives the first value.
    config_key: str
    label: str
    help: str
    low: int | None = None
    high: int | None = None

    def clean(self, value: Any) -> Any:
        """The value as kept, or a ValidationError naming the setting."""
        if self.low is None:
            return fields.text(self.key, value, max_length=1000, required=True, multiline=True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError.single(self.key, gettext("Must be a whole number."))
        if not self.low <= value <= (self.high or value):
            raise ValidationError.single(
                self.key, gettext("Between %(low)s and %(high)s.", low=self.low, high=self.high)
            )
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "abandoned_after_minutes",
        "LEADCAPTURE_ABANDONED_AFTER_MINUTES",
        N_("Abandoned after (minutes)"),
        N_("A cart with items and an email, idle this long, is abandoned by the next sweep."),
        low=0,
        high=7 * 24 * 60,
    ),
    Setting(
        "cart_lost_after_days",
        "LEADCAPTURE_CART_LOST_AFTER_DAYS",
        N_("Lost after (days)"),
        N_("An abandoned cart with no order after this many days is lost."),
        low=1,
        high=365,
    ),
    Setting(
        "consent_notice",
        "LEADCAPTURE_CONSENT_NOTICE",
        N_("Consent notice at checkout"),
        N_("What a guest reads under the email field before it is saved as they type."),
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}


def effective(session: DBSession, config: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting's value: the owner's where saved, else the config's."""
    saved = {
        key: value for key, value in session.execute(select(OwnerSetting.key, OwnerSetting.value))
    }
    return {s.key: saved.get(s.key, config[s.config_key]) for s in SETTINGS}


def saved_by(session: DBSession) -> dict[str, OwnerSetting]:
    return {row.key: row for row in session.scalars(select(OwnerSetting))}


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as kept, or a ValidationError naming every wrong one."""
    unknown = sorted(set(values) - set(BY_KEY))
    if unknown:
        raise ValidationError.single(unknown[0], gettext("Not a setting."))
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        try:
            cleaned[key] = BY_KEY[key].clean(value)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def save(session: DBSession, values: Mapping[str, Any], *, by: str | None) -> dict[str, Any]:
    """Check every value first, then keep them all (the caller commits): nothing half-way."""
    cleaned = checked(values)
    table: Table = OwnerSetting.__table__  # type: ignore[assignment]
    now = utcnow()
    for key, value in cleaned.items():
        row = {"key": key, "value": value, "updated_at": now, "updated_by": by}
        statement = upsert(session, table).values(**row)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["key"],
                set_={"value": value, "updated_at": now, "updated_by": by},
            )
        )
    return cleaned


def consent_notice() -> str:
    """What a shop shows under its checkout's email field, as the owner last wrote it."""
    return str(effective(current_session(), current_app.config)["consent_notice"])
