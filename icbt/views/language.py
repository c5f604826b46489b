"""The language of a request: the account's own, else the browser's, else the clinic's.

Signed-out pages follow the browser's Accept-Language; once signed in, the language
saved on the account wins. A pseudo-locale (PSEUDO_LOCALE, layout tests only) overrides
both. Sets what base.html needs: <html lang> and dir, and the JavaScript's messages.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from icbt import i18n


def select_locale() -> object:
    """Flask-Babel's locale selector."""
    forced = i18n.pseudo_locale()
    if forced:
        return i18n.locale(forced)
    offered = i18n.languages()
    if current_user and current_user.is_authenticated:
        own = i18n.normalise(getattr(current_user, "language", None))
        if own in offered:
            return i18n.locale(own)
    if request:
        wanted = request.accept_languages.best_match([c.replace("_", "-") for c in offered])
        if wanted:
            return i18n.locale(i18n.normalise(wanted))
    return i18n.locale(i18n.default_language())


def page_language() -> dict[str, str]:
    """lang and dir for <html>."""
    code = str(get_locale() or i18n.SOURCE_LANGUAGE)
    return {"lang": i18n.html_lang(code), "dir": i18n.direction(code)}


def init_app(app: Flask) -> None:
    """Choose each request's language and give the templates what they show of it."""
    app.extensions["babel"].locale_selector = select_locale
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["js_messages"] = i18n.js_messages
    app.jinja_env.globals["language_name"] = i18n.name
    app.jinja_env.globals["language_choices"] = i18n.languages

    @app.after_request
    def _content_language(response):  # type: ignore[no-untyped-def]
        if request.endpoint != "static" and response.mimetype == "text/html":
            response.headers.setdefault("Content-Language", page_language()["lang"])
            response.vary.add("Accept-Language")
        return response
