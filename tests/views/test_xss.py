"""XSS: every payload in every free-text field of every form never comes back executable.

The forms are found, not listed: as each signed-in role, the test opens every GET
page of the access matrix (which covers the whole URL map) and the same-site pages
they link to, and collects each POST form with a text input or textarea. New forms
are picked up automatically. Each payload goes into each free-text field; then every
page is fetched again as every role and checked for anything a browser would run.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from access_matrix import MATRIX
from conftest import PASSWORD, login_as
from flask import Flask
from flask.testing import FlaskClient
from htmlscan import Field, Form, executable_markup, local_path, parse_page
from werkzeug.datastructures import MultiDict
from world import build_world

HERE = Path(__file__).parents[1]
PAYLOADS = [line for line in (HERE / "xss_payloads.txt").read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
ROLES = ("client", "therapist", "admin", "designer")
VIEWERS = ("client", "other_client", "therapist", "other_therapist", "admin", "designer")
MAX_PAGES = 250  # per person, for the crawl
SKIP_PATHS = re.compile(r"^/(static/|logout|login|invite/|reset/|unsubscribe/)")
_emails = itertools.count(1)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Payloads typed into code and password fields must not lock anyone out mid-test.
    app_config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=100_000, LOGIN_MAX_FAILURES_PER_IP=100_000)
    return app_config


def test_the_corpus_is_big_enough() -> None:
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def _start_urls(values: dict[str, Any]) -> list[str]:
    return [template.format(**values) for method, template, _w in MATRIX.values()
            if method == "GET" and "{bad_token}" not in template]


def _crawl(c: FlaskClient, start: list[str], seen_forms: dict[tuple[str, str], Form] | None,
           problems: list[str], who: str) -> int:
    """Open pages breadth-first (same site, GET only); scan each; collect forms if asked."""
    queue, seen = list(start), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or SKIP_PATHS.match(url):
            continue
        seen.add(url)
        resp = c.get(url)
        if resp.status_code != 200 or not resp.mimetype.startswith("text/html"):
            resp.close()
            continue
        html = resp.get_data(as_text=True)
        problems.extend(f"{who} GET {url}: {p}" for p in executable_markup(html))
        forms, links = parse_page(html, "http://localhost" + url)
        if seen_forms is not None:
            for form in forms:
                path = local_path(form.action)
                if form.method == "post" and form.text_fields and path is not None:
                    seen_forms.setdefault((path, ",".join(f.name for f in form.fields)), form)
        for link in links:
            path = local_path(link)
            if path and path not in seen and "#" not in path:
                queue.append(path)
    return len(seen)


def _default(f: Field) -> str:
    """A harmless, valid-looking value for a field that is not under test."""
    if f.type == "email":
        return f"xss{next(_emails)}@example.org"
    if f.type == "password":
        return PASSWORD
    if f.value:
        return f.value
    return {"number": "1", "range": "5", "date": "2026-03-02", "time": "09:00",
            "datetime-local": "2026-03-02T09:00"}.get(f.type, "Plain words")


def _data(form: Form, overrides: dict[str, str]) -> MultiDict[str, str]:
    data: MultiDict[str, str] = MultiDict()
    radios_done: set[str] = set()
    radios = [f for f in form.fields if f.type == "radio"]
    for f in form.fields:
        if f.name in overrides and f.free_text:
            data.add(f.name, overrides[f.name])
        elif f.type == "checkbox":
            if f.checked:
                data.add(f.name, f.value or "y")
        elif f.type == "radio":
            if f.name not in radios_done:
                group = [r for r in radios if r.name == f.name]
                data.add(f.name, next((r.value for r in group if r.checked), group[0].value))
                radios_done.add(f.name)
        elif f.tag == "select":
            chosen = [v for v, sel in f.options if sel] or [v for v, _s in f.options if v][:1]
            for v in chosen:
                data.add(f.name, v)
        else:
            data.add(f.name, _default(f))
    if form.submit:
        data.add(*form.submit)
    return data


def _chunks(f: Field) -> list[str]:
    """Every payload, packed into as few values as the field's maxlength allows."""
    limit = f.maxlength or 4000
    sep = "\n" if f.tag == "textarea" else " "
    out, current = [], ""
    for p in PAYLOADS:
        p = p[:limit]
        if current and len(current) + len(sep) + len(p) > limit:
            out.append(current)
            current = ""
        current = f"{current}{sep}{p}" if current else p
    if current:
        out.append(current)
    return out


def _post(c: FlaskClient, path: str, form: Form, overrides: dict[str, str],
          problems: list[str], who: str) -> bool:
    """Post once; scan the answer and the page it redirects to. True when it was refused."""
    resp = c.post(path, data=_data(form, overrides))
    html = resp.get_data(as_text=True)
    if resp.mimetype.startswith("text/html"):
        problems.extend(f"{who} POST {path}: {p}" for p in executable_markup(html))
    location = resp.headers.get("Location")
    if resp.status_code in (301, 302, 303) and location:
        target = local_path("http://localhost" + location if location.startswith("/")
                            else location)
        if target and not SKIP_PATHS.match(target):
            follow = c.get(target)
            if follow.mimetype.startswith("text/html"):
                problems.extend(f"{who} after POST {path}: {p}"
                                for p in executable_markup(follow.get_data(as_text=True)))
    assert resp.status_code < 500, f"{who} POST {path} -> {resp.status_code}"
    return resp.status_code == 200 and 'aria-invalid="true"' in html


