"""The privacy notice file: a version in its front matter, Markdown sanitised like a lesson."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from icbt import create_app
from icbt.privacy import notice
from icbt.privacy.notice import DEFAULT_FILE, NoticeProblem, parse


def test_the_shipped_notice_reads_and_says_what_the_service_is_not() -> None:
    shipped = notice.load(DEFAULT_FILE)
    assert shipped.version == "1" and shipped.title == "Privacy notice"
    assert "not watched around the clock" in shipped.html
    assert 'href="/help"' in shipped.html  # `crisis:` goes to the crisis page
    assert "content" not in DEFAULT_FILE.parts  # not where `icbt content check` looks


def test_the_version_is_kept_as_written() -> None:
    assert parse("---\nversion: 1.10\n---\nSome words.\n").version == "1.10"


@pytest.mark.parametrize(("text", "message"), [
    ("Some words.\n", "name:1: the file must start with front matter"),
    ("---\ntitle: x\n---\nSome words.\n", "name:2: the front matter needs a version"),
    ("---\nversion: two words\n---\nSome words.\n", "name:2: the front matter needs a version"),
    ("---\nversion: 2\n---\n<script>alert(1)</script>\n", "raw HTML is not allowed"),
    ("---\nversion: 2\n---\n[x](javascript:alert(1))\n", "unsafe link"),
    ("---\nversion: 2\n---\n\n", "the notice needs some text"),
    ("---\nversion: 2\nversion: 3\n---\nWords.\n", 'name:3: "version" is set twice'),
])
def test_a_broken_notice_is_refused_with_where_and_why(text: str, message: str) -> None:
    with pytest.raises(NoticeProblem) as exc:
        parse(text, "name")
    assert message in str(exc.value)


def test_the_app_refuses_to_start_with_a_broken_notice(tmp_path: Path,
                                                         app_config: dict[str, object]) -> None:
    bad = tmp_path / "notice.md"
    bad.write_text("---\ntitle: no version\n---\nWords.\n", "utf-8")
    with pytest.raises(RuntimeError, match="Refusing to start: .*notice.md:2: .*version"):
        create_app({**app_config, "PRIVACY_NOTICE_FILE": str(bad)})


def test_a_notice_broken_while_running_keeps_the_last_good_one(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "notice.md"
    path.write_text("---\nversion: a\n---\nFirst words.\n", "utf-8")
    app.config["PRIVACY_NOTICE_FILE"] = str(path)
    with app.app_context():
        assert notice.current().version == "a"
        path.write_text("---\nversion: b\n---\n", "utf-8")  # no text: refused
        assert notice.current().version == "a"
        path.write_text("---\nversion: c\n---\nNew words.\n", "utf-8")
        assert notice.current().version == "c" and "New words." in notice.current().html
