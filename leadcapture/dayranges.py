"""The ranges of days the back office's reports are asked for (the dashboard, the cart
page's recovery report and its API): ``from`` and ``to`` as ISO dates, both days
included, counted in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from .errors import ValidationError
from .i18n import gettext

#: The range a report covers when none is chosen: the last 30 days.
DEFAULT_DAYS = 30
#: The days a report may name: a day past the last has no next day to count to.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
#: The longest range, in days: about ten years.
LONGEST = 3660


def report_range(start: str | None, end: str | None, *, today: date) -> tuple[date, date]:
    """The report's days from the query's ``from`` and ``to`` (default: the last
    :data:`DEFAULT_DAYS` days up to today); a wrong one raises, by its name."""

    def day(name: str, value: str | None, default: date) -> date:
        if not value:
            return default
        try:
            chosen = date.fromisoformat(value)
        except ValueError:
            raise ValidationError.single(name, gettext("Give a date as YYYY-MM-DD.")) from None
        if not FIRST_DAY <= chosen <= LAST_DAY:
            raise ValidationError.single(
                name,
                gettext("Give a day from %(first)s to %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        return chosen

    first = day("from", start, today - timedelta(days=DEFAULT_DAYS - 1))
    last = day("to", end, today)
    if first > last:
        raise ValidationError.single("from", gettext("The range starts after it ends."))
    if (last - first).days > LONGEST:
        raise ValidationError.single("from", gettext("Choose at most ten years."))
    return first, last


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The moments from the start of ``start`` to the end of ``end``, in UTC."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )
