"""Security headers on every response; production refuses unsafe settings."""

from __future__ import annotations

from typing import Any

import pytest
from access_matrix import MATRIX
from conftest import login_as
from flask import Flask
from world import build_world

from icbt import create_app


def _csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _no_store(value: str) -> bool:
    """no-store, and nothing that would let a cache keep a copy."""
    directives = {d.strip().split("=")[0] for d in value.split(",")}
    return "no-store" in directives and not directives & {"public", "max-age", "s-maxage",
                                                          "immutable"}


def _check_common(resp, where: str) -> None:  # type: ignore[no-untyped-def]
    h = resp.headers
    csp = _csp_directives(h.get("Content-Security-Policy", ""))
    assert csp, f"no CSP on {where}"
    script = csp.get("script-src", csp.get("default-src"))
    assert "'unsafe-eval'" not in h["Content-Security-Policy"]
    if "sandbox" in csp:  # a stricter policy for files opened on their own (program images)
        assert script == ["'none'"], f"script-src on {where}: {script}"
    else:
        assert script == ["'self'"], f"script-src on {where}: {script}"
        assert "'unsafe-inline'" not in h["Content-Security-Policy"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]  # the 2FA QR code is a data: image
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"]


def test_every_route_as_every_person_gets_the_headers(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    """Walk the access matrix: pages, redirects, 404s and static files all carry the headers."""
    app.config["WTF_CSRF_ENABLED"] = False
    people, values = build_world(app, make_user)
    clients = {"anonymous": app.test_client()}
    for actor in ("client", "therapist", "admin", "designer"):
        clients[actor] = login_as(app, people[actor])
    for endpoint, (method, template, _want) in sorted(MATRIX.items()):
        if method != "GET":
            continue
        url = template.format(**values)
        for actor, c in clients.items():
            resp = c.get(url)
            where = f"{url} as {actor} ({resp.status_code})"
            _check_common(resp, where)
            assert "Strict-Transport-Security" not in resp.headers
            if endpoint in ("static", "main.favicon"):  # our own files, the same for everyone
                assert "no-store" not in resp.headers.get("Cache-Control", "")
            elif endpoint == "charts.chart" and resp.status_code == 200:
                # The one exception: chart images are revalidated by ETag, never shared.
                assert resp.headers["Cache-Control"] == "private, no-cache", where
            else:
                assert _no_store(resp.headers["Cache-Control"]), where
            resp.close()


def test_error_pages_and_posts_carry_the_headers(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    for resp in (c.get("/no-such-page"), c.post("/account/email", data={}),
                 c.get("/staff/clients/999999"), app.test_client().post("/login", data={})):
        _check_common(resp, resp.request.path)
        assert _no_store(resp.headers["Cache-Control"])


def test_hsts_only_when_https_is_on(app_config: dict[str, Any]) -> None:
    for https in (False, True):
        app = create_app({**app_config, "HTTPS": https})
        resp = app.test_client().get("/help", base_url="https://localhost")
        hsts = resp.headers.get("Strict-Transport-Security")
        if https:
            assert hsts is not None and "max-age=31536000" in hsts
            assert "includeSubDomains" in hsts
        else:
            assert hsts is None


def test_a_view_showing_personal_data_cannot_loosen_caching(app: Flask) -> None:
    @app.route("/test-cached")
    def cached():  # type: ignore[no-untyped-def]
        from flask import g

        g.cacheable = True  # an old opt-out: ignored, personal data is never cached
        return "personal", 200, {"Cache-Control": "private, no-cache"}

    assert _no_store(app.test_client().get("/test-cached").headers["Cache-Control"])


GOOD_KEY = "x7Gq2LmP9vR4tW8yZ1cB6nD3fH5jK0sA-Qe"


@pytest.mark.parametrize("overrides, problem", [
    ({"SECRET_KEY": None}, "ICBT_SECRET_KEY is not set"),
    ({"SECRET_KEY": ""}, "ICBT_SECRET_KEY is not set"),
    ({"SECRET_KEY": "short-but-random-Q2"}, "shorter than 32"),
    ({"SECRET_KEY": "changeme" * 5}, "well-known"),
    ({"SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789"}, "well-known"),
    ({"SECRET_KEY": "a" * 40}, "well-known"),
    ({"SECRET_KEY": GOOD_KEY, "DEBUG": True}, "debug"),
])
def test_production_refuses_unsafe_settings(app_config: dict[str, Any], overrides, problem) -> None:  # type: ignore[no-untyped-def]
    config = {**app_config, "TESTING": False, "PRODUCTION": True, **overrides}
    with pytest.raises(RuntimeError, match=problem):
        create_app(config)


def test_production_refuses_flask_debug_from_the_environment(app_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        create_app({**app_config, "TESTING": False, "PRODUCTION": True, "SECRET_KEY": GOOD_KEY})


def test_production_refuses_settings_from_icbt_environment_variables(app_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICBT_PRODUCTION", "1")
    monkeypatch.setenv("ICBT_SECRET_KEY", "dev")
    config = {k: v for k, v in app_config.items() if k != "SECRET_KEY"}
    with pytest.raises(RuntimeError, match="shorter than 32"):
        create_app({**config, "TESTING": False})


def test_production_starts_with_a_strong_key(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "TESTING": False, "PRODUCTION": True, "SECRET_KEY": GOOD_KEY,
                      "BASE_URL": "https://icbt.example.org"})
    assert app.config["PRODUCTION"] is True
