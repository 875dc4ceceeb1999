"""Lead sources: the built-in ones (:class:`~leadcapture.constants.LeadSource`), which
stay as they are, and those the owner adds, renames and retires in the back office, as
ERPNext's Lead Source list is kept. Every surface checks a source here: a new lead takes
an active one; a lead that has a retired one keeps it.

The names are read once per app context (a request, a CLI command, a task) and kept in
``g``, so a thousand imported rows ask the database once.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import select, update

from . import fields
from .constants import MAX_SOURCE, LeadSource
from .errors import ValidationError
from .i18n import gettext
from .models import AssignmentRule, Lead, Source
from .transactions import DBSession, current_session

_KEY = "leadcapture_sources"
BUILT_IN = tuple(str(s) for s in LeadSource)


def _names() -> dict[str, tuple[str, bool]]:
    """casefolded name → (name, active), the built-in ones and the owner's."""
    known = {name.casefold(): (name, True) for name in BUILT_IN}
    if not has_app_context():
        return known
    cached = g.get(_KEY)
    if cached is None:
        rows = current_session().execute(select(Source.name, Source.active)).all()
        cached = {**known, **{row.name.casefold(): (row.name, row.active) for row in rows}}
        setattr(g, _KEY, cached)
    return dict(cached)


def _forget() -> None:
    if has_app_context():
        g.pop(_KEY, None)


def known_source(field: str, value: Any) -> str | None:
    """A lead field's cleaner: a source that exists (active or retired), as it is
    spelled in the list; ``None`` when blank."""
    name = fields.text(field, value, max_length=MAX_SOURCE)
    if name is None:
        return None
    found = _names().get(name.casefold())
    if found is None:
        raise ValidationError.single(
            field, gettext("Not a lead source: add %(name)r on the Sources page.", name=name)
        )
    return found[0]


def active_source(field: str, value: Any) -> str:
    """A source a new lead may take: one that is not retired."""
    name = known_source(field, value)
    if name is None:
        raise ValidationError.single(field, gettext("This field is required."))
    if not _names()[name.casefold()][1]:
        raise ValidationError.single(
            field, gettext("%(name)s is retired: choose another source.", name=name)
        )
    return name


def offered(current: str | None = None) -> list[str]:
    """The sources a form offers: the active ones, and ``current`` if it is retired."""
    names = [name for name, active in _names().values() if active]
    return names + [current] if current and current not in names else names


def every_source() -> list[tuple[str, bool, bool]]:
    """(name, built in, active) for the Sources page: the built-in ones first."""
    owners = [(name, False, active) for name, active in _names().values() if name not in BUILT_IN]
    return [(name, True, True) for name in BUILT_IN] + sorted(owners)


def _new_name(session: DBSession, value: Any) -> str:
    name = fields.text("name", value, max_length=MAX_SOURCE, required=True)
    assert name is not None
    if name.casefold() in _names():
        raise ValidationError.single("name", gettext("%(name)s is a source already.", name=name))
    return name


def add_source(session: DBSession, name: Any, *, by: str | None) -> Source:
    """A new active source; the caller commits."""
    source = Source(name=_new_name(session, name), active=True, created_by=by)
    session.add(source)
    session.flush()
    _forget()
    return source


def _owners(session: DBSession, name: Any) -> Source:
    text = fields.text("source", name, max_length=MAX_SOURCE, required=True) or ""
    if text.casefold() in {b.casefold() for b in BUILT_IN}:
        raise ValidationError.single(
            "source", gettext("%(name)s is built in: it stays as it is.", name=text)
        )
    source = session.scalars(select(Source).where(Source.name == text).with_for_update()).first()
    if source is None:
        raise LookupError(text)
    return source


def rename_source(session: DBSession, old: Any, new: Any) -> Source:
    """Rename an owner's source, and the leads and assignment rules that name it, in one
    set-based UPDATE each; the caller commits."""
    source = _owners(session, old)
    name = _new_name(session, new)
    for model in (Lead, AssignmentRule):
        session.execute(
            update(model)
            .where(model.source == source.name)
            .values(source=name)
            .execution_options(synchronize_session=False)
        )
    source.name = name
    _forget()
    return source


def retire_source(session: DBSession, name: Any, *, active: bool = False) -> Source:
    """Retire an owner's source (or bring it back with ``active=True``)."""
    source = _owners(session, name)
    source.active = active
    _forget()
    return source
