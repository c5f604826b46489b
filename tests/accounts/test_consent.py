"""Consent at sign-up: the privacy notice on the invitation page, a required box, a record
of the version and time, "My data" showing it, and asking again when the version changes."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import csrf_from, invitation_form, login_as
from flask import Flask

from icbt.db import db
from icbt.models.people import Consent, Token, User
from icbt.models.records import AuditEvent

NEW_PASSWORD = "river-lantern-pebble-9"
NOTICE = """---
version: {version}
title: Privacy notice
changes: {changes}
---
## What we keep

Your worksheets and messages. Version {version} words.
"""


def write_notice(path: Path, version: str, changes: str = "First version.") -> None:
    path.write_text(NOTICE.format(version=version, changes=changes), "utf-8")


@pytest.fixture
def notice_file(tmp_path: Path, app: Flask) -> Path:
    """The app reads its notice from a file this test may change (version v1 to start)."""
    path = tmp_path / "notice.md"
    write_notice(path, "v1")
    app.config["PRIVACY_NOTICE_FILE"] = str(path)
    return path


def _invite(app: Flask, make_user) -> str:  # type: ignore[no-untyped-def]
    from icbt.accounts import users
    from icbt.messaging import mail  # noqa: F401 - the invitation email is queued through it

    therapist = make_user("therapist")
    with app.app_context():
        t = db.session.get(User, therapist.id)
        users.invite_client("nia@example.org", name="Nia New", therapist=t, invited_by=t)
        body = db.session.scalar(sa.text(
            "SELECT body FROM outbox_message WHERE kind = 'invite' ORDER BY id DESC"))
    m = re.search(r"https?://\S+/invite/\S+", body)
    assert m
    return "/" + m.group(0).split("/", 3)[3]


def _consents(app: Flask, email: str) -> list[Consent]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Consent).join(User, User.id == Consent.client_id)
                                  .where(User.email == email).order_by(Consent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_the_invitation_page_shows_the_notice_and_what_the_service_is_not(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    html = app.test_client().get(_invite(app, make_user)).get_data(as_text=True)
    assert 'aria-labelledby="privacy-notice-title"' in html
    assert "What this service is, and what it is not" in html
    assert "It is not watched around the clock" in html
    assert "working hours" in html and 'href="/help"' in html  # the crisis page, linked
    assert "I have read the privacy notice above and I agree to it" in html


def test_accepting_without_ticking_is_refused_next_to_the_box_and_nothing_is_created(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    path = _invite(app, make_user)
    c = app.test_client()
    page = c.get(path).get_data(as_text=True)
    resp = c.post(path, data=invitation_form(page, NEW_PASSWORD, agree=False))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    # The error sits inside the checkbox's own field, linked to it for screen readers.
    field = re.search(r'<div class="field[^"]*has-error">\s*<label class="check">'
                      r'<input[^>]*aria-describedby="agree-error"[^>]*name="agree"[^>]*>'
                      r'.*?</label>\s*<p class="error" id="agree-error">([^<]*)</p>', html, re.S)
    assert field, html
    assert "Please tick this box" in field.group(1)
    # The password is asked again, and the page says why, kindly.
    assert "please type yours again in both boxes" in html
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nia@example.org"))
        assert user.status == "invited" and user.password_hash is None
        token = db.session.scalar(sa.select(Token).where(Token.user_id == user.id))
        assert token.used_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_a_weak_password_is_said_at_once_with_the_unticked_box(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    path = _invite(app, make_user)
    c = app.test_client()
    page = c.get(path).get_data(as_text=True)
    html = c.post(path, data=invitation_form(page, "password1234", agree=False)).get_data(
        as_text=True)
    assert "too common or easy to guess" in html and "Please tick this box" in html


def test_accepting_with_the_box_records_the_version_and_time(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.privacy import notice

    path = _invite(app, make_user)
    clock.set(datetime(2026, 3, 3, 14, 30))
    c = app.test_client()
    page = c.get(path).get_data(as_text=True)
    resp = c.post(path, data=invitation_form(page, NEW_PASSWORD))
    assert resp.status_code == 302
    assert c.get(resp.headers["Location"]).status_code in (200, 302)
    assert c.get("/home").status_code == 200  # not sent to the consent page
    [row] = _consents(app, "nia@example.org")
    with app.app_context():
        current = notice.current()
        assert row.version == current.version == "1"
        assert row.notice_sha256 == current.sha256
        assert row.agreed_at == datetime(2026, 3, 3, 14, 30)
        assert db.session.scalar(sa.select(AuditEvent.detail).where(
            AuditEvent.target == "consent")) == "privacy notice 1"


def test_a_notice_that_changed_while_reading_is_shown_again(app: Flask, make_user, notice_file) -> None:  # type: ignore[no-untyped-def]
    path = _invite(app, make_user)
    c = app.test_client()
    page = c.get(path).get_data(as_text=True)
    write_notice(notice_file, "v2", "We now keep messages for longer.")
    resp = c.post(path, data=invitation_form(page, NEW_PASSWORD))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "changed while you were reading it" in html and "Version v2 words." in html
    assert _consents(app, "nia@example.org") == []


def test_my_data_shows_the_consent_and_links_to_the_notice(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"), timezone="Europe/London")
    html = login_as(app, client).get("/my-data/").get_data(as_text=True)
    assert "You agreed to the privacy notice version 1 on 02 March 2026, 09:00." in html
    assert 'href="/privacy-notice"' in html
    page = app.test_client().get("/privacy-notice")  # anyone may read it
    assert page.status_code == 200 and "What this service is" in page.get_data(as_text=True)


def test_a_new_version_sends_the_client_to_agree_again(app: Flask, make_user, clock, notice_file) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, client)
    assert c.get("/home").status_code == 200
    write_notice(notice_file, "v2", "We now keep messages for longer.")
    resp = c.get("/home")
    assert resp.status_code == 302 and resp.headers["Location"] == "/consent?next=/home"
    page = c.get("/consent?next=/home").get_data(as_text=True)
    assert "You agreed to version v1" in page and "We now keep messages for longer." in page
    assert "Version v2 words." in page
    clock.advance(minutes=10)
    resp = c.post("/consent", data={"csrf_token": csrf_from(page), "version": "v2",
                                    "next": "/home"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/home"
    assert c.get("/home").status_code == 200
    rows = _consents(app, client.email)
    assert [(r.version, r.agreed_at) for r in rows] == [
        ("v1", datetime(2026, 3, 2, 9, 0)), ("v2", datetime(2026, 3, 2, 9, 10))]
    html = c.get("/my-data/").get_data(as_text=True)
    assert "You agreed to the privacy notice version v2 on 02 March 2026, 09:10." in html


def test_agreeing_to_an_older_page_records_nothing(app: Flask, make_user, notice_file) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, client)
    write_notice(notice_file, "v2")
    page = c.get("/consent").get_data(as_text=True)
    write_notice(notice_file, "v3")
    resp = c.post("/consent", data={"csrf_token": csrf_from(page), "version": "v2"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/consent")
    assert [r.version for r in _consents(app, client.email)] == ["v1"]


def test_the_crisis_page_sign_out_and_my_data_never_wait_for_consent(app: Flask, make_user, notice_file) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, client)
    write_notice(notice_file, "v2")
    assert c.get("/lessons").status_code == 302  # other pages wait
    assert c.get("/help").status_code == 200
    help_page = c.get("/help").get_data(as_text=True)
    resp = c.post("/help-now", data={"csrf_token": csrf_from(help_page)})
    assert resp.status_code == 200
    for url in ("/my-data/", "/my-data/access-log", "/my-data/download", "/my-data/delete",
                "/privacy-notice", "/unsubscribe/not-a-token"):
        resp = c.get(url)
        assert resp.status_code in (200, 302, 404), url
        assert "/consent" not in resp.headers.get("Location", ""), url
    resp = c.post("/logout", data={"csrf_token": csrf_from(help_page)})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_client_who_never_agreed_is_asked(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"), consented=False)
    c = login_as(app, client)
    resp = c.get("/home")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/consent")
    page = c.get("/consent").get_data(as_text=True)
    assert "Please read our privacy notice before you go on." in page


def test_staff_are_not_asked(app: Flask, make_user, notice_file) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    c = login_as(app, therapist)
    write_notice(notice_file, "v2")
    assert c.get("/staff/clients").status_code == 200
    assert c.get("/consent").status_code == 404
