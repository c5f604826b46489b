"""A code used to sign in cannot be used again; the page says to wait for the next one."""

from __future__ import annotations

from conftest import AuthActions, csrf_from, enable_totp
from flask import Flask
from flask.testing import FlaskClient

from icbt.accounts import twofactor


def _post_code(c: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    page = c.get("/login/code").get_data(as_text=True)
    return c.post("/login/code", data={"code": code, "csrf_token": csrf_from(page)})


def _code(app: Flask, secret: str) -> str:
    with app.app_context():
        return twofactor.code_at(secret)


def test_the_same_code_again_says_wait_for_the_next(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    secret = enable_totp(app, user)
    c = app.test_client()
    code = _code(app, secret)
    AuthActions(c).login(user.email)
    assert _post_code(c, code).status_code == 302
    assert c.get("/account").status_code == 200
    AuthActions(c).logout()
    assert c.get("/account").status_code == 302

    clock.advance(seconds=5)  # the same 30-second window (or at most one step of drift)
    AuthActions(c).login(user.email)
    resp = _post_code(c, code)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "That code was just used" in body
    assert "wait for the next code to appear in your app" in body
    assert "That code did not work" not in body
    assert c.get("/account").status_code == 302  # replay protection stays

    wrong = "000000" if code != "000000" else "111111"
    assert "That code did not work" in _post_code(c, wrong).get_data(as_text=True)

    clock.advance(seconds=30)
    fresh = _code(app, secret)
    assert fresh != code
    assert _post_code(c, fresh).status_code == 302
    assert c.get("/account").status_code == 200


def test_code_just_used_is_only_true_for_a_right_code_already_used(app: Flask, make_user,
                                                                   clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.db import db
    from icbt.models.people import User

    user = make_user("therapist")
    secret = enable_totp(app, user)
    with app.app_context():
        u = db.session.get(User, user.id)
        code = twofactor.code_at(secret)
        assert not twofactor.code_just_used(u, code)  # not used yet
        assert twofactor.verify_totp(u, code)
        assert twofactor.code_just_used(u, code) and not twofactor.verify_totp(u, code)
        assert not twofactor.code_just_used(u, "12345")
        clock.advance(seconds=30)
        assert not twofactor.code_just_used(u, twofactor.code_at(secret))
