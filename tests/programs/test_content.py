"""The content store: loading, rendering, safety against XSS, constant work per page, versions."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import markdown
import nh3
import pytest
from conftest import login_as
from flask import Flask

from icbt.programs import store as content
from icbt.programs.store import ContentError

SHIPPED = Path(__file__).parents[2] / "icbt" / "content"
BROKEN = Path(__file__).parents[1] / "content_broken"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped programs that a test may edit."""
    dest = tmp_path / "content"
    shutil.copytree(SHIPPED, dest)
    return dest


@pytest.fixture
def app_config(app_config: dict[str, Any], content_dir: Path) -> dict[str, Any]:
    app_config["CONTENT_DIR"] = str(content_dir)
    return app_config


def test_store_holds_the_three_programs(app: Flask) -> None:
    with app.app_context():
        store = content.store()
        assert list(store.programs) == ["cbt-low-mood", "dbt-emotion-regulation",
                                        "ipt-relationships"]
        cbt = store.get_program("cbt-low-mood")
        assert cbt is not None and store.get_program("nope") is None
        assert (cbt.therapy, cbt.weeks, cbt.unlock, cbt.min_gap_days) == ("CBT", 8, "schedule", 7)
        assert cbt.measures == {"phq9": 1, "gad7": 1}
        assert len(cbt.content_hash) == 64 and cbt.version == "1"
        assert [lesson.week for lesson in cbt.lessons] == list(range(1, 9))
        dbt = store.get_program("dbt-emotion-regulation")
        assert dbt is not None and dbt.unlock == "completion"
        assert dbt.settings["diary_card"]["emotions"][:2] == ["sadness", "anger"]
        lesson = store.lesson("cbt-low-mood", 1)
        assert lesson is not None and store.lesson("cbt-low-mood", 9) is None
        assert (lesson.slug, lesson.file, lesson.minutes) == ("getting-started",
                                                              "01-getting-started.md", 25)
        assert [(h.worksheet, h.times) for h in lesson.homework] == [("journal", 3),
                                                                     ("mood_checkin", 5)]
        assert [k for k, _ in lesson.segments] == ["html", "worksheet", "html"]
        assert lesson.segments[1] == ("worksheet", "journal")
        assert '<p class="worksheet-ref">' in lesson.html
        with pytest.raises(dataclasses.FrozenInstanceError):
            lesson.title = "changed"  # type: ignore[misc]


def test_designer_worksheets_become_field_worksheets(app: Flask) -> None:
    from icbt.modules.generic import FieldWorksheet
    from icbt.programs import registry

    with app.app_context():
        ws = content.store().worksheets["problem_solving"]
        assert isinstance(ws, FieldWorksheet) and registry.get("problem_solving") is ws
        assert ws.source == "cbt-low-mood/worksheets/problem-solving.md"
        assert ws.summary_fields == ("problem", "chosen")
        by_name = {f.name: f for f in ws.fields}
        assert by_name["problem"].required and by_name["problem"].type == "long_text"
        assert by_name["can_act"].choices[0] == "Yes"  # quoted in YAML, kept as text
        assert by_name["worry_before"].low == "Not at all"
        assert ws.intro_html.startswith("<p>Use this worksheet")


def test_markdown_features_render(app: Flask) -> None:
    with app.app_context():
        lesson = content.store().lesson("cbt-low-mood", 2)
        assert lesson is not None
        page = lesson.html
    assert '<a href="/lessons/cbt-low-mood/1" rel="noopener noreferrer">Getting started</a>' in page
    assert '<aside class="callout callout-example">\n<p class="callout-title">Priya' in page
    assert '<a href="/help" rel="noopener noreferrer">Need help now?</a>' in page
    assert '<img alt="Four boxes named thoughts' in page
    assert 'src="/content/cbt-low-mood/images/cbt-cycle.svg"' in page


