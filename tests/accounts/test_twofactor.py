"""Two-step verification: TOTP codes, recovery codes, the sign-in step, enrolment, forced set-up."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import unquote

import pyotp
import pytest
from conftest import (
    PASSWORD,
    AuthActions,
    csrf_from,
    enable_totp,
    login_as,
    login_with_totp,
    totp_code,
)
from flask import Flask
from flask.testing import FlaskClient

from icbt.accounts import twofactor
from icbt.db import db
from icbt.models.people import User


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["REQUIRE_2FA_ROLES"] = ["therapist", "admin"]
    return app_config


def _signed_in(c: FlaskClient) -> bool:
    resp = c.get("/account")
    return resp.status_code == 200


def _post_code(c: FlaskClient, code: str, url: str = "/login/code"):  # type: ignore[no-untyped-def]
    page = c.get(url).get_data(as_text=True)
    return c.post(url, data={"code": code, "csrf_token": csrf_from(page)})


# --- the service ---------------------------------------------------------------------------


def test_codes_follow_the_clock_with_one_step_of_drift(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    secret = enable_totp(app, user)
    with app.app_context():
        u = db.session.get(User, user.id)
        now_code = twofactor.code_at(secret)
        clock.advance(seconds=30)
        assert twofactor.verify_totp(u, now_code)  # 30 s late still works
        clock.advance(seconds=60)
        u.totp_last_step = None
        assert not twofactor.verify_totp(u, now_code)  # 90 s late does not
        assert not twofactor.verify_totp(u, "12345")
        assert not twofactor.verify_totp(u, "abcdef")


def test_a_code_works_only_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    enable_totp(app, user)
    code = totp_code(app, user)
    with app.app_context():
        u = db.session.get(User, user.id)
        assert twofactor.verify_totp(u, code)
        assert not twofactor.verify_totp(u, code)


def test_the_code_matches_a_standard_authenticator(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    secret = enable_totp(app, user)
    with app.app_context():
        from datetime import UTC

        expected = pyotp.TOTP(secret).at(clock.now.replace(tzinfo=UTC))
        assert twofactor.code_at(secret) == expected


def test_recovery_codes_are_hashed_and_each_works_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    with app.app_context():
        u = db.session.get(User, user.id)
        u.totp_secret, u.totp_enabled = pyotp.random_base32(), True
        codes = twofactor.new_recovery_codes(u)
        db.session.commit()
        assert len(codes) == 10 and len(set(codes)) == 10
        stored = " ".join(u.recovery_codes)
        assert not any(c in stored or c.replace("-", "") in stored for c in codes)
        assert twofactor.verify_second_factor(u, codes[0].upper().replace("-", " ")) == "recovery"
        db.session.commit()
        assert twofactor.verify_second_factor(u, codes[0]) is None
        assert twofactor.recovery_codes_left(u) == 9
        assert twofactor.verify_second_factor(u, "zzzzz-zzzzz") is None


# --- signing in ----------------------------------------------------------------------------


def test_password_alone_is_not_a_sign_in(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    enable_totp(app, user)
    c = app.test_client()
    resp = AuthActions(c).login(user.email)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")
    assert not _signed_in(c)
    assert c.get("/staff/clients").status_code == 302
    resp = _post_code(c, "000000")
    assert resp.status_code == 200 and "did not work" in resp.get_data(as_text=True)
    assert not _signed_in(c)
    resp = _post_code(c, totp_code(app, user))
    assert resp.status_code == 302
    assert _signed_in(c)
    assert c.get("/staff/clients").status_code == 200


def test_next_is_kept_across_the_second_step(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    enable_totp(app, user)
    c = app.test_client()
    c.get("/login?next=/staff/clients")
    AuthActions(c).login(user.email)
    resp = _post_code(c, totp_code(app, user))
    assert resp.headers["Location"] == "/staff/clients"


def test_a_recovery_code_signs_in_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("admin")
    enable_totp(app, user)
    with app.app_context():
        u = db.session.get(User, user.id)
        codes = twofactor.new_recovery_codes(u)
        db.session.commit()
    c = app.test_client()
    AuthActions(c).login(user.email)
    assert _post_code(c, codes[3]).status_code == 302
    assert _signed_in(c)
    c2 = app.test_client()
    AuthActions(c2).login(user.email)
    assert _post_code(c2, codes[3]).status_code == 200
    assert not _signed_in(c2)


def test_the_pending_step_expires(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    enable_totp(app, user)
    c = app.test_client()
    AuthActions(c).login(user.email)
    page = c.get("/login/code").get_data(as_text=True)
    clock.advance(minutes=11)
    assert "Sign in again" in c.get("/login/code").get_data(as_text=True)
    c.post("/login/code", data={"code": totp_code(app, user), "csrf_token": csrf_from(page)})
    assert not _signed_in(c)


def test_wrong_codes_are_throttled(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    enable_totp(app, user)
    c = app.test_client()
    AuthActions(c).login(user.email)
    for _ in range(5):
        assert _post_code(c, "000000").status_code == 200
    resp = _post_code(c, totp_code(app, user))
    assert resp.status_code == 429
    assert not _signed_in(c)


def test_login_with_totp_helper(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = login_with_totp(app, user)
    assert c.get("/staff/clients").status_code == 200
    assert login_with_totp(app, user).get("/staff/clients").status_code == 200


# --- enrolment -----------------------------------------------------------------------------


def _secret_from(html: str) -> str:
    m = re.search(r'class="totp-secret">([A-Z2-7 ]+)<', html)
    assert m, "the key is shown in text"
    return m.group(1).replace(" ", "")


def test_a_therapist_without_2fa_must_set_it_up_before_using_the_app(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = app.test_client()
    resp = AuthActions(c).login(user.email)
    assert resp.headers["Location"].endswith("/account/2fa/setup")
    assert not _signed_in(c)
    assert c.get("/staff/clients").status_code == 302
    page = c.get("/account/2fa/setup").get_data(as_text=True)
    # The QR code is drawn here, as an image data: URL the CSP allows, with no outside service.
    m = re.search(r'<img class="qr-code" src="(data:image/svg\+xml[^"]+)"', page)
    assert m
    svg = m.group(1).split(",", 1)[1]
    svg = base64.b64decode(svg).decode() if ";base64" in m.group(1) else unquote(svg)
    assert "<svg" in svg and "<script" not in svg
    assert "img-src 'self' data:" in c.get("/account/2fa/setup").headers["Content-Security-Policy"]
    assert "https://" not in page.split("<main", 1)[1]
    secret = _secret_from(page)
    # The secret is not active until confirmed (and not stored yet).
    with app.app_context():
        assert db.session.get(User, user.id).totp_enabled is False
    with app.app_context():
        code = twofactor.code_at(secret)
    resp = c.post("/account/2fa/setup", data={"code": code, "csrf_token": csrf_from(page)})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "recovery codes" in body.lower()
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", body)) == 10
    assert "no-store" in resp.headers["Cache-Control"]
    assert _signed_in(c)
    assert c.get("/staff/clients").status_code == 200
    with app.app_context():
        u = db.session.get(User, user.id)
        assert u.totp_enabled and u.totp_secret == secret
    # Next time the password is followed by the code step.
    resp = AuthActions(app.test_client()).login(user.email)
    assert resp.headers["Location"].endswith("/login/code")


def test_a_deployment_may_require_2fa_for_clients(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    assert _signed_in(login_as(app, client))  # by default clients may choose
    app.config["REQUIRE_2FA_ROLES"] = ["therapist", "admin", "client"]
    resp = AuthActions(app.test_client()).login(client.email)
    assert resp.headers["Location"].endswith("/account/2fa/setup")


def test_signed_in_people_are_sent_to_set_up_when_the_rule_changes(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config["REQUIRE_2FA_ROLES"] = []
    user = make_user("therapist")
    c = login_as(app, user)
    assert c.get("/staff/clients").status_code == 200
    app.config["REQUIRE_2FA_ROLES"] = ["therapist"]
    resp = c.get("/staff/clients")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/2fa/setup")
    assert c.get("/help").status_code == 200  # crisis help is never blocked
    assert c.get("/account/2fa/setup").status_code == 200


def test_changing_2fa_needs_the_password_again(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, client)
    clock.advance(minutes=11)
    resp = c.get("/account/2fa/setup")
    assert resp.status_code == 302 and "/account/confirm?next=" in resp.headers["Location"]
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    resp = c.post(resp.headers["Location"], data={"password": PASSWORD,
                                                 "csrf_token": csrf_from(page)})
    assert resp.headers["Location"] == "/account/2fa/setup"
    page = c.get("/account/2fa/setup").get_data(as_text=True)
    with app.app_context():
        code = twofactor.code_at(_secret_from(page))
    c.post("/account/2fa/setup", data={"code": code, "csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(User, client.id).totp_enabled
    # Turning it off again also needs a recent password.
    clock.advance(minutes=11)
    page = c.get("/account/2fa").get_data(as_text=True)
    resp = c.post("/account/2fa/disable", data={"csrf_token": csrf_from(page)},
                  headers={"Referer": "http://localhost/account/2fa"})
    assert "/account/confirm" in resp.headers["Location"]
    with app.app_context():
        assert db.session.get(User, client.id).totp_enabled
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    resp = c.post(resp.headers["Location"], data={"password": PASSWORD,
                                                 "csrf_token": csrf_from(page)})
    assert resp.headers["Location"] == "/account/2fa"
    page = c.get("/account/2fa").get_data(as_text=True)
    c.post("/account/2fa/disable", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        u = db.session.get(User, client.id)
        assert not u.totp_enabled and u.totp_secret is None and u.recovery_codes == []
    assert _signed_in(c)


def test_a_required_role_cannot_turn_2fa_off(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = login_with_totp(app, user)
    page = c.get("/account/2fa").get_data(as_text=True)
    assert "Turn two-step verification off" not in page
    c.post("/account/2fa/disable", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(User, user.id).totp_enabled


def test_new_recovery_codes_replace_the_old(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = login_with_totp(app, user)
    with app.app_context():
        old = list(db.session.get(User, user.id).recovery_codes)
    page = c.get("/account/2fa").get_data(as_text=True)
    resp = c.post("/account/2fa/codes", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 200
    new_codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", resp.get_data(as_text=True))
    assert len(new_codes) == 10
    with app.app_context():
        stored = db.session.get(User, user.id).recovery_codes
        assert len(stored) == 10 and not set(stored) & set(old)


def test_an_operator_can_reset_2fa_for_someone_who_lost_everything(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = login_with_totp(app, user)
    result = app.test_cli_runner().invoke(args=["users", "reset-2fa", user.email])
    assert result.exit_code == 0, result.output
    assert user.email not in result.output
    assert c.get("/staff/clients").status_code == 302  # their sessions ended
    resp = AuthActions(app.test_client()).login(user.email)
    assert resp.headers["Location"].endswith("/account/2fa/setup")  # and they set it up again
    missing = app.test_cli_runner().invoke(args=["users", "reset-2fa", "ghost@example.org"])
    assert missing.exit_code != 0
