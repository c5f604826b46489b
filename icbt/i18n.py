"""Languages: which ones the clinic offers, their names and direction, and speaking a
person's language outside their own request (emails, jobs).

The catalogues live in icbt/translations/<code>/LC_MESSAGES/messages.po, compiled to .mo
files that ship in the package. A language is offered when the clinic lists it in
LANGUAGES (ICBT_LANGUAGES) and a catalogue for it exists; English is the source and
needs none. Choosing the language for a request reads the request, so it lives in
icbt.views.language; everything here works without one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.extract import extract_from_file
from flask import current_app, has_app_context
from flask_babel import force_locale, gettext

SOURCE_LANGUAGE = "en"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
JS_DIR = Path(__file__).resolve().parent / "static" / "js"
# Pseudo-locales (Android's and Chrome's XA, XB regions) exist only for layout testing:
# never negotiated from a browser, never listed in the settings.
PSEUDO_REGIONS = ("XA", "XB")


def normalise(code: str | None) -> str:
    """'de-DE' and 'de_de' become 'de_DE'; '' stays ''."""
    if not code:
        return ""
    lang, _, region = code.strip().replace("-", "_").partition("_")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def is_pseudo(code: str) -> bool:
    """Whether code names a pseudo-locale (en_XA, ar_XB)."""
    return normalise(code).partition("_")[2] in PSEUDO_REGIONS


@lru_cache(maxsize=64)
def has_catalogue(code: str) -> bool:
    """Whether a compiled catalogue ships for code (English needs none)."""
    if code == SOURCE_LANGUAGE:
        return True
    return (TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.mo").is_file()


def _config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if config is not None:
        return config
    return current_app.config if has_app_context() else {}


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [normalise(str(v)) for v in (value or []) if str(v).strip()]


def languages(config: Mapping[str, Any] | None = None) -> list[str]:
    """The languages people may choose, in the clinic's order: listed and shipped."""
    listed = _listed(_config(config).get("LANGUAGES")) or [SOURCE_LANGUAGE]
    out = [c for c in dict.fromkeys(listed) if has_catalogue(c) and not is_pseudo(c)]
    return out or [SOURCE_LANGUAGE]


def default_language(config: Mapping[str, Any] | None = None) -> str:
    """The clinic's language: DEFAULT_LANGUAGE when it is offered, else the first offered."""
    offered = languages(config)
    wanted = normalise(_config(config).get("DEFAULT_LANGUAGE"))
    return wanted if wanted in offered else offered[0]


def pseudo_locale(config: Mapping[str, Any] | None = None) -> str:
    """The pseudo-locale every page is shown in (PSEUDO_LOCALE, for layout tests), or ''."""
    code = normalise(_config(config).get("PSEUDO_LOCALE"))
    return code if code and is_pseudo(code) and has_catalogue(code) else ""


def usable(code: str | None, config: Mapping[str, Any] | None = None) -> str:
    """code when it is offered, else the clinic's language: the language to speak to someone."""
    forced = pseudo_locale(config)
    if forced:
        return forced
    code = normalise(code)
    return code if code in languages(config) else default_language(config)


@lru_cache(maxsize=64)
def locale(code: str) -> Locale:
    """Babel's Locale for code; a pseudo-locale borrows its base language's data."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        lang, _, region = normalise(code).partition("_")
        try:
            base = Locale.parse(lang or SOURCE_LANGUAGE)
        except (UnknownLocaleError, ValueError):
            base = Locale.parse(SOURCE_LANGUAGE)
        _ = base.language_name  # load the base's data before the copy shares it
        made = copy.copy(base)
        made.territory = region or None
        return made


def name(code: str) -> str:
    """A language's own name for itself, as a settings menu shows it: "Deutsch"."""
    loc = locale(code)
    shown = loc.get_language_name(loc) or code
    return shown[:1].upper() + shown[1:]


def direction(code: str) -> str:
    """'rtl' for right-to-left languages (Arabic, Hebrew and their pseudo-locales), else 'ltr'."""
    return locale(code).text_direction


def html_lang(code: str) -> str:
    """The BCP 47 tag for <html lang>: de, pt-BR, en-XA."""
    return normalise(code).replace("_", "-")


@contextmanager
def speaking(code: str | None) -> Iterator[str]:
    """Translate, format dates and pick plurals in code's language (or the clinic's) inside.

    For what one person reads outside their own request: their emails, their reminders.
    """
    chosen = usable(code)
    with force_locale(locale(chosen)):
        yield chosen


@lru_cache(maxsize=1)
def js_msgids() -> tuple[str, ...]:
    """Every _("...") in our JavaScript, read from the files pybabel extracts them from."""
    found: list[str] = []
    for path in sorted(JS_DIR.glob("*.js")):
        for _line, message, _comments, _context in extract_from_file(
                "javascript", str(path), keywords={"_": None}):
            if isinstance(message, str):
                found.append(message)
    return tuple(dict.fromkeys(found))


def js_messages() -> dict[str, str]:
    """The JavaScript's messages in the page's language (base.html puts them in a data attribute)."""
    return {m: gettext(m) for m in js_msgids()}
