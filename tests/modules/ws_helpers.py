"""Helpers for the worksheet tests: read the real form, post it, read the stored entry back."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from conftest import csrf_from, login_as
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st

from icbt.db import db
from icbt.models.care import Entry
from icbt.models.people import User

KEY_RE = re.compile(r'name="submission_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submission_key"')


class _Inputs(HTMLParser):
    """Collect the names of inputs, textareas and selects (and their values) in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.errors = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "textarea", "select", "button") and a.get("name"):
            self.fields.setdefault(a["name"] or "", []).append(a.get("value") or "")
        if tag == "option" and self._select:
            self.fields.setdefault(self._select, []).append(a.get("value") or "")
        if tag == "select":
            self._select = a.get("name")
        if a.get("class") == "error":
            self.errors += 1

    _select: str | None = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def inputs(html: str) -> dict[str, list[str]]:
    """Input name -> the values offered (radio/checkbox/option values, or the current value)."""
    p = _Inputs()
    p.feed(html)
    return p.fields


def error_count(html: str) -> int:
    """How many field messages a page shows."""
    p = _Inputs()
    p.feed(html)
    return p.errors


def submission_key(html: str) -> str:
    """The submission key rendered into a worksheet form."""
    m = KEY_RE.search(html)
    assert m, "no submission key in the form"
    return m.group(1) or m.group(2)


def new_client(app: Flask, make_user: Callable[..., User], **extra: Any) -> tuple[User, FlaskClient]:
    """A client with a therapist, signed in."""
    therapist = make_user("therapist")
    user = make_user("client", therapist=therapist, **extra)
    return user, login_as(app, user)


def open_form(c: FlaskClient, url: str) -> tuple[str, dict[str, str]]:
    """GET a worksheet form: its HTML and the hidden fields a post needs."""
    resp = c.get(url)
    assert resp.status_code == 200, resp.status_code
    html = resp.get_data(as_text=True)
    return html, {"csrf_token": csrf_from(html), "submission_key": submission_key(html)}


def fill(c: FlaskClient, kind: str, answers: dict[str, Any], *, extra_rows: int = 0) -> Any:
    """Open the real form, check every answered input exists in it, post the answers."""
    html, hidden = open_form(c, f"/worksheets/new/{kind}")
    fields = inputs(html)
    for name, value in answers.items():
        assert name in fields, f"{name} is not an input of the {kind} form"
        offered = fields[name]
        for v in value if isinstance(value, list) else [value]:
            if len(offered) > 1 and "" not in offered[1:]:  # radios, checkboxes, options
                assert str(v) in offered, f"{v!r} is not offered for {name}: {offered}"
    return c.post(f"/worksheets/new/{kind}", data={**hidden, **answers, "action": "submit"},
                  headers={"Origin": "http://localhost"})


def latest_entry(app: Flask, user: User) -> Entry:
    """The client's newest entry."""
    with app.app_context():
        entry = db.session.scalars(db.select(Entry).where(Entry.client_id == user.id)
                                   .order_by(Entry.id.desc())).first()
        assert entry is not None
        db.session.expunge(entry)
        return entry


def entry_count(app: Flask, user: User) -> int:
    """How many entries the client has."""
    with app.app_context():
        return len(db.session.scalars(db.select(Entry).where(Entry.client_id == user.id)).all())


def summary(app: Flask, entry: Entry) -> str:
    """The therapist summary of an entry."""
    from icbt.programs import registry

    with app.test_request_context():
        ws = registry.get(entry.kind)
        assert ws is not None
        return ws.summary(entry.data)


# Hostile input for the property tests: odd text, NUL bytes, huge strings, lists, numbers.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["", " ", "\x00", "-1", "101", "1e9", "NaN", "０", "²", "٣", "99999999999999999999",
                     "<script>alert(1)</script>", "' OR 1=1 --", "\u202e\ufeff", "2026-02-30",
                     "25:99", "yes", "no", "true", "[]", "{}", "%00", "a" * 5000]),
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.builds(lambda n: "x" * n, st.integers(min_value=0, max_value=30_000)),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, max_size=4))


def hostile_form(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A post mixing real input names (with hostile values) and made-up names."""
    made_up = st.text(alphabet="abcdefghij-_0123456789", min_size=1, max_size=20)
    return st.dictionaries(st.one_of(st.sampled_from(names), made_up), hostile_value, max_size=25)


def assert_stored_or_errors(app: Flask, user: User, resp: Any, before: int) -> None:
    """A hostile post either stored exactly one entry or showed messages; never a 500."""
    assert resp.status_code < 500, resp.get_data(as_text=True)[:300]
    after = entry_count(app, user)
    if resp.status_code == 302 and "/worksheets/entries/" in resp.headers["Location"]:
        assert after == before + 1
    else:
        assert after == before
        if resp.status_code == 200:
            assert error_count(resp.get_data(as_text=True)) > 0


_SIGNED_IN: dict[int, tuple[User, FlaskClient]] = {}


def post_hostile(app: Flask, make_user: Callable[..., User], kind: str, data: dict[str, Any],
                 **extra: Any) -> None:
    """Post hostile data to a worksheet (re-opening the form, which resumes any draft)."""
    who = _SIGNED_IN.get(id(app))
    if who is None or who[0] is None:
        who = new_client(app, make_user, **extra)
        _SIGNED_IN.clear()
        _SIGNED_IN[id(app)] = who
    user, c = who
    _html, hidden = open_form(c, f"/worksheets/new/{kind}")
    before = entry_count(app, user)
    resp = c.post(f"/worksheets/new/{kind}", data={**data, **hidden, "action": "submit"})
    assert_stored_or_errors(app, user, resp, before)


HOSTILE = {"max_examples": 30, "deadline": None}
