"""Choosing the language: the account's own, else the browser's, else the clinic's.

The German catalogue is still being written, so these tests compile a small one of their
own into a temporary folder and point the app and icbt.i18n at it: the mechanism under
test (selection, <html lang>, emails in the recipient's language) is the real one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from conftest import csrf_from, login_as
from flask import Flask

from icbt import i18n
from icbt.db import db
from icbt.models.records import OutboxMessage

GERMAN = {
    "Sign in": "Anmelden",
    "Settings": "Einstellungen",
    "Your invitation to %(clinic)s": "Deine Einladung zu %(clinic)s",
    "A gentle reminder for tomorrow": "Eine freundliche Erinnerung für morgen",
}


@pytest.fixture
def german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_config: dict[str, Any]) -> Path:
    """A compiled test catalogue for de, used by the app and by icbt.i18n."""
    folder = tmp_path / "translations"
    (folder / "de" / "LC_MESSAGES").mkdir(parents=True)
    catalog = Catalog(locale="de")
    for msgid, msgstr in GERMAN.items():
        catalog.add(msgid, msgstr)
    with open(folder / "de" / "LC_MESSAGES" / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", folder)
    i18n.has_catalogue.cache_clear()
    app_config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    app_config["LANGUAGES"] = ["en", "de"]
    yield folder
    i18n.has_catalogue.cache_clear()


def test_only_languages_with_a_catalogue_are_offered(app: Flask) -> None:
    with app.app_context():
        app.config["LANGUAGES"] = ["en", "xx", "en_XA"]
        assert i18n.languages() == ["en"]  # xx has no catalogue; a pseudo-locale is never offered
        app.config["DEFAULT_LANGUAGE"] = "xx"
        assert i18n.default_language() == "en"


def test_signed_out_pages_follow_accept_language(german: Path, app: Flask) -> None:
    c = app.test_client()
    page = c.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in html
    assert "<h1>Anmelden</h1>" in html
    assert page.headers["Content-Language"] == "de"
    assert "Accept-Language" in page.headers.get("Vary", "")
    english = c.get("/login", headers={"Accept-Language": "fr, en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english and "<h1>Sign in</h1>" in english


def test_clinic_default_when_the_browser_says_nothing(german: Path, app: Flask) -> None:
    app.config["DEFAULT_LANGUAGE"] = "de"
    html = app.test_client().get("/login").get_data(as_text=True)
    assert '<html lang="de"' in html and "<h1>Anmelden</h1>" in html


def test_the_account_setting_wins_once_signed_in(german: Path, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client")
    c = login_as(app, user)
    form = c.get("/account/language", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="de"' in form and "Deutsch" in form
    resp = c.post("/account/language", data={"csrf_token": csrf_from(form), "language": "de"},
                  headers={"Accept-Language": "en"})
    assert resp.status_code == 302
    page = c.get("/settings", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de"' in page and "Einstellungen" in page
    with app.app_context():
        assert db.session.get(type(user), user.id).language == "de"
    bad = c.post("/account/language", data={"csrf_token": csrf_from(form), "language": "xx"})
    assert bad.status_code == 200  # not offered: the form again, nothing saved
    with app.app_context():
        assert db.session.get(type(user), user.id).language == "de"


def test_invitation_goes_out_in_the_language_staff_chose(german: Path, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    c = login_as(app, therapist)
    page = c.get("/staff/invite", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="language"' in page
    resp = c.post("/staff/invite", headers={"Accept-Language": "en"}, data={
        "csrf_token": csrf_from(page), "name": "Nia New", "email": "nia@example.org",
        "timezone": "Europe/Berlin", "therapist": therapist.id, "language": "de"})
    assert resp.status_code == 302
    with app.app_context():
        msg = db.session.scalars(db.select(OutboxMessage)
                                 .where(OutboxMessage.kind == "invite")).one()
        assert msg.subject == "Deine Einladung zu icbt"  # the therapist's page was English


def test_reminders_speak_the_client_language(german: Path, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from icbt.messaging import notify

    client = make_user("client")
    with app.app_context():
        user = db.session.get(type(client), client.id)
        user.language = "de"
        db.session.commit()
        msg = notify.homework_reminder(user, date(2026, 12, 8))
        assert msg is not None and msg.subject == "Eine freundliche Erinnerung für morgen"
        user.language = None  # none saved: the clinic's language
        msg = notify.homework_reminder(user, date(2026, 12, 9))
        assert msg is not None and msg.subject == "A gentle reminder for tomorrow"
