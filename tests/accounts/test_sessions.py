"""Sessions: a new session at sign-in, sign-out everywhere, timeouts, remember-me, re-authentication."""

from __future__ import annotations

from conftest import PASSWORD, AuthActions, csrf_from, login_as
from flask import Flask
from flask.testing import FlaskClient

from icbt.db import db
from icbt.models.people import User

REMEMBER = "remember_token"


def _signed_in(c: FlaskClient) -> bool:
    return c.get("/account").status_code == 200


def _login_remember(app: Flask, user: User) -> FlaskClient:
    c = app.test_client()
    token = csrf_from(c.get("/login").get_data(as_text=True))
    resp = c.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y",
                                  "csrf_token": token})
    assert resp.status_code == 302
    return c


def _session_data(app: Flask, c: FlaskClient) -> dict:  # type: ignore[type-arg]
    cookie = c.get_cookie("session")
    assert cookie is not None
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie.value))


def _only_cookie(app: Flask, name: str, value: str) -> FlaskClient:
    c = app.test_client()
    c.set_cookie(name, value)
    return c


def test_a_new_session_at_sign_in(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = app.test_client()
    c.get("/login")
    with c.session_transaction() as sess:
        sess["planted"] = "by someone else"
    before = c.get_cookie("session").value
    AuthActions(c).login(user.email)
    after = c.get_cookie("session").value
    assert before != after
    data = _session_data(app, c)
    assert "planted" not in data and "_user_id" in data
    # The cookie from before sign-in is still anonymous.
    assert not _signed_in(_only_cookie(app, "session", before))
    assert _signed_in(_only_cookie(app, "session", after))


def test_sign_out_ends_other_sessions_and_remember_cookies(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    phone = _login_remember(app, user)
    laptop = login_as(app, user)
    remember = phone.get_cookie(REMEMBER).value
    assert _signed_in(_only_cookie(app, REMEMBER, remember))  # the cookie works on its own
    AuthActions(phone).logout()
    assert not _signed_in(phone)
    assert not _signed_in(laptop)
    assert not _signed_in(_only_cookie(app, REMEMBER, remember))


def test_password_change_ends_the_others_but_not_this_one(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    phone = _login_remember(app, user)
    remember = phone.get_cookie(REMEMBER).value
    laptop = login_as(app, user)
    page = laptop.get("/account/password").get_data(as_text=True)
    resp = laptop.post("/account/password", data={
        "current": PASSWORD, "password": "purple-otter-violin-7",
        "confirm": "purple-otter-violin-7", "csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    assert not _signed_in(_only_cookie(app, REMEMBER, remember))


def test_disabling_an_account_ends_its_sessions_at_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    phone = _login_remember(app, user)
    remember = phone.get_cookie(REMEMBER).value
    admin = login_as(app, make_user("admin"))
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{user.id}/toggle", data={"csrf_token": csrf_from(page)})
    assert not _signed_in(phone)
    assert not _signed_in(_only_cookie(app, REMEMBER, remember))
    assert AuthActions(app.test_client()).login(user.email).status_code == 200  # refused


def test_idle_timeout(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, user)
    for _ in range(4):  # active every 29 minutes: stays signed in for two hours
        clock.advance(minutes=29)
        assert _signed_in(c)
    clock.advance(minutes=31)
    resp = c.get("/account")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert "signed out after a while" in c.get("/login").get_data(as_text=True)
    assert not _signed_in(c)


def test_idle_timeout_is_configurable(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    app.config["IDLE_TIMEOUT_MINUTES"] = 5
    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    clock.advance(minutes=4)
    assert _signed_in(c)
    clock.advance(minutes=6)
    assert not _signed_in(c)


def test_absolute_timeout_even_when_active(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert _signed_in(c)
    clock.advance(minutes=21)
    assert not _signed_in(c)


def test_remember_me_survives_a_browser_restart_but_not_the_absolute_timeout(
        app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    phone = _login_remember(app, user)
    cookie = phone.get_cookie(REMEMBER)
    assert cookie.expires is not None
    remember = cookie.value
    clock.advance(hours=5)
    restarted = _only_cookie(app, REMEMBER, remember)  # no session cookie any more
    assert _signed_in(restarted)
    # A session brought back by the cookie is not a fresh password entry.
    resp = restarted.get("/account/email")
    assert "/account/confirm" in resp.headers["Location"]
    clock.advance(hours=7, minutes=1)
    assert not _signed_in(_only_cookie(app, REMEMBER, remember))
    assert not _signed_in(restarted)


def test_reauthentication_before_changing_the_email(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    assert c.get("/account/email").status_code == 200  # just signed in with the password
    clock.advance(minutes=11)
    resp = c.get("/account/email")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/account/confirm?next=/account/email"
    page = c.get("/account/confirm?next=/account/email").get_data(as_text=True)
    resp = c.post("/account/confirm?next=/account/email",
                  data={"password": "not-my-password", "csrf_token": csrf_from(page)})
    assert resp.status_code == 200 and "not right" in resp.get_data(as_text=True)
    resp = c.post("/account/confirm?next=/account/email",
                  data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert resp.headers["Location"] == "/account/email"
    clock.advance(minutes=9)
    assert c.get("/account/email").status_code == 200
    clock.advance(minutes=2)
    assert c.get("/account/email").status_code == 302


def test_reauth_required_sends_a_post_back_to_its_page(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.views.security import reauth_required

    @reauth_required
    def sensitive() -> str:
        return "done"

    app.add_url_rule("/test-sensitive", "test_sensitive", sensitive, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    anonymous = app.test_client().post("/test-sensitive")
    assert "/login" in anonymous.headers["Location"]
    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    assert c.post("/test-sensitive").get_data(as_text=True) == "done"
    clock.advance(minutes=11)
    resp = c.post("/test-sensitive", headers={"Referer": "http://localhost/account?x=1"})
    assert resp.headers["Location"] == "/account/confirm?next=/account?x%3D1"
    resp = c.post("/test-sensitive", headers={"Referer": "https://evil.example/account"})
    assert resp.headers["Location"] == "/account/confirm?next=/"


def test_session_cookies_are_httponly_lax_and_secure_with_https(app_config, make_user) -> None:  # type: ignore[no-untyped-def]
    from icbt import create_app

    for https in (False, True):
        app = create_app({**app_config, "HTTPS": https})
        with app.app_context():
            from icbt.extensions import upgrade_db

            upgrade_db()
        user = make_user("client", therapist=make_user("therapist"))
        c = app.test_client()
        token = csrf_from(c.get("/login", base_url="https://localhost").get_data(as_text=True))
        resp = c.post("/login", base_url="https://localhost", data={
            "email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
            headers={"Referer": "https://localhost/login"})  # Flask-WTF checks it on HTTPS
        assert resp.status_code == 302
        cookies = resp.headers.getlist("Set-Cookie")
        for name in ("session=", "remember_token="):
            line = next(x for x in cookies if x.startswith(name))
            assert "HttpOnly" in line and "SameSite=Lax" in line
            assert ("Secure" in line) is https
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_sign_out_deletes_the_remember_cookie_in_the_browser(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    phone = _login_remember(app, make_user("client", therapist=make_user("therapist")))
    assert phone.get_cookie(REMEMBER) is not None
    AuthActions(phone).logout()
    assert phone.get_cookie(REMEMBER) is None
