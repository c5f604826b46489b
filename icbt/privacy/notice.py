"""The clinic's privacy notice: a Markdown file with its version in the front matter.

PRIVACY_NOTICE_FILE names the file (default: icbt/data/privacy-notice.md). It starts with

    ---
    version: 2026-03      # required: letters, digits, . _ - (change it to ask clients again)
    title: Privacy notice # optional
    changes: ...          # optional: one paragraph on what changed, shown when asking again
    ---

then the notice in Markdown, rendered with the lessons' sanitiser (raw HTML is not
allowed; `crisis:` links go to the crisis page). The file is read and checked at
start-up (a broken notice stops the app with `path:line: message`) and parsed again
whenever its text changes, so a new version applies without a restart; if the changed
file is broken, the last good notice stays and the problem is logged.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from icbt.programs.frontmatter import YamlProblem, read_front_matter
from icbt.programs.render import LinkContext, render

log = logging.getLogger("icbt.notice")

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "privacy-notice.md"
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_CACHE = "icbt_privacy_notice"


class NoticeProblem(ValueError):
    """The notice file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Notice:
    """One version of the notice, ready to show (html is nh3-sanitised)."""

    version: str
    title: str
    changes: str
    html: str
    sha256: str  # of the whole file as read: proves which wording was agreed to


def path_for(app: Flask) -> Path:
    """The configured notice file."""
    return Path(app.config.get("PRIVACY_NOTICE_FILE") or DEFAULT_FILE)


def parse(text: str, name: str = "privacy notice") -> Notice:
    """Read a notice file's text; raise NoticeProblem with `name:line: message` when it is wrong."""
    try:
        fm, problems = read_front_matter(text)
    except YamlProblem as exc:
        raise NoticeProblem(f"{name}:{exc.line}: {exc.message}") from None
    if problems:
        raise NoticeProblem(f"{name}:{problems[0].line}: {problems[0].message}")
    node = fm.data.get("version")
    version = node.raw.strip() if node is not None and node.kind == "scalar" else ""
    if not VERSION_RE.match(version):
        raise NoticeProblem(f"{name}:{fm.data.line_of('version')}: the front matter needs a "
                            "version: up to 40 letters, digits, dots, - or _ (e.g. 2026-03)")
    extra = {k: fm.data.get(k) for k in ("title", "changes")}
    for key, value in extra.items():
        if value is not None and value.kind != "scalar":
            raise NoticeProblem(f"{name}:{fm.data.line_of(key)}: {key} must be plain text")
    out = render(fm.body, LinkContext(program_slug=""))
    if out.raw_html:
        raise NoticeProblem(f"{name}: raw HTML is not allowed in the notice: "
                            f"{out.raw_html[0][:60]}")
    if out.bad_links:
        target, reason = out.bad_links[0]
        raise NoticeProblem(f"{name}: link {target!r}: {reason}")
    if any(kind != "html" for kind, _v in out.segments) or not out.text_chars:
        raise NoticeProblem(f"{name}: the notice needs some text (and no worksheets)")
    title, changes = (str(v.raw).strip() if v is not None else "" for v in extra.values())
    return Notice(version=version, title=title, changes=changes, html=out.html,
                  sha256=hashlib.sha256(text.encode()).hexdigest())


def _read(path: Path) -> str:
    """The notice file's text."""
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NoticeProblem(f"{path}: cannot read the privacy notice ({exc})") from None


def load(path: Path) -> Notice:
    """Read and check a notice file."""
    return parse(_read(path), str(path))


def current() -> Notice:
    """The notice in force now (parsed again only when the file's text changed).

    The file is small and in the page cache: comparing its text is cheaper than trusting
    modification times, which may not change between two quick edits.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    path = path_for(app)
    cached = app.extensions.get(_CACHE)
    try:
        text = _read(path)
        if cached is not None and cached[0] == (str(path), text):
            return cached[1]  # type: ignore[no-any-return]
        notice = parse(text, str(path))
    except NoticeProblem as exc:
        if cached is None:
            raise
        log.error("privacy notice not reloaded, the last good one stays: %s", exc)
        return cached[1]  # type: ignore[no-any-return]
    app.extensions[_CACHE] = ((str(path), text), notice)
    return notice


def init_app(app: Flask) -> None:
    """Read and check the notice at start-up, so a broken one stops the app at once."""
    path = path_for(app)
    try:
        text = _read(path)
        notice = parse(text, str(path))
    except NoticeProblem as exc:
        raise RuntimeError(f"Refusing to start: {exc}") from None
    app.extensions[_CACHE] = ((str(path), text), notice)
