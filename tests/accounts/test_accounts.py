"""Accounts: invitations and password resets are one-time links that expire."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import PASSWORD, csrf_from, invitation_form, login_as
from flask import Flask

from icbt.accounts import users
from icbt.db import db
from icbt.messaging import mail
from icbt.models.people import User
from icbt.models.records import OutboxMessage

NEW_PASSWORD = "river-lantern-pebble-9"


def _link_from_outbox(app: Flask, kind: str) -> str:
    with app.app_context():
        msg = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert msg is not None
        m = re.search(r"https?://\S+", msg.body)
        assert m
        return m.group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _invite(app: Flask, make_user, email: str = "new.client@example.org") -> str:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    c = login_as(app, therapist)
    page = c.get("/staff/invite").get_data(as_text=True)
    resp = c.post("/staff/invite", data={"csrf_token": csrf_from(page), "name": "Nia New",
                                         "email": email, "timezone": "Europe/Paris",
                                         "therapist": therapist.id})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return _path(_link_from_outbox(app, "invite"))


def test_invitation_sets_password_and_works_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    path = _invite(app, make_user)
    c = app.test_client()
    page = c.get(path)
    assert page.status_code == 200
    resp = c.post(path, data=invitation_form(page.get_data(as_text=True), NEW_PASSWORD))
    assert resp.status_code == 302
    with app.app_context():
        user = users.get_by_email("new.client@example.org")
        assert user is not None and user.status == "active" and user.timezone == "Europe/Paris"
        assert user.password_hash and user.password_hash.startswith("$argon2id$")
    # The link works once.
    again = app.test_client().get(path)
    assert again.status_code == 404
    assert "no longer works" in again.get_data(as_text=True)


def test_invitation_expires_after_seven_days(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    path = _invite(app, make_user)
    clock.advance(days=6, hours=23)
    assert app.test_client().get(path).status_code == 200
    clock.advance(hours=2)
    assert app.test_client().get(path).status_code == 404


def test_invitation_email_holds_no_health_data_and_is_written_to_outbox(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _invite(app, make_user)
    with app.app_context():
        sent, failed = mail.deliver_pending()
    assert (sent, failed) == (1, 0)
    files = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "/invite/" in text and "Nia" in text


def test_reset_link_is_single_use_and_expires(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = app.test_client()
    page = c.get("/reset").get_data(as_text=True)
    c.post("/reset", data={"csrf_token": csrf_from(page), "email": user.email.upper()})
    path = _path(_link_from_outbox(app, "reset"))
    page = c.get(path)
    assert page.status_code == 200
    resp = c.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                              "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert c.get(path).status_code == 404  # used
    assert login_as(app, user, NEW_PASSWORD).get("/").status_code == 302
    # A second link expires after RESET_HOURS.
    c.post("/reset", data={"csrf_token": csrf_from(c.get("/reset").get_data(as_text=True)),
                           "email": user.email})
    path2 = _path(_link_from_outbox(app, "reset"))
    clock.advance(hours=app.config["RESET_HOURS"], minutes=1)
    assert c.get(path2).status_code == 404


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(app: Flask) -> None:
    c = app.test_client()
    page = c.get("/reset").get_data(as_text=True)
    resp = c.post("/reset", data={"csrf_token": csrf_from(page), "email": "nobody@example.org"},
                  follow_redirects=True)
    assert "If an account uses that address" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_password_rules(app: Flask) -> None:
    with app.test_request_context():
        assert users.password_problem("short") is not None
        assert users.password_problem("password1234") is not None  # on the common list
        assert users.password_problem("aaaaaaaaaaaaaaa") is not None
        assert users.password_problem("sam.carter.rocks", email="sam.carter@example.org")
        assert users.password_problem(NEW_PASSWORD) is None


def test_login_rejects_wrong_password_without_saying_which_part(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    bad = c.post("/login", data={"csrf_token": csrf_from(page), "email": user.email,
                                 "password": "wrong-password-123"}).get_data(as_text=True)
    unknown = c.post("/login", data={"csrf_token": csrf_from(page), "email": "x@example.org",
                                     "password": "wrong-password-123"}).get_data(as_text=True)
    msg = "That email and password do not match"
    assert msg in bad and msg in unknown


def test_change_password_ends_other_sessions(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    here, elsewhere = login_as(app, user), login_as(app, user)
    assert elsewhere.get("/account/password").status_code == 200
    page = here.get("/account/password").get_data(as_text=True)
    resp = here.post("/account/password", data={
        "csrf_token": csrf_from(page), "current": PASSWORD, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert here.get("/account/password").status_code == 200
    gone = elsewhere.get("/account/password")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]


def test_disabling_an_account_ends_its_sessions(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = login_as(app, user)
    assert c.get("/account/password").status_code == 200
    with app.app_context():
        users.set_disabled(db.session.get(User, user.id), True)
    assert c.get("/account/password").status_code == 302
