"""`?next=` never leaves the site: the open-redirect list, directly and through sign-in."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import PASSWORD, csrf_from
from flask import Flask

from icbt.views.security import is_safe_next

EVIL = [
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%5C%5Cevil.example",
    "/%252F%252Fevil.example",  # double-encoded
    "/%25252F%25252Fevil.example",  # triple-encoded
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://evil.example",
    "https:evil.example",
    "//evil.example@localhost",
    "https://localhost@evil.example",
    "//localhost@evil.example",
    "/@evil.example/../..//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0aLocation:%20https://evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\x00/evil.example",
    "/\u200b/evil.example",  # zero-width space
    "/\u2028/evil.example",
    "evil.example",
    "",
    None,
    "/" + "a" * 2100,
]

FINE = ["/", "/help", "/account/email", "/staff/clients/3?tab=notes",
        "/lessons/cbt-low-mood/2#homework", "/my-data/?page=2&x=a%20b"]


@pytest.mark.parametrize("target", EVIL)
def test_evil_targets_are_refused(target: str | None) -> None:
    assert is_safe_next(target) is False


@pytest.mark.parametrize("target", FINE)
def test_local_paths_are_allowed(target: str) -> None:
    assert is_safe_next(target) is True


def test_sign_in_never_follows_an_evil_next(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    followed = []
    for target in [t for t in EVIL if t]:
        c = app.test_client()
        page = c.get("/login?next=" + quote(target, safe="")).get_data(as_text=True)
        resp = c.post("/login?next=" + quote(target, safe=""), data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page)})
        assert resp.status_code == 302
        if resp.headers["Location"] != "/":
            followed.append((target, resp.headers["Location"]))
    assert not followed


def test_sign_in_follows_a_local_next(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    c = app.test_client()
    page = c.get("/login?next=%2Faccount%2Femail").get_data(as_text=True)
    resp = c.post("/login", data={"email": user.email, "password": PASSWORD,
                                  "csrf_token": csrf_from(page)})
    assert resp.headers["Location"] == "/account/email"


def test_reauth_never_follows_an_evil_next(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from conftest import login_as

    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    for target in [t for t in EVIL if t]:
        url = "/account/confirm?next=" + quote(target, safe="")
        page = c.get(url).get_data(as_text=True)
        resp = c.post(url, data={"password": PASSWORD, "csrf_token": csrf_from(page)})
        assert resp.headers["Location"] == "/account", target
