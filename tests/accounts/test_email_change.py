"""Changing the sign-in email: re-authentication, a link to the new address, a notice to the old."""

from __future__ import annotations

import re

from conftest import PASSWORD, AuthActions, csrf_from, login_as
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from icbt.db import db
from icbt.models.people import User
from icbt.models.records import OutboxMessage


def _ask(c: FlaskClient, new: str):  # type: ignore[no-untyped-def]
    page = c.get("/account/email").get_data(as_text=True)
    return c.post("/account/email", data={"email": new, "csrf_token": csrf_from(page)})


def _mail_to(app: Flask, addr: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == addr)))


def _link(app: Flask, addr: str) -> str:
    body = _mail_to(app, addr)[-1].body
    m = re.search(r"https?://[^/\s]+(/account/email/\S+)", body)
    assert m, body
    return m.group(1)


def test_change_email_round_trip(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"), name="Cara Client")
    c = login_as(app, user)
    other_device = login_as(app, user)
    resp = _ask(c, "Cara.New@Example.org")
    assert resp.status_code == 302
    notice = _mail_to(app, user.email)
    assert len(notice) == 1 and "cara.new@example.org" not in notice[0].body
    link = _link(app, "cara.new@example.org")
    with app.app_context():
        assert db.session.get(User, user.id).email == user.email  # nothing changes yet
    # Opening the link shows a button; a preview fetching it changes nothing.
    page = app.test_client().get(link)
    assert page.status_code == 200
    resp = app.test_client().post(link, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 400  # the CSRF token belongs to the session that loaded it
    anyone = app.test_client()
    page = anyone.get(link).get_data(as_text=True)
    resp = anyone.post(link, data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    with app.app_context():
        u = db.session.get(User, user.id)
        assert u.email == "cara.new@example.org" and u.pending_email is None
    # Every session ends; the link works once; the new address signs in, the old does not.
    assert c.get("/account").status_code == 302
    assert other_device.get("/account").status_code == 302
    assert app.test_client().get(link).status_code == 404
    assert AuthActions(app.test_client()).login(user.email).status_code == 200
    assert AuthActions(app.test_client()).login("cara.new@example.org").status_code == 302


def test_an_address_in_use_gets_the_same_words_and_no_link(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    user = make_user("client", therapist=therapist)
    c = login_as(app, user)
    taken = _ask(c, therapist.email)
    free = _ask(c, "brand-new@example.org")
    assert taken.status_code == free.status_code == 302
    assert [m.kind for m in _mail_to(app, therapist.email)] == []
    assert len(_mail_to(app, "brand-new@example.org")) == 1


def test_only_the_newest_link_works(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, user)
    _ask(c, "first@example.org")
    first = _link(app, "first@example.org")
    _ask(c, "second@example.org")
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(_link(app, "second@example.org")).status_code == 200


def test_bad_input_keeps_what_was_typed(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, user)
    resp = _ask(c, "not an address")
    assert resp.status_code == 200 and 'value="not an address"' in resp.get_data(as_text=True)
    resp = _ask(c, user.email.upper())
    assert "already the address" in resp.get_data(as_text=True)


def test_changing_email_needs_a_recent_password(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, user)
    page = c.get("/account/email").get_data(as_text=True)
    clock.advance(minutes=15)
    resp = c.post("/account/email", data={"email": "late@example.org",
                                          "csrf_token": csrf_from(page)},
                  headers={"Referer": "http://localhost/account/email"})
    assert resp.headers["Location"] == "/account/confirm?next=/account/email"
    assert _mail_to(app, "late@example.org") == []
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    c.post(resp.headers["Location"], data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    _ask(c, "late@example.org")
    assert len(_mail_to(app, "late@example.org")) == 1
