"""The recovery emails' steps: when each goes out, what it says, whether it has a code.

The app's config gives the first values (``LEADCAPTURE_RECOVERY_SCHEDULE_HOURS`` and the
discount settings); once the owner saves a step in the back office, every step lives in
``lc_recovery_steps`` and the config's are no longer read. A step is turned off, never
deleted. A change reaches every cart whose next step has not been written yet: saving
moves those carts' ``next_email_at`` to the new schedule.

A step's subject and body are in the shop's first language. For each other language
the owner may write the step's own text (``lc_recovery_step_texts``); a language without
one gets the built-in text translated, or the owner's edited text as they wrote it. The
delay, the code and on/off are the step's, the same in every language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from . import fields as text_fields
from .constants import CartState
from .errors import ValidationError
from .i18n import N_, gettext
from .models import RecoveryStep, RecoveryStepText, TrackedCart
from .models.base import utcnow
from .recovery_content import check
from .transactions import DBSession

#: The longest wait before a step, in hours (90 days).
MAX_DELAY_HOURS = 90 * 24
#: How many steps a series may have.
MAX_STEPS = 6

CODE_PARAGRAPH = N_("Use the code {code} to save {percent}%; the button applies it.")


@dataclass(frozen=True)
class Step:
    """One step as the sweep and the editor see it (a row's values, or the config's)."""

    step: int
    delay_hours: float
    subject: str
    body: str
    code: bool = False
    code_percent: int = 0
    active: bool = True
    #: language → (subject, body): the owner's own text in the shop's other languages.
    texts: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, row: RecoveryStep, texts: Mapping[str, tuple[str, str]] | None = None) -> Step:
        return cls(**{name: getattr(row, name) for name in COLUMNS}, texts=texts or {})

    def columns(self) -> dict[str, Any]:
        """The values ``lc_recovery_steps`` keeps (the texts in other languages apart)."""
        return {name: getattr(self, name) for name in COLUMNS}

    def words(self, language: str) -> tuple[str, str]:
        """The subject and body in ``language``: the owner's own text for it, else the
        step's, the built-in text translated. Call it where ``language`` is spoken
        (:func:`leadcapture.i18n.speaking`): gettext translates into that."""
        return self.texts.get(language) or translated(self.subject, self.body)


#: A step's values that ``lc_recovery_steps`` keeps.
COLUMNS = tuple(f.name for f in fields(Step) if f.name != "texts")


def default_subject(step: int, last: bool) -> str:
    if step == 1:
        return N_("You left something in your cart")
    if last:
        return N_("Last reminder: your cart at {shop_name}")
    return N_("Your cart at {shop_name} is still waiting")


def default_body(code: bool) -> str:
    paragraphs = [
        N_("Hello {first_name},"),
        N_("you left these in your cart at {shop_name}:"),
        "{cart_lines}",
        *([CODE_PARAGRAPH] if code else []),
        "{restore_link}",
        N_("It opens your cart on any device."),
    ]
    return "\n\n".join(paragraphs)


def translated(subject: str, body: str) -> tuple[str, str]:
    """A step's subject and body in the language being spoken, when they are the
    built-in texts; the owner's own words stay as they wrote them."""
    if body in (default_body(False), default_body(True)):
        body = "\n\n".join(gettext(p) if "{" not in p[:1] else p for p in body.split("\n\n"))
    return gettext(subject), body


def configured_steps(config: Mapping[str, Any]) -> tuple[Step, ...]:
    """The steps the config describes: one per hour in the schedule, a code from
    ``LEADCAPTURE_RECOVERY_DISCOUNT_FROM_STEP`` on when a percent is set."""
    hours = tuple(config["LEADCAPTURE_RECOVERY_SCHEDULE_HOURS"])
    percent = int(config["LEADCAPTURE_RECOVERY_DISCOUNT_PERCENT"])
    from_step = int(config["LEADCAPTURE_RECOVERY_DISCOUNT_FROM_STEP"])
    steps = []
    for number, delay in enumerate(hours, start=1):
        code = bool(percent) and number >= from_step
        steps.append(
            Step(
                step=number,
                delay_hours=float(delay),
                subject=default_subject(number, last=number == len(hours) and number > 1),
                body=default_body(code),
                code=code,
                code_percent=percent if code else 0,
            )
        )
    return tuple(steps)