def _attack(c: FlaskClient, path: str, form: Form, problems: list[str], who: str) -> int:
    """Put every payload into every free-text field; return the number of posts."""
    fields = form.text_fields
    chunks = {f.name: _chunks(f) for f in fields}
    posts, refused = 0, False
    rounds = max(len(v) for v in chunks.values())
    for i in range(rounds):  # all fields at once
        overrides = {name: parts[i % len(parts)] for name, parts in chunks.items()}
        refused |= _post(c, path, form, overrides, problems, who)
        posts += 1
    if refused and len(fields) > 1:
        # Something was refused (say, a time zone or a code): one field at a time, so the
        # others keep valid values and the text under test is saved and shown back.
        for f in fields:
            for part in chunks[f.name]:
                _post(c, path, form, {f.name: part}, problems, who)
                posts += 1
    return posts


def test_payloads_never_come_back_executable(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    people, values = build_world(app, make_user)
    start = _start_urls(values)
    problems: list[str] = []
    found: dict[str, int] = {}
    adapter = app.url_map.bind("localhost")
    attacked: set[tuple[str, str]] = set()
    for role in ROLES:
        c = login_as(app, people[role])
        forms: dict[tuple[str, str], Form] = {}
        _crawl(c, start, forms, problems, role)
        for (path, names), form in sorted(forms.items()):
            # The same form on many pages (a day, an entry) is attacked once.
            endpoint = adapter.match(path.split("?")[0], method="POST")[0]
            if (endpoint, names) in attacked:
                continue
            attacked.add((endpoint, names))
            found[f"{role} {path}"] = _attack(c, path, form, problems, role)
    assert len(found) >= 5, f"too few forms found: {found}"
    # Everything posted is now stored: every page, as everyone, shows it safely.
    pages = 0
    for viewer in VIEWERS:
        pages += _crawl(login_as(app, people[viewer]), start, None, problems, viewer)
    assert pages > len(VIEWERS) * 5
    assert not problems, "\n".join(sorted(set(problems))[:40])


def test_the_scanner_catches_executable_markup() -> None:
    """The checks above can fail: each kind of injection is reported."""
    bad = [
        "<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
        '<a href=" jav&#x61;script:alert(1)">x</a>', '<iframe src="/x"></iframe>',
        '<meta http-equiv="refresh" content="0;url=/">', '<button formaction="javascript:x">',
        '<script src="https://evil.example/x.js"></script>', '<svg onload=alert(1)>',
    ]
    for html in bad:
        assert executable_markup(html), html
    safe = ('<script src="/static/js/app.js" defer></script><p>&lt;script&gt;alert(1)'
            '&lt;/script&gt;</p><input value="&quot; onmouseover=&quot;x"><img src="data:image/'
            'svg+xml;base64,AAA" alt="QR">')
    assert executable_markup(safe) == []


def test_payloads_in_lesson_markdown_never_execute() -> None:
    """The same corpus, written by a designer into a lesson, is escaped or removed."""
    from icbt.programs.render import LinkContext, render

    text = "\n\n".join(PAYLOADS) + "\n\n" + " ".join(PAYLOADS) + "\n\n> " + "\n> ".join(PAYLOADS)
    html = render(text, LinkContext(program_slug="xss")).html
    assert html.strip()
    assert executable_markup(html) == []


# --- |safe and Markup( only where sanitised HTML is shown ----------------------------------

ICBT = HERE.parent / "icbt"
UNSAFE = re.compile(r"\|\s*safe\b|\bMarkup\s*\(|autoescape\s+false")


def _allowlist() -> list[tuple[str, str]]:
    entries = []
    for line in (HERE / "safe_allowlist.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            path, _sep, why = (part.strip() for part in line.partition("|"))
            entries.append((path, why))
    return entries


def _unsafe_uses() -> dict[str, int]:
    uses: dict[str, int] = {}
    for path in sorted(ICBT.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt", ".jinja", ".j2") or "__pycache__" in path.parts:
            continue
        count = len(UNSAFE.findall(path.read_text("utf-8", errors="replace")))
        if count:
            uses[str(path.relative_to(HERE.parent))] = count
    return uses


def test_no_new_safe_or_markup_outside_the_allowlist() -> None:
    allowed: dict[str, int] = {}
    for path, why in _allowlist():
        assert len(why) >= 20, f"{path}: say in one line why this HTML cannot carry script"
        allowed[path] = allowed.get(path, 0) + 1
    uses = _unsafe_uses()
    over = {p: n for p, n in uses.items() if n > allowed.get(p, 0)}
    assert not over, (f"|safe / Markup( / autoescape false without an allowlist line in "
                      f"tests/safe_allowlist.txt (uses per file): {over}")
    stale = sorted(p for p in allowed if p not in uses)
    assert not stale, f"allowlist lines for files that no longer use it: {stale}"


def test_the_unsafe_pattern_matches_every_spelling() -> None:
    for text in ("{{ x|safe }}", "{{ x | safe }}", "Markup(x)", "markupsafe.Markup (x)",
                 "{% autoescape false %}"):
        assert UNSAFE.search(text), text
    for text in ("is_safe_next(x)", "{{ x|safe_int }}", "SafeMarkup", "unsafe"):
        assert not UNSAFE.search(text), text
