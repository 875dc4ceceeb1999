"""The shopper's language: the plug-in's pages and emails in English or another language
its catalogs hold (``leadcapture/translations``, its own gettext domain ``leadcapture``,
so a host's own catalogs never clash with it).

A page takes the language Flask-Babel selects: the host's locale selector if the host
runs Flask-Babel, else the browser's ``Accept-Language`` among
``LEADCAPTURE_LANGUAGES``. An email takes the lead's language (or its cart's), which the
shop sends with its signals (``language``); see :func:`language_of`.

Text the owner writes (a recovery step they edited) is theirs, in their words: only the
built-in texts are translated, as gettext finds them in the catalog by their English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, Domain, force_locale

TRANSLATIONS = Path(__file__).parent / "translations"
domain = Domain(translation_directories=str(TRANSLATIONS), domain="leadcapture")
gettext = domain.gettext
#: ``ngettext(singular, plural, n, **values)``: the form for ``n``, which ``%(num)d`` shows.
ngettext = domain.ngettext
lazy_gettext = domain.lazy_gettext


def N_(text: str) -> str:  # noqa: N802 (gettext's name for it)
    """Mark ``text`` for the catalog without translating it here: it is kept in
    English (a built-in recovery text the owner may edit) and translated when used."""
    return text


def languages(app: Flask | None = None) -> tuple[str, ...]:
    """The languages the plug-in speaks in this app, the default first."""
    return tuple((app or current_app).config["LEADCAPTURE_LANGUAGES"])


def language_of(value: Any, app: Flask | None = None) -> str | None:
    """``value`` as one of the app's languages (``pt-BR`` → ``pt``), or ``None``."""
    if not isinstance(value, str):
        return None
    spoken = languages(app)
    code = value.strip().replace("_", "-").lower()
    for candidate in (code, code.split("-")[0]):
        if candidate in spoken:
            return candidate
    return None


def language_name(code: str) -> str:
    """A language by its name in the language being spoken, as a sentence writes it
    (``pt`` → "Portuguese" in English, "português" in Portuguese)."""
    try:
        return str(Locale.parse(code.replace("-", "_")).get_display_name(current_language()))
    except (ValueError, UnknownLocaleError):
        return code


def _browser_language() -> str:
    spoken = languages()
    if has_request_context():
        return request.accept_languages.best_match(spoken) or spoken[0]
    return spoken[0]


def init_app(app: Flask) -> None:
    """Give the app Flask-Babel unless the host runs it already; make the plug-in's
    ``lc_gettext``, ``lc_ngettext`` and ``lc_language`` available to its templates."""
    if "babel" not in app.extensions:
        Babel(app, locale_selector=_browser_language)
    app.jinja_env.globals.update(
        lc_gettext=gettext, lc_ngettext=ngettext, lc_language=current_language
    )


def current_language() -> str:
    """The language of the page being made (or of the email, in :func:`speaking`)."""
    from flask_babel import get_locale

    locale = get_locale()
    return language_of(str(locale)) or languages()[0] if locale else languages()[0]


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Make what is rendered in the block speak ``language`` (else the default)."""
    chosen = language_of(language) or languages()[0]
    with force_locale(chosen):
        yield chosen
