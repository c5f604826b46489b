"""Lesson Markdown full of XSS payloads never reaches a page in a form a browser would run."""

from __future__ import annotations

import html
import shutil
from html.parser import HTMLParser
from pathlib import Path

from conftest import login_as
from flask import Flask

from icbt.programs import store
from icbt.programs.build import load_content

SHIPPED = Path(__file__).parents[2] / "icbt" / "content"

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{background:red}</style>",
    '<div onclick="alert(1)">click</div>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '[x](https://example.org" onmouseover="alert(1))',
    '![x" onerror="alert(1)](images/ok.png)',
    "<details open ontoggle=alert(1)>",
    "::: tip <img src=x onerror=alert(1)>\nA box.\n:::",
    "<!--><script>alert(1)</script>-->",
    '<https://example.org/" onmouseover="alert(1)>',
    "[click][x]\n\n[x]: javascript:alert(1)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "`code` <scr<script>ipt>alert(1)</script>",
]
# Odd but inert: they end up as text or inside an attribute value, so they are not errors.
HARMLESS_TEXT = {
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '[x](https://example.org" onmouseover="alert(1))',
    '![x" onerror="alert(1)](images/ok.png)',
    '<https://example.org/" onmouseover="alert(1)>',
}
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "base", "meta", "svg", "math",
                  "frame", "frameset", "applet"}


class PageScan(HTMLParser):
    """Collect everything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            if not (values.get("src") or "").startswith("/static/"):
                self.bad.append(f"<script {attrs}>")
        elif tag == "meta" and "http-equiv" not in values:
            pass  # the page's own charset/viewport meta tags
        elif tag == "link" and values.get("rel") in ("stylesheet", "icon") and \
                (values.get("href") or "").startswith("/static/"):
            pass  # the page's own stylesheet and icon
        elif tag in FORBIDDEN_TAGS or tag == "link":
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            clean = "".join((html.unescape(value or "")).split()).lower()
            if name.startswith("on") or name == "style":
                self.bad.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and \
                    clean.startswith(UNSAFE_SCHEMES):
                self.bad.append(f"<{tag} {name}={value}>")

    def handle_data(self, data: str) -> None:
        pass


def _xss_program(root: Path) -> None:
    """A program with one lesson per payload (so no payload can hide another)."""
    folder = root / "xss"
    (folder / "images").mkdir(parents=True)
    shutil.copy(SHIPPED / "cbt-low-mood" / "images" / "cbt-cycle.svg", folder / "images" / "ok.png")
    (folder / "program.md").write_text(
        f"---\ntitle: XSS\ntherapy: CBT\nsummary: s\naudience: a\nweeks: {len(XSS)}\n"
        "version: 1\n---\nWelcome.\n")
    for n, payload in enumerate(XSS, start=1):
        (folder / f"{n:02d}-payload.md").write_text(
            f"---\nweek: {n}\ntitle: Payload {n}\nminutes: 5\nsummary: s\n---\n"
            f"Before the payload.\n\n{payload}\n\nAfter the payload. [Help](crisis:)\n")


def test_xss_payloads_never_become_executable(app: Flask, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert len(XSS) >= 25
    _xss_program(tmp_path / "xss-content")
    result = load_content(tmp_path / "xss-content")
    program = result.programs["xss"]
    assert len(program.lessons) == len(XSS)
    with app.app_context():
        store.store().install(result)  # bypass the error gate to look at the rendering
    designer = login_as(app, make_user("designer"))
    for n, payload in enumerate(XSS, start=1):
        page = designer.get(f"/designer/programs/xss/{n}")
        assert page.status_code == 200, payload
        text = page.get_data(as_text=True)
        assert f"Payload {n}" in text and "After the payload." in text, payload
        scan = PageScan()
        scan.feed(text)
        assert scan.bad == [], f"payload {n} {payload!r} left {scan.bad}"
    # Every payload that tried raw HTML or an unsafe link is an error for the designer.
    flagged = {int(p.path.split("/")[1][:2]) for p in result.errors}
    harmless = {n for n, p in enumerate(XSS, start=1) if p in HARMLESS_TEXT}
    assert flagged == set(range(1, len(XSS) + 1)) - harmless
