"""Designer pages: programs with their check messages, the client-identical preview, reload."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_from, login_as
from flask import Flask

from icbt.programs import store

SHIPPED = Path(__file__).parents[2] / "icbt" / "content"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(SHIPPED, dest)
    return dest


@pytest.fixture
def app_config(app_config: dict[str, Any], content_dir: Path) -> dict[str, Any]:
    app_config["CONTENT_DIR"] = str(content_dir)
    return app_config


@pytest.fixture
def designer(app: Flask, make_user):  # type: ignore[no-untyped-def]
    return login_as(app, make_user("designer"))


def _reload(browser, page_url: str):  # type: ignore[no-untyped-def]
    """Press the reload button on a page and follow the redirect back."""
    token = csrf_from(browser.get(page_url).get_data(as_text=True))
    return browser.post("/designer/reload", data={"csrf_token": token, "next": page_url},
                        follow_redirects=True)


def test_index_lists_every_program_and_lesson(designer) -> None:  # type: ignore[no-untyped-def]
    page = designer.get("/designer/").get_data(as_text=True)
    for title in ("CBT for low mood and anxiety", "DBT skills: emotion regulation",
                  "IPT: relationships and mood"):
        assert title in page
    assert page.count('href="/designer/programs/cbt-low-mood/') == 8
    assert 'href="/designer/programs/ipt-relationships/6"' in page
    assert 'href="/designer/worksheets/problem_solving"' in page
    assert page.count("No problems found.") == 3
    assert 'action="/designer/reload"' in page


def test_admin_sees_the_designer_pages_too(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = login_as(app, make_user("admin"))
    assert admin.get("/designer/programs/dbt-emotion-regulation/2").status_code == 200
    therapist = login_as(app, make_user("therapist"))
    assert therapist.get("/designer/").status_code == 404


def test_program_page_shows_welcome_text_and_settings(designer) -> None:  # type: ignore[no-untyped-def]
    page = designer.get("/designer/programs/dbt-emotion-regulation").get_data(as_text=True)
    assert "Some people feel emotions quickly, strongly" in page
    assert "<code>completion</code>" in page
    assert 'href="/designer/worksheets/crisis_survival_plan"' in page
    assert designer.get("/designer/programs/no-such-program").status_code == 404
    assert designer.get("/designer/programs/cbt-low-mood/9").status_code == 404


def test_preview_shows_the_lesson_exactly_as_the_client_page(app: Flask, designer) -> None:  # type: ignore[no-untyped-def]
    page = designer.get("/designer/programs/cbt-low-mood/5").get_data(as_text=True)
    with app.app_context():
        lesson = store.store().lesson("cbt-low-mood", 5)
    assert lesson is not None
    assert "<h1>Spotting thinking traps</h1>" in page
    for kind, value in lesson.segments:
        if kind == "html":
            assert value in page  # the cached, sanitised HTML, byte for byte
    # The worksheet is embedded where the text places it, in preview mode (no saving links).
    assert "Worksheet: Thought record" in page
    assert "Preview: clients see a button here" in page
    assert "/worksheets/new" not in page
    assert "Thought record × 3" in page  # the homework, beside the preview
    assert 'href="/designer/programs/cbt-low-mood/4"' in page  # previous lesson
    assert 'href="/designer/programs/cbt-low-mood/6"' in page  # next lesson


def test_worksheet_preview(designer) -> None:  # type: ignore[no-untyped-def]
    page = designer.get("/designer/worksheets/conversation_plan").get_data(as_text=True)
    assert "<h1>Conversation plan</h1>" in page
    assert "ipt-relationships/worksheets/conversation-plan.md" in page
    assert "<code>how_it_went</code>" in page and "single_choice" in page
    assert designer.get("/designer/worksheets/thought_record").status_code == 200
    assert designer.get("/designer/worksheets/nothing_here").status_code == 404


def test_reload_shows_new_content_without_a_restart(designer, content_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lesson_file = content_dir / "cbt-low-mood" / "03-behavioural-activation.md"
    lesson_file.write_text(lesson_file.read_text().replace("## When life gets smaller",
                                                           "## When life shrinks"))
    url = "/designer/programs/cbt-low-mood/3"
    assert "When life shrinks" not in designer.get(url).get_data(as_text=True)
    page = _reload(designer, url).get_data(as_text=True)
    assert "Content reloaded. Clients now see the new version." in page
    assert "<h2>When life shrinks</h2>" in page


def test_reload_with_errors_keeps_the_old_content_and_shows_the_messages(  # type: ignore[no-untyped-def]
        app: Flask, designer, content_dir: Path) -> None:
    lesson_file = content_dir / "cbt-low-mood" / "03-behavioural-activation.md"
    text = lesson_file.read_text()
    lesson_file.write_text(text.replace("## When life gets smaller", "## When life shrinks")
                           .replace("::: tip", "::: hint", 1))
    (content_dir / "cbt-low-mood" / "worksheets" / "problem-solving.md").write_text(
        "---\ntitle: [broken\n---\n")
    url = "/designer/programs/cbt-low-mood/3"
    page = _reload(designer, url).get_data(as_text=True)
    assert "clients still see the previous version" in page
    assert "<h2>When life gets smaller</h2>" in page and "When life shrinks" not in page
    tip_line = next(n for n, line in enumerate(text.split("\n"), start=1)
                    if line.startswith("::: tip"))
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert (f'cbt-low-mood/03-behavioural-activation.md:{tip_line}: error unknown callout kind '
            f'"hint" (use tip, example, note, safety)') in " ".join(shown.split())
    assert "cbt-low-mood/worksheets/problem-solving.md:2: error YAML syntax error" in " ".join(
        shown.split())
    with app.app_context():
        assert store.store().failed
        assert "problem_solving" in store.store().worksheets  # the old one stays live
    index = designer.get("/designer/").get_data(as_text=True)
    assert "The last reload found errors" in index
    lesson_file.write_text(text)
    shutil.copy(SHIPPED / "cbt-low-mood" / "worksheets" / "problem-solving.md",
                content_dir / "cbt-low-mood" / "worksheets" / "problem-solving.md")
    page = _reload(designer, url).get_data(as_text=True)
    assert "Content reloaded." in page and "The last reload found errors" not in page


def test_a_new_broken_program_is_listed_with_its_messages(designer, content_dir: Path) -> None:  # type: ignore[no-untyped-def]
    (content_dir / "new-program").mkdir()
    (content_dir / "new-program" / "01-first.md").write_text("---\nweek: 1\n---\n")
    page = _reload(designer, "/designer/").get_data(as_text=True)
    assert "Problems outside the live programs" in page
    assert "new-program/program.md:1:" in page


def test_reload_needs_the_csrf_token(app: Flask, designer, content_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        loaded_at = store.store().loaded_at
    resp = designer.post("/designer/reload", data={})
    assert resp.status_code == 400 and "This page had expired" in resp.get_data(as_text=True)
    with app.app_context():
        assert store.store().loaded_at == loaded_at


def test_reload_ignores_an_outside_next_url(designer) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(designer.get("/designer/").get_data(as_text=True))
    resp = designer.post("/designer/reload", data={"csrf_token": token,
                                                   "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/designer/"
