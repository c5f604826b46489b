"""/favicon.ico: our own icon, served to anyone, cached long, and never mistaken for activity."""

from __future__ import annotations

import io
from datetime import timedelta

from conftest import login_as
from flask import Flask
from PIL import Image

from icbt.db import db
from icbt.models.people import User


def test_favicon_is_an_image_for_anyone_signed_out(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/favicon.ico", buffered=True)
    assert resp.status_code == 200
    assert resp.mimetype.startswith("image/")
    icon = Image.open(io.BytesIO(resp.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32)} <= set(icon.info["sizes"])
    cache = resp.headers["Cache-Control"]
    assert "public" in cache and "max-age=2592000" in cache and "no-store" not in cache
    assert "Set-Cookie" not in resp.headers  # nothing personal, nothing remembered


def test_the_svg_icon_is_a_plain_static_file(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/static/favicon.svg", buffered=True)
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    body = resp.get_data(as_text=True)
    assert "<svg" in body and "<script" not in body and "href" not in body


def test_staff_asked_to_set_up_two_step_still_get_the_icon(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config["REQUIRE_2FA_ROLES"] = []
    c = login_as(app, make_user("therapist"))
    app.config["REQUIRE_2FA_ROLES"] = ["therapist"]
    assert c.get("/staff/clients").status_code == 302  # sent to set up two-step sign-in
    assert c.get("/favicon.ico", buffered=True).status_code == 200  # but the icon is not a page


def test_fetching_the_icon_does_not_keep_a_session_alive(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, user)
    assert c.get("/account").status_code == 200
    idle = app.config["IDLE_TIMEOUT_MINUTES"]
    clock.advance(minutes=idle - 1)
    assert c.get("/favicon.ico", buffered=True).status_code == 200
    clock.advance(minutes=2)
    assert c.get("/account").status_code == 302  # idle since /account, the icon aside


def test_the_icon_does_not_use_up_the_deletion_notice(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    with app.app_context():
        db.session.get(User, user.id).deletion_due_at = clock.now + timedelta(days=20)
        db.session.commit()
    c = login_as(app, user)
    assert c.get("/favicon.ico", buffered=True).status_code == 200
    resp = c.get("/worksheets/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/deletion")