def test_render_details() -> None:
    from icbt.programs.render import LinkContext, render

    ctx = LinkContext("demo", {"02-next.md": 2}, frozenset({"a.png"}))
    r = render("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n<!-- a note for designers -->\n\n"
               "::: note\n**Bold** in a box.\n:::\n\nSee [next](02-next.md) or "
               "[us](https://example.org) and [mail](mailto:a@example.org).\n", ctx)
    assert r.raw_html == [] and r.bad_links == []
    assert '<th align="left">a</th>' in r.html and "note for designers" not in r.html
    assert '<aside class="callout callout-note">\n<p><strong>Bold</strong>' in r.html
    assert 'href="/lessons/demo/2"' in r.html and 'href="https://example.org"' in r.html
    assert 'href="mailto:a@example.org"' in r.html


def test_a_lesson_page_does_no_markdown_work(app: Flask, make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = {"convert": 0, "clean": 0}
    real_convert, real_clean = markdown.Markdown.convert, nh3.clean

    def convert(self: markdown.Markdown, text: str) -> str:
        calls["convert"] += 1
        return real_convert(self, text)

    def clean(*args: Any, **kwargs: Any) -> str:
        calls["clean"] += 1
        return real_clean(*args, **kwargs)

    monkeypatch.setattr(markdown.Markdown, "convert", convert)
    monkeypatch.setattr(nh3, "clean", clean)
    designer = login_as(app, make_user("designer"))
    for _ in range(5):
        for week in (1, 2, 7):
            assert designer.get(f"/designer/programs/cbt-low-mood/{week}").status_code == 200
    assert calls == {"convert": 0, "clean": 0}
    with app.app_context():
        content.store().reload()  # the counter does see rendering when it happens
    assert calls["convert"] > 20


def test_the_client_lesson_page_does_no_markdown_work(app: Flask, make_user, clock,  # type: ignore[no-untyped-def]
                                                      monkeypatch) -> None:
    from icbt.db import db
    from icbt.models.people import User
    from icbt.programs import enrolment

    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    with app.app_context():
        enrolment.enrol(db.session.get(User, client.id), "cbt-low-mood",
                        actor=db.session.get(User, therapist.id), start_date=clock().date())
    calls = []
    real = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert",
                        lambda self, text: calls.append(1) or real(self, text))
    browser = login_as(app, client)
    for _ in range(4):
        page = browser.get("/lessons/cbt-low-mood/1")
        assert page.status_code == 200
        assert "Setting your goals" in page.get_data(as_text=True)
    assert calls == []


def test_the_app_refuses_to_start_with_invalid_content(app_config: dict[str, Any]) -> None:
    from icbt import create_app

    app_config["CONTENT_DIR"] = str(BROKEN)
    with pytest.raises(ContentError) as caught:
        create_app(app_config)
    message = str(caught.value)
    assert message.startswith(f"Refusing to start: the content in {BROKEN} has ")
    assert "broken-weeks/03-b.md:2: week 3 is also used by 03-a.md" in message
    assert "broken-lessons/09-links.md:9: unsafe link: \"javascript:\" links" in message


def _retitle(path: Path, title: str) -> None:
    text = path.read_text()
    old = next(line for line in text.split("\n") if line.startswith("title:"))
    path.write_text(text.replace(old, f"title: {title}", 1))


def test_reload_keeps_the_old_content_when_the_new_has_errors(app: Flask,
                                                              content_dir: Path) -> None:
    lesson_file = content_dir / "cbt-low-mood" / "01-getting-started.md"
    with app.app_context():
        store = content.store()
        old_hash = store.get_program("cbt-low-mood").content_hash  # type: ignore[union-attr]
        _retitle(lesson_file, "A new start")
        lesson_file.write_text(lesson_file.read_text() + "\n<script>alert(1)</script>\n")
        script_line = lesson_file.read_text().count("\n")  # the last line
        problems = store.reload()
        assert [str(p) for p in problems if p.is_error] == [
            f"cbt-low-mood/01-getting-started.md:{script_line}: raw HTML is not allowed (it "
            "would be removed from the page): <script>; write Markdown instead"]
        assert store.failed
        assert store.lesson("cbt-low-mood", 1).title == "Getting started"  # type: ignore[union-attr]
        lesson_file.write_text(lesson_file.read_text().replace("<script>alert(1)</script>", ""))
        assert [p for p in store.reload() if p.is_error] == []
        assert not store.failed
        assert store.lesson("cbt-low-mood", 1).title == "A new start"  # type: ignore[union-attr]
        assert store.get_program("cbt-low-mood").content_hash != old_hash  # type: ignore[union-attr]


