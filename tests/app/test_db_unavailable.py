"""Database unavailable: a calm 503, and a client's post comes back to them with their text."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_from, login_as
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from icbt import create_app

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder-for-icbt-tests/icbt.sqlite",
    "postgresql": "postgresql+psycopg://icbt@127.0.0.1:1/icbt?connect_timeout=2",
}
NOTE = "Rough morning.\nWalked to the bakery anyway & felt a bit better <3"


@pytest.fixture(params=sorted(UNREACHABLE))
def broken(request, app_config: dict[str, Any], tmp_path: Path) -> Flask:  # type: ignore[no-untyped-def]
    """The same app, pointed at a database that cannot be reached."""
    cfg = dict(app_config, SQLALCHEMY_DATABASE_URI=UNREACHABLE[request.param],
               INSTANCE_PATH=str(tmp_path / "broken-instance"))
    return create_app(cfg)


def _move_session(good: FlaskClient, bad_app: Flask) -> FlaskClient:
    """A client of the broken app carrying the signed-in session of the good one."""
    bad = bad_app.test_client()
    cookie = good.get_cookie("session")
    assert cookie is not None
    bad.set_cookie("session", cookie.value)
    return bad


def _field(page: str, label: str) -> str:
    """The value shown in the input or textarea whose label is `label`."""
    m = re.search(r'<label for="(kept-\d+)">' + re.escape(str(escape(label))) + "</label>", page)
    assert m, f"no field labelled {label!r}"
    ident = m.group(1)
    m = re.search(r'<textarea id="' + ident + r'"[^>]*>(.*?)</textarea>', page, re.S) or \
        re.search(r'<input id="' + ident + r'"[^>]*value="([^"]*)"', page)
    assert m
    return html.unescape(m.group(1))


def test_a_post_comes_back_with_its_text_under_readable_labels(app: Flask, broken: Flask,  # type: ignore[no-untyped-def]
                                                               make_user) -> None:
    client = make_user("client", therapist=make_user("therapist"))
    good = login_as(app, client)
    token = csrf_from(good.get("/mood/").get_data(as_text=True))
    bad = _move_session(good, broken)
    resp = bad.post("/mood/", data={"csrf_token": token, "mood": "4", "anxiety": "6",
                                    "note": NOTE, "tags": ["tired", "hopeful"]},
                    headers={"Origin": "http://localhost"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "60"
    assert "We could not save this just now" in page and "Traceback" not in page
    assert _field(page, "A short note (optional)") == NOTE
    assert _field(page, "How is your mood today?") == "4"
    assert page.count('name="tags"') == 2
    assert f'name="csrf_token" value="{token}"' in page  # "Send again" posts to the same page
    assert '<form method="post" class="kept-form">' in page  # no action: back to /mood/


def test_a_worksheet_post_is_kept_with_the_worksheet_s_labels(app: Flask, broken: Flask,  # type: ignore[no-untyped-def]
                                                              make_user) -> None:
    client = make_user("client", therapist=make_user("therapist"))
    good = login_as(app, client)
    form_page = good.get("/worksheets/new/journal").get_data(as_text=True)
    bad = _move_session(good, broken)
    resp = bad.post("/worksheets/new/journal",
                    data={"csrf_token": csrf_from(form_page), "text": NOTE, "title": "Tuesday",
                          "submission_key": "abcdefghijklmnopqrstuvwxyz012345"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert _field(page, "What's on your mind?") == NOTE
    assert _field(page, "Title (optional)") == "Tuesday"
    assert 'type="hidden" name="submission_key"' in page  # so a retry is not saved twice


def test_passwords_are_never_written_back(app: Flask, broken: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    good = login_as(app, client)
    token = csrf_from(good.get("/account/password").get_data(as_text=True))
    bad = _move_session(good, broken)
    secret = "my-very-secret-new-passphrase"
    resp = bad.post("/account/password", data={"csrf_token": token, "current": secret,
                                               "password": secret, "confirm": secret})
    assert resp.status_code == 503
    assert secret not in resp.get_data(as_text=True)


def test_a_page_load_gets_a_calm_503(app: Flask, broken: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    resp = _move_session(login_as(app, client), broken).get("/mood/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert "We could not load this page just now" in page and "<form method=\"post\" class" \
        not in page
    assert "Crisis contacts" in page