def current_steps(session: DBSession, config: Mapping[str, Any]) -> tuple[Step, ...]:
    rows = session.scalars(select(RecoveryStep).order_by(RecoveryStep.step)).all()
    if not rows:
        return configured_steps(config)
    texts: dict[int, dict[str, tuple[str, str]]] = {}
    for text in session.scalars(select(RecoveryStepText)):
        texts.setdefault(text.step, {})[text.language] = (text.subject, text.body)
    return tuple(Step.of(row, texts.get(row.step)) for row in rows)


def next_active(steps: Sequence[Step], after: int) -> Step | None:
    """The first step turned on after step number ``after`` (0: the first of all)."""
    return next((s for s in steps if s.step > after and s.active), None)


def due_at(steps: Sequence[Step], after: int, abandoned_at: datetime | None) -> datetime | None:
    """When a cart abandoned at ``abandoned_at``, past step ``after``, gets its next email."""
    following = next_active(steps, after)
    if following is None or abandoned_at is None:
        return None
    return abandoned_at + timedelta(hours=following.delay_hours)


def _order_problem(draft: Step, steps: Sequence[Step]) -> str | None:
    """Why an active step's delay does not fit between its active neighbours', if so."""
    for other in steps:
        if not (draft.active and other.active) or other.step == draft.step:
            continue
        if other.step < draft.step and other.delay_hours >= draft.delay_hours:
            return gettext(
                "Must be later than step %(step)s (%(hours)s hours).",
                step=other.step,
                hours=f"{other.delay_hours:g}",
            )
        if other.step > draft.step and other.delay_hours <= draft.delay_hours:
            return gettext(
                "Must be earlier than step %(step)s (%(hours)s hours).",
                step=other.step,
                hours=f"{other.delay_hours:g}",
            )
    return None


def _checked(draft: Step, steps: Sequence[Step]) -> Step:
    """The draft with its text trimmed, or a ValidationError naming every wrong field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, limit in (("subject", 200), ("body", 20_000)):
        try:
            value = getattr(draft, name)
            text = text_fields.text(
                name, value, max_length=limit, required=True, multiline=name == "body"
            )
            check(name, text or "", code=draft.code)
            cleaned[name] = text or ""
        except ValidationError as error:
            errors.update(error.errors)
    if not 0 <= draft.delay_hours <= MAX_DELAY_HOURS:
        errors["delay_hours"] = [
            gettext(
                "Between 0 and %(most)s hours after the cart was abandoned.", most=MAX_DELAY_HOURS
            )
        ]
    elif problem := _order_problem(draft, steps):
        errors["delay_hours"] = [problem]
    if draft.code and not 1 <= draft.code_percent <= 100:
        errors["code_percent"] = [gettext("A percent from 1 to 100.")]
    if errors:
        raise ValidationError(errors)
    return replace(draft, subject=cleaned["subject"], body=cleaned["body"])


def _keep(session: DBSession, steps: Sequence[Step], by: str | None) -> None:
    """Write the config's steps into the table, once: from now on the table rules."""
    if session.scalar(select(RecoveryStep.step).limit(1)) is None:
        session.add_all(RecoveryStep(**s.columns(), updated_by=by) for s in steps)
        session.flush()


def check_step(session: DBSession, config: Mapping[str, Any], draft: Step) -> Step:
    """The draft as it would be saved, or a ValidationError naming the field; writes
    nothing (a preview or a test send asks this)."""
    steps = current_steps(session, config)
    step_of(steps, draft.step)
    return _checked(draft, steps)