def test_other_workers_follow_a_reload(app: Flask, app_config: dict[str, Any], content_dir: Path,
                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from icbt import create_app

    monkeypatch.setattr(content, "STAMP_CHECK_SECONDS", 0.0)
    other = create_app(app_config)  # a second worker: same files, same instance folder
    _retitle(content_dir / "ipt-relationships" / "02-the-interpersonal-inventory.md", "People")
    with other.app_context():
        assert content.store().lesson("ipt-relationships", 2).title != "People"  # type: ignore[union-attr]
    with app.app_context():
        content.store().reload_everywhere()
    with other.app_context():
        assert content.store().lesson("ipt-relationships", 2).title == "People"  # type: ignore[union-attr]


def test_snapshots_keep_a_lesson_after_it_changes_or_goes(app: Flask, content_dir: Path) -> None:
    from sqlalchemy import func, select

    from icbt.db import db
    from icbt.models.care import LessonSnapshot

    with app.app_context():
        store = content.store()
        program = store.get_program("ipt-relationships")
        assert program is not None
        lesson = program.lesson(6)
        assert lesson is not None
        old_hash = program.content_hash
        content.snapshot_lesson("ipt-relationships", lesson)
        content.snapshot_lesson("ipt-relationships", lesson)
        store.snapshotted.clear()  # even without the in-memory note, no second row
        content.snapshot_lesson(program, lesson)  # a Program works as well as its slug
        assert db.session.scalar(select(func.count()).select_from(LessonSnapshot)) == 1
        assert content.historic_lesson("ipt-relationships", old_hash, 6) == (lesson.title,
                                                                             lesson.html)
        (content_dir / "ipt-relationships" / "06-ending-and-keeping-gains.md").unlink()
        (content_dir / "ipt-relationships" / "program.md").write_text(
            (content_dir / "ipt-relationships" / "program.md").read_text()
            .replace("weeks: 6", "weeks: 5"))
        assert [p for p in store.reload() if p.is_error] == []
        assert store.lesson("ipt-relationships", 6) is None
        assert content.historic_lesson("ipt-relationships", old_hash, 6) == (lesson.title,
                                                                             lesson.html)
        new = store.get_program("ipt-relationships")
        assert new is not None and new.content_hash != old_hash
        assert content.historic_lesson("ipt-relationships", new.content_hash, 5)[0] == \
            new.lesson(5).title  # type: ignore[index,union-attr]
        assert content.historic_lesson("ipt-relationships", old_hash, 5) is None
        assert content.historic_lesson("ipt-relationships", new.content_hash, 6) is None


def test_program_images_are_served_safely(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = login_as(app, make_user("client"))
    svg = client.get("/content/cbt-low-mood/images/cbt-cycle.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert svg.get_data().startswith(b"<svg")
    svg.close()
    for url in ("/content/cbt-low-mood/images/CBT-CYCLE.SVG",
                "/content/cbt-low-mood/images/..%2fprogram.md",
                "/content/cbt-low-mood/images/program.md",
                "/content/cbt-low-mood/images/missing.png",
                "/content/Not-A-Slug/images/cbt-cycle.svg",
                "/content/dbt-emotion-regulation/images/cbt-cycle.svg"):
        assert client.get(url).status_code == 404, url
    anonymous = app.test_client().get("/content/cbt-low-mood/images/cbt-cycle.svg")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
