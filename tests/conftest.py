"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL via ICBT_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

os.environ.setdefault("MPLCONFIGDIR", "/tmp/icbt-mpl")

from icbt import create_app  # noqa: E402
from icbt.db import db  # noqa: E402
from icbt.models.people import User  # noqa: E402

PASSWORD = "a-long-test-passphrase-42"
PG_URL = os.environ.get("ICBT_TEST_DATABASE_URL", "")


class Clock:
    """An injectable clock for time-dependent rules: set it, advance it, never sleep."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 2, 9, 0)  # a Monday, naive UTC

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value

    def advance(self, **kwargs: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**kwargs)


def _pg_database() -> Iterator[str]:
    """Create a fresh PostgreSQL database for one test and drop it afterwards."""
    name = "icbt_t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        yield from _pg_database()
    else:
        yield "sqlite:///" + str(tmp_path / "icbt.sqlite")


@pytest.fixture
def app_config(tmp_path: Path, database_url: str, clock: Clock) -> dict[str, Any]:
    """The test configuration; tests may change it before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "CLOCK": clock,
        "REQUIRE_2FA_ROLES": [],
        "PASSWORD_HASH_CHEAP": True,  # Argon2id with the cheapest parameters (honoured in TESTING only)
        "SERVER_NAME": None,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        from icbt.extensions import upgrade_db

        upgrade_db()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user: make_user("client", therapist=t) -> User (detached-safe: reload by id).

    A client has agreed to the current privacy notice already (as after accepting an
    invitation) unless consented=False.
    """
    counter = {"n": 0}

    def make(role: str = "client", *, therapist: User | int | None = None, name: str | None = None,
             email: str | None = None, password: str = PASSWORD, timezone: str | None = None,
             consented: bool = True, **extra: Any) -> User:
        from icbt.accounts import users

        counter["n"] += 1
        n = counter["n"]
        with app.app_context():
            t = None
            if therapist is not None:
                t = db.session.get(User, therapist if isinstance(therapist, int) else therapist.id)
            user = users.create_user(
                email or f"{role}{n}@example.org", role, name=name or f"{role.title()} {n}",
                password=password, therapist=t, timezone=timezone, check_password=False,
            )
            for key, value in extra.items():
                setattr(user, key, value)
            if role == "client" and consented:
                agree_to_notice(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def agree_to_notice(user: User) -> None:
    """Record that user agreed to the privacy notice in force (inside an app context)."""
    from icbt.accounts import consent
    from icbt.privacy import notice

    current = notice.current()
    consent.add(user, current.version, current.sha256)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        page = self._client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        return self._client.post("/login", data={"email": email, "password": password,
                                                 "csrf_token": token})

    def logout(self):  # type: ignore[no-untyped-def]
        page = self._client.get("/")
        token = csrf_from(self._client.get("/help").get_data(as_text=True)) if page else ""
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Pull the CSRF token out of a rendered page."""
    m = CSRF_RE.search(html)
    return m.group(1) if m else ""


NOTICE_VERSION_RE = re.compile(r'name="notice_version" value="([^"]*)"')


def invitation_form(html: str, password: str, *, agree: bool = True) -> dict[str, str]:
    """What a newcomer sends from the invitation page: a password, and the consent box ticked."""
    version = NOTICE_VERSION_RE.search(html)
    data = {"csrf_token": csrf_from(html), "password": password, "confirm": password,
            "notice_version": version.group(1) if version else ""}
    if agree:
        data["agree"] = "y"
    return data


def login_as(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    """A fresh test client logged in as user."""
    c = app.test_client()
    AuthActions(c).login(user.email, password)
    return c


# --- two-step verification helpers (AUTH-SEC); browser tests may reuse them -------------------


def enable_totp(app: Flask, user: User) -> str:
    """Turn TOTP on for user directly in the database; return the secret."""
    from icbt.accounts import twofactor

    with app.app_context():
        u = db.session.get(User, user.id)
        assert u is not None
        if not (u.totp_enabled and u.totp_secret):
            u.totp_secret = twofactor.new_secret()
            u.totp_enabled = True
            twofactor.new_recovery_codes(u)
        db.session.commit()
        return str(u.totp_secret)


def totp_code(app: Flask, user: User) -> str:
    """The code for user at the app clock's time (forgets the last used step, for frozen clocks)."""
    from icbt.accounts import twofactor

    with app.app_context():
        u = db.session.get(User, user.id)
        assert u is not None and u.totp_secret
        u.totp_last_step = None  # the test clock may not move between two sign-ins
        db.session.commit()
        return twofactor.code_at(u.totp_secret)


def login_with_totp(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    """A fresh test client signed in as user through the password and the code steps."""
    enable_totp(app, user)
    c = app.test_client()
    resp = AuthActions(c).login(user.email, password)
    assert resp.status_code == 302 and "/login/code" in resp.headers["Location"], resp.status_code
    page = c.get("/login/code").get_data(as_text=True)
    resp = c.post("/login/code", data={"code": totp_code(app, user), "csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"], resp.status_code
    return c