def save_step(
    session: DBSession, config: Mapping[str, Any], draft: Step, *, by: str | None
) -> Step:
    """Save one step (the caller commits) and move waiting carts to the new schedule."""
    step = check_step(session, config, draft)
    _keep(session, current_steps(session, config), by)
    row = session.get(RecoveryStep, step.step, with_for_update=True)
    assert row is not None
    for name, value in step.columns().items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = utcnow(), by
    session.flush()
    reschedule(session, current_steps(session, config))
    return step


def other_languages(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The languages a step may have its own text in: all but the shop's first."""
    return tuple(config["LEADCAPTURE_LANGUAGES"])[1:]


def step_of(steps: Sequence[Step], number: int) -> Step:
    """Step ``number`` of ``steps``; :class:`LookupError` if there is none."""
    found = next((s for s in steps if s.step == number), None)
    if found is None:
        raise LookupError(number)
    return found


def save_step_text(
    session: DBSession,
    config: Mapping[str, Any],
    number: int,
    language: str,
    *,
    subject: Any,
    body: Any,
    by: str | None,
) -> Step:
    """Keep step ``number``'s own text in ``language`` (the caller commits); checked as
    the step's own text is. Returns the step with it."""
    if language not in other_languages(config):
        raise ValidationError.single("language", gettext("Not one of the shop's other languages."))
    steps = current_steps(session, config)
    step = step_of(steps, number)
    checked = _checked(replace(step, subject=subject, body=body), steps)
    _keep(session, steps, by)
    row = session.get(RecoveryStepText, (number, language), with_for_update=True)
    if row is None:
        row = RecoveryStepText(step=number, language=language)
        session.add(row)
    row.subject, row.body = checked.subject, checked.body
    row.updated_at, row.updated_by = utcnow(), by
    session.flush()
    return replace(step, texts={**step.texts, language: (checked.subject, checked.body)})


def drop_step_text(session: DBSession, number: int, language: str) -> bool:
    """Step ``number`` speaks ``language`` with its own text again (the built-in one
    translated, or the owner's words); ``False`` if it had no text of its own there."""
    gone = session.execute(
        delete(RecoveryStepText).where(
            RecoveryStepText.step == number, RecoveryStepText.language == language
        )
    )
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def add_step(session: DBSession, config: Mapping[str, Any], *, by: str | None) -> Step:
    """A new last step, turned off until the owner has written it."""
    steps = current_steps(session, config)
    if len(steps) >= MAX_STEPS:
        raise ValidationError.single(
            "step", gettext("A series has at most %(most)s emails.", most=MAX_STEPS)
        )
    _keep(session, steps, by)
    last = steps[-1] if steps else None
    step = Step(
        step=(last.step if last else 0) + 1,
        delay_hours=(last.delay_hours + 24) if last else 1.0,
        subject=default_subject((last.step if last else 0) + 1, last=True),
        body=default_body(False),
        active=False,
    )
    session.add(RecoveryStep(**step.columns(), updated_by=by))
    session.flush()
    return step


def reschedule(session: DBSession, steps: Sequence[Step], *, batch_size: int = 1000) -> int:
    """Move the carts waiting for an email to ``steps``; returns how many were looked at.

    Only carts whose series is under way (``next_email_at`` set) are read, through the
    partial index on it; a cart whose series ended, or never started, stays as it is.
    """
    after = 0
    seen = 0
    while True:
        rows = session.execute(
            select(TrackedCart.id, TrackedCart.emails_sent, TrackedCart.abandoned_at)
            .where(
                TrackedCart.next_email_at.is_not(None),
                TrackedCart.state == CartState.ABANDONED,
                TrackedCart.id > after,
            )
            .order_by(TrackedCart.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return seen
        session.execute(
            update(TrackedCart),
            [
                {"id": cart_id, "next_email_at": due_at(steps, sent, abandoned_at)}
                for cart_id, sent, abandoned_at in rows
            ],
        )
        seen += len(rows)
        after = rows[-1].id
