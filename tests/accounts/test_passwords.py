"""Passwords: length, the shipped common-password list, Argon2id; sign-in does equal work."""

from __future__ import annotations

import pytest
from conftest import PASSWORD, csrf_from, login_as
from flask import Flask

from icbt.accounts import users
from icbt.db import db
from icbt.models.people import User


@pytest.mark.parametrize("password, ok", [
    ("short-pass1", False),                      # 11 characters
    ("twelve-chars", True),                      # exactly 12
    ("password1234", False),                     # on the shipped list
    ("PassWord12345", False),                    # the list is case-insensitive
    ("Password2024!!", False),                   # "password" plus digits and symbols
    ("therapy-2024!!", False),                   # a word people here reach for
    ("qwertyuiop123", False),                    # a keyboard walk
    ("aaaaaaaaaaaaaaa", False),                  # too few different characters
    ("x" * 257, False),                          # too long
    ("purple-otter-violin", True),               # unrelated words
    ("839201746529", True),                      # a long random number is fine
])
def test_password_rules(app: Flask, password: str, ok: bool) -> None:
    with app.test_request_context():
        assert (users.password_problem(password) is None) is ok


def test_password_may_not_contain_the_name_or_email(app: Flask) -> None:
    with app.test_request_context():
        assert users.password_problem("margaret-likes-tea", email="margaret@example.org")
        assert users.password_problem("tea-with-margaret", name="Margaret")
        assert users.password_problem("tea-with-friends", email="margaret@example.org") is None


def test_common_list_is_shipped_and_read_locally() -> None:
    from importlib import resources

    text = resources.files("icbt").joinpath("data/common-passwords.txt").read_text("utf-8")
    entries = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(entries) > 1000
    assert "passwordpassword" in users._common_passwords()


def test_passwords_are_hashed_with_argon2id(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
        assert stored.startswith("$argon2id$")
        assert PASSWORD not in stored


def test_real_deployments_use_the_rfc9106_parameters(app: Flask) -> None:
    app.config["PASSWORD_HASH_CHEAP"] = True
    app.config["TESTING"] = False  # the cheap switch is ignored outside tests
    with app.app_context():
        assert users.hash_password("purple-otter-violin").startswith(
            "$argon2id$v=19$m=65536,t=3,p=4$")
    app.config["TESTING"] = True


def test_a_weaker_stored_hash_is_upgraded_at_sign_in(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    with app.app_context():
        u = db.session.get(User, user.id)
        app.config["PASSWORD_HASH_CHEAP"] = False
        assert users.verify_password(u, PASSWORD)
        db.session.commit()
        assert "m=65536,t=3,p=4" in db.session.get(User, user.id).password_hash


def test_authenticate_spends_a_hash_on_unknown_emails(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    calls: list[str] = []

    class Counting(PasswordHasher):
        def hash(self, password, *, salt=None):  # type: ignore[no-untyped-def,override]
            calls.append(password)
            return super().hash(password, salt=salt)

    monkeypatch.setattr(users, "_h", Counting)
    with app.app_context():
        assert users.authenticate("nobody@example.org", "whatever-password") is None
    assert calls == ["whatever-password"]


def test_signup_form_refuses_a_common_password(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, user)
    page = c.get("/account/password").get_data(as_text=True)
    resp = c.post("/account/password", data={
        "current": PASSWORD, "password": "Password2024!!", "confirm": "Password2024!!",
        "csrf_token": csrf_from(page)})
    assert resp.status_code == 200
    assert "too common" in resp.get_data(as_text=True)
    with app.app_context():
        assert users.verify_password(db.session.get(User, user.id), PASSWORD)
