"""Journey 5: a designer previews a lesson, breaks its file, reloads, and sees the
`path:line: message` beside the preview (clients keep the last good version).

This journey edits content files, so it runs its own app on a COPY of the shipped content
folder (CONTENT_DIR in a temporary folder): the files in icbt/content are never touched.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness
import pytest
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK

LESSON = "cbt-low-mood/01-getting-started.md"


@pytest.fixture(scope="module")
def designer_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Path]]:
    """An app and live server of its own, reading a copy of the content folder."""
    from icbt import PACKAGE_DIR

    base = tmp_path_factory.mktemp("designer")
    content = base / "content"
    shutil.copytree(PACKAGE_DIR / "content", content)
    with harness.fresh_app(base, CONTENT_DIR=str(content)) as app, \
            harness.serving(app) as server:
        yield app, server, content


def break_lesson(path: Path) -> int:
    """Misspell the lesson's worksheet marker; return the 1-based line that now has the error."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if line.strip() == "[[worksheet journal]]":
            lines[number - 1] = line.replace("journal", "jurnal")
            path.write_text("".join(lines), encoding="utf-8")
            return number
    raise AssertionError(f"no [[worksheet journal]] line in {path}")


def test_designer_sees_the_error_beside_the_preview(page: Any, designer_site: Any,
                                                    axe_source: str) -> None:
    app, server, content = designer_site
    _id, address = steps.make_user(app, "designer", name="Dana Lake")
    steps.sign_in(page, server.url, address)
    expect(steps.heading(page, "Programs")).to_be_visible()
    steps.checked(page, axe_source)
    page.get_by_role("link", name="CBT for low mood and anxiety").click()
    expect(steps.heading(page, "CBT for low mood and anxiety")).to_be_visible()
    steps.checked(page, axe_source)
    page.get_by_role("link", name="Getting started").click()

    # The preview: the lesson as a client sees it, and no problems beside it.
    expect(page.get_by_text("Preview: this is what a client sees for week 1.")).to_be_visible()
    preview = page.locator(".designer-main")
    expect(preview.get_by_role("heading", name="Getting started", level=1)).to_be_visible()
    side = page.get_by_role("complementary", name="About this lesson")
    expect(side.get_by_text("No problems found.")).to_be_visible()
    steps.checked(page, axe_source)
    preview_url = page.url

    # The designer breaks the lesson file and reloads.
    line = break_lesson(content / LESSON)
    side.get_by_role("button", name="Reload content").click()

    # Back on the same preview: the message, with its path and line, beside the preview.
    expect(page.get_by_text(re.compile(r"The files have 1 error, "))).to_be_visible()
    assert page.url == preview_url
    problem = side.locator(".problem").filter(has_text=f"{LESSON}:{line}:")
    expect(problem).to_have_count(1)
    assert "problem-here" in (problem.get_attribute("class") or "")  # marked as this file's
    text = " ".join(problem.inner_text().split())
    assert re.search(rf"^{re.escape(LESSON)}:{line}: error unknown worksheet \"jurnal\"", text), text
    expect(side.get_by_role("alert")).to_contain_text("clients still see the previous version")
    box_preview, box_side = preview.bounding_box(), side.bounding_box()
    assert box_side["x"] >= box_preview["x"] + box_preview["width"] - 1  # beside, not below
    # Clients still get the last good version: the journal worksheet is still in the lesson.
    expect(preview.get_by_text("Worksheet: Journal")).to_be_visible()
    steps.checked(page, axe_source)
    shot(page, "journey-5-designer-error")
