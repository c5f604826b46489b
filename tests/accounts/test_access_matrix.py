"""Every route, every actor: allowed or denied exactly as the matrix says."""

from __future__ import annotations

import pytest
from access_matrix import ACTORS, MATRIX, A, D, X
from conftest import login_as
from flask import Flask
from world import build_world


def test_every_route_has_a_row(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, f"routes with no access-matrix row: {missing}"
    stale = sorted(set(MATRIX) - endpoints)
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


def _outcome(resp) -> str:  # type: ignore[no-untyped-def]
    if resp.status_code == 404:
        return D
    if resp.status_code in (301, 302, 303) and "/login" in resp.headers.get("Location", ""):
        return "login"
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    return A


def test_matrix(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = False
    people, values = build_world(app, make_user)
    clients = {"anonymous": app.test_client()}
    for actor in ACTORS[1:]:
        clients[actor] = login_as(app, people[actor])
    failures = []
    for endpoint, (method, template, expected) in sorted(MATRIX.items()):
        url = template.format(**values)
        for actor, want in zip(ACTORS, expected, strict=True):
            if want == X:
                continue
            c = clients[actor]
            resp = c.open(url, method=method, data={})
            got = _outcome(resp)
            resp.close()
            if endpoint == "auth.logout" and got == "login":
                got = A  # signing out ends on the login page, for everyone
            if actor == "anonymous" and want == D:
                ok = got == "login"
            elif want == D:
                ok = got == D
            else:
                ok = got == A
            if not ok:
                failures.append(f"{endpoint} {method} {url} as {actor}: want {want}, "
                                f"got {got} ({resp.status_code})")
            if method == "POST" and endpoint in ("auth.logout",) and actor != "anonymous":
                clients[actor] = login_as(app, people[actor])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("endpoint", ["staff.client_overview"])
def test_unassigned_therapist_loses_access_at_once(app: Flask, make_user, endpoint) -> None:  # type: ignore[no-untyped-def]
    from icbt.db import db
    from icbt.models.people import User

    people, values = build_world(app, make_user)
    c = login_as(app, people["therapist"])
    url = MATRIX[endpoint][1].format(**values)
    assert c.get(url).status_code == 200
    with app.app_context():
        client = db.session.get(User, people["client"].id)
        client.therapist_id = people["other_therapist"].id
        db.session.commit()
    assert c.get(url).status_code == 404


def test_exception_in_access_check_denies(app: Flask, make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from icbt.accounts import policy

    people, values = build_world(app, make_user)
    c = login_as(app, people["therapist"])

    class Boom:
        is_authenticated = True

        @property
        def role(self) -> str:
            raise RuntimeError("broken")

    with app.test_request_context():
        with app.app_context():
            from icbt.db import db
            from icbt.models.people import User

            client = db.session.get(User, people["client"].id)
            assert policy.may_see_client(Boom(), client) is False
    assert c.get(f"/staff/clients/{values['client_id']}").status_code == 200
