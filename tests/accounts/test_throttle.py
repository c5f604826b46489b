"""Login throttling: database counters per account and per IP, a calm 429, nothing personal logged."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from conftest import PASSWORD, csrf_from, login_as
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from icbt import create_app
from icbt.db import db
from icbt.models.people import LoginAttempt
from icbt.models.records import AuditEvent


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=5, LOGIN_MAX_FAILURES_PER_IP=12,
                      LOGIN_WINDOW_MINUTES=15)
    return app_config


def _client(app: Flask, ip: str = "203.0.113.5") -> FlaskClient:
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = ip
    return c


def _login(c: FlaskClient, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_from(c.get("/login").get_data(as_text=True))
    return c.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _normalise(html: str, email: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)
    return html.replace(email, "EMAIL")


def test_account_limit_answers_429_even_with_the_right_password(app, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("therapist")
    c = _client(app)
    for _ in range(5):
        assert _login(c, user.email, "wrong-password-123").status_code == 200
    resp = _login(c, user.email, PASSWORD)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    body = resp.get_data(as_text=True)
    assert "Please take a short break" in body
    assert "do not match" not in body  # the password is not even checked
    # After the window the right password works again.
    clock.advance(minutes=16)
    assert _login(c, user.email, PASSWORD).status_code == 302


def test_unknown_email_gets_exactly_the_same_answer(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    ghost = "nobody-here@example.org"
    answers = {}
    for email in (user.email, ghost):
        c = _client(app, ip=f"198.51.100.{len(answers) + 1}")
        first = _login(c, email, "wrong-password-123")
        for _ in range(4):
            _login(c, email, "wrong-password-123")
        last = _login(c, email, "wrong-password-123")
        answers[email] = (first.status_code, _normalise(first.get_data(as_text=True), email),
                          last.status_code, _normalise(last.get_data(as_text=True), email))
    assert answers[user.email][0] == answers[ghost][0] == 200
    assert answers[user.email][2] == answers[ghost][2] == 429
    assert answers[user.email][1] == answers[ghost][1]
    assert answers[user.email][3] == answers[ghost][3]


def test_ip_limit_covers_many_accounts_and_spares_other_ips(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    attacker = _client(app, ip="192.0.2.66")
    for n in range(12):  # 12 different addresses, each under its own limit
        assert _login(attacker, f"guess{n}@example.org", "wrong-password-123").status_code == 200
    assert _login(attacker, user.email, PASSWORD).status_code == 429
    # The real person, elsewhere, is not locked out by the attacker's address.
    assert _login(_client(app, ip="192.0.2.7"), user.email, PASSWORD).status_code == 302


def test_success_resets_the_account_count_but_not_the_ip_count(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = _client(app)
    for _ in range(4):
        _login(c, user.email, "wrong-password-123")
    assert _login(c, user.email, PASSWORD).status_code == 302
    c = _client(app)
    for _ in range(4):
        assert _login(c, user.email, "wrong-password-123").status_code == 200
    assert _login(c, user.email, PASSWORD).status_code == 302
    with app.app_context():
        ip_failures = db.session.scalars(select(LoginAttempt).where(
            LoginAttempt.ip == "203.0.113.5", LoginAttempt.success.is_(False))).all()
        assert len(ip_failures) == 8


def test_counters_are_shared_by_every_worker(app, app_config, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    other_worker = create_app(app_config)  # a second process would see the same database
    for worker in (app, other_worker, app, other_worker, app):
        _login(_client(worker), user.email, "wrong-password-123")
    assert _login(_client(other_worker), user.email, PASSWORD).status_code == 429
    with other_worker.app_context():
        db.engine.dispose()


def test_counters_store_a_hash_never_the_email(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    _login(_client(app), user.email, "wrong-password-123")
    _login(_client(app), "Someone.Else@Example.org", "wrong-password-123")
    with app.app_context():
        rows = db.session.scalars(select(LoginAttempt)).all()
        assert len(rows) == 2
        for row in rows:
            assert re.fullmatch(r"[0-9a-f]{64}", row.account_key)
            assert "@" not in row.account_key and "@" not in row.ip


def test_sign_ins_failures_and_denials_are_logged_without_personal_content(
        app, make_user, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    therapist = make_user("therapist", name="Tess Therapist")
    other = make_user("therapist", name="Otto Other")
    client = make_user("client", therapist=therapist, name="Cara Client")
    c = _client(app)
    _login(c, therapist.email, "wrong-password-123")
    _login(c, "ghost@example.org", "wrong-password-123")
    for _ in range(6):  # the sixth is refused before the password is checked
        _login(c, client.email, "wrong-password-123")
    _login(c, therapist.email, PASSWORD)
    assert login_as(app, other).get(f"/staff/clients/{client.id}").status_code == 404
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        actions = [e.action for e in events]
        assert actions.count("login_failed") == 7
        assert {"login", "throttled", "denied"} <= set(actions)
        text = " ".join(f"{e.target} {e.detail} {e.ip}" for e in events)
    logged = " ".join(r.getMessage() for r in caplog.records)
    for words in (text, logged):
        assert "@" not in words
        assert "Cara" not in words and "Tess" not in words and "Otto" not in words
    assert "action=login_failed" in logged and "action=denied" in logged
    assert "action=throttled" in logged and "action=login " in logged


def test_behind_a_proxy_the_forwarded_address_is_counted_only_when_configured(
        app_config, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    for hops, counted_ip in ((0, "10.0.0.2"), (1, "198.51.100.77")):
        proxied = create_app({**app_config, "PROXY_HOPS": hops})
        c = _client(proxied, ip="10.0.0.2")  # the proxy's own address
        c.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.77"
        _login(c, user.email, "wrong-password-123")
        with proxied.app_context():
            last = db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()
            assert last.ip == counted_ip
            db.session.remove()
            db.engine.dispose()
