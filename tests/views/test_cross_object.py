"""Cross-object checks: another client or an unassigned therapist never sees the client's data.

Every access-matrix row whose URL carries an object id is opened as the other client
and the unassigned therapist. The client's free-text data is first marked (every Text
column and every note/body column of her rows), so any leak of it shows up. New rows
are picked up automatically.
"""

from __future__ import annotations

import re

from access_matrix import ACTORS, MATRIX, A, D
from conftest import login_as
from flask import Flask
from htmlscan import local_path, parse_page
from sqlalchemy import String, Text, update
from world import build_world

MARK = "CARA-PRIVATE"
NOTE_COLUMNS = {"note", "notes", "body", "instruction", "ack_note", "talk_note"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
INTRUDERS = ("other_client", "other_therapist")


def _mark_client_text(app: Flask, client_id: int) -> int:
    """Write the marker into the client's free-text columns; return how many were marked."""
    from icbt.db import db
    from icbt.models.people import User

    marked = 0
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if "client_id" not in table.c:
                continue
            values = {c.name: f"{MARK} {table.name}.{c.name}" for c in table.c
                      if (isinstance(c.type, Text) or (isinstance(c.type, String)
                          and c.name in NOTE_COLUMNS)) and not c.foreign_keys}
            if values:
                marked += db.session.execute(
                    update(table).where(table.c.client_id == client_id).values(**values)
                ).rowcount or 0
        db.session.execute(update(User).where(User.id == client_id)
                           .values(talk_note=f"{MARK} talk note"))
        db.session.commit()
    return marked


def _fetch(c, url: str, method: str = "GET") -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Status, mimetype and body text (binary bodies decoded loosely) of one request."""
    with c.open(url, method=method, data={}) as resp:
        return resp.status_code, resp.mimetype, resp.get_data().decode("utf-8", "replace")


def _leaks(html: str, email: str) -> list[str]:
    return [word for word in ("Cara Client", email, MARK) if word in html]


def _id_rows() -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(endpoint, method, template, want) for endpoint, (method, template, want)
            in sorted(MATRIX.items())
            if PLACEHOLDER.search(template) and "{bad_token}" not in template]


def test_other_people_never_see_the_clients_data(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = False
    people, values = build_world(app, make_user)
    email = people["client"].email
    _mark_client_text(app, people["client"].id)
    rows = _id_rows()
    assert rows, "no matrix rows with an object id"
    failures = []
    for actor in INTRUDERS:
        c = login_as(app, people[actor])
        want_index = ACTORS.index(actor)
        for endpoint, method, template, want in rows:
            url = template.format(**values)
            status, _mime, body = _fetch(c, url, method)
            leaked = _leaks(body, email)
            if leaked:
                failures.append(f"{actor} {method} {url} ({endpoint}) shows {leaked}")
            if want[want_index] == D and status != 404:
                failures.append(f"{actor} {method} {url} ({endpoint}): {status}, not 404")
    assert not failures, "\n".join(failures)


def test_the_marker_is_visible_to_the_people_who_may_see_it(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    """A control for the test above: the assigned therapist does see marked text somewhere."""
    people, values = build_world(app, make_user)
    assert _mark_client_text(app, people["client"].id) > 0
    c = login_as(app, people["therapist"])
    seen = False
    for _endpoint, method, template, want in _id_rows():
        if method == "GET" and want[ACTORS.index("therapist")] == A:
            seen |= MARK in _fetch(c, template.format(**values))[2]
    assert seen


def test_swapping_ids_in_links_reaches_nothing(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    """Links with ids in their query (?entry=, ?homework=) as the owner sees them, opened by
    the intruders with their own client's id in the path: still nothing of the client's."""
    app.config["WTF_CSRF_ENABLED"] = False
    people, values = build_world(app, make_user)
    email = people["client"].email
    _mark_client_text(app, people["client"].id)
    links: set[str] = set()
    for owner in ("client", "therapist"):
        c = login_as(app, people[owner])
        for _endpoint, method, template, _want in _id_rows():
            if method != "GET":
                continue
            status, mime, body = _fetch(c, template.format(**values))
            if status == 200 and mime == "text/html":
                _forms, found = parse_page(body, "http://localhost/")
                links |= {p for p in map(local_path, found) if p and re.search(r"[?&]\w+=\d", p)}
    assert links, "no links with ids in their query were found; the check would be empty"
    cid, other_cid = str(people["client"].id), str(people["other_client"].id)
    failures = []
    for actor in INTRUDERS:
        c = login_as(app, people[actor])
        for link in sorted(links):
            for candidate in {link, re.sub(rf"/{cid}(?=/|\?|$)", f"/{other_cid}", link)}:
                leaked = _leaks(_fetch(c, candidate)[2], email)
                if leaked:
                    failures.append(f"{actor} GET {candidate} shows {leaked}")
    assert not failures, "\n".join(failures)


def test_unassigned_therapist_loses_every_client_page_at_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from icbt.db import db
    from icbt.models.people import User

    people, values = build_world(app, make_user)
    t = ACTORS.index("therapist")
    o = ACTORS.index("other_therapist")
    rows = [(e, tpl) for e, m, tpl, want in _id_rows()
            if m == "GET" and want[t] == A and want[o] == D]
    assert rows
    c = login_as(app, people["therapist"])
    before = {e: _fetch(c, tpl.format(**values))[0] for e, tpl in rows}
    assert all(code in (200, 302) for code in before.values()), str(before)
    with app.app_context():
        client = db.session.get(User, people["client"].id)
        client.therapist_id = people["other_therapist"].id
        db.session.commit()
    after = {e: _fetch(c, tpl.format(**values))[0] for e, tpl in rows}
    assert all(code == 404 for code in after.values()), str(after)
