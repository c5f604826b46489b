"""SQLite: GET requests read side by side; a GET that must write after all still succeeds.

POSTs (and jobs and commands) begin with BEGIN IMMEDIATE and queue for the write lock;
GETs begin with a plain BEGIN so two workers read at the same time (icbt/db.py). When a
GET writes and another process wrote since it started reading, SQLite refuses the write
(SQLITE_BUSY_SNAPSHOT); the request then runs once more with the write lock, and the
person never sees the refusal.
"""

from __future__ import annotations

import sqlite3

import pytest
from conftest import PG_URL
from flask import Flask

from benchmarks.common import statements
from icbt.db import db
from icbt.models.people import User

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="about SQLite's locks; PostgreSQL has MVCC")


def _begins(seen: list[tuple[str, object]]) -> list[str]:
    """The BEGIN statements among those collected."""
    return [sql.upper() for sql, _p in seen if sql.upper().startswith("BEGIN")]


def _db_path(app: Flask) -> str:
    with app.app_context():
        path = db.engine.url.database
    assert path and path != ":memory:"
    return path


def test_gets_read_without_the_write_lock_and_posts_take_it(app: Flask, make_user) -> None:
    uid = make_user("client").id

    @app.route("/_t/read", methods=["GET", "POST"])
    def read() -> str:
        return db.session.get(User, uid).email

    app.config["WTF_CSRF_ENABLED"] = False  # a bare test route, no form
    web = app.test_client()
    with statements(app) as seen:
        assert web.get("/_t/read").status_code == 200
    assert _begins(seen) == ["BEGIN"]
    with statements(app) as seen:
        assert web.post("/_t/read").status_code == 200
    assert _begins(seen) == ["BEGIN IMMEDIATE"]


def test_a_get_whose_write_is_refused_runs_again_with_the_write_lock(app: Flask,
                                                                     make_user) -> None:
    uid = make_user("client", name="Before").id
    path = _db_path(app)
    runs: list[int] = []

    @app.route("/_t/read-then-write")
    def read_then_write() -> str:
        runs.append(1)
        db.session.get(User, uid)  # reading: this request's snapshot of the database
        if len(runs) == 1:  # meanwhile another worker writes and commits
            other = sqlite3.connect(path, timeout=5)
            other.execute("UPDATE user SET name = 'Another worker' WHERE id = ?", (uid,))
            other.commit()
            other.close()
        user = db.session.get(User, uid)
        user.name = "Written by a GET"
        db.session.commit()
        return "ok"

    web = app.test_client()
    with statements(app) as seen:
        resp = web.get("/_t/read-then-write")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "ok"
    assert len(runs) == 2, "the refused write was not retried"
    assert _begins(seen) == ["BEGIN", "BEGIN IMMEDIATE"]
    with app.app_context():
        assert db.session.get(User, uid).name == "Written by a GET"
