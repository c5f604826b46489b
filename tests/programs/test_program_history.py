"""History stays readable: moving program, and lessons changed or removed after they were read."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_from, login_as
from flask import Flask
from lessons_helpers import enrol, opened, people, run_jobs
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Enrolment, Homework, LessonProgress, LessonSnapshot

START = date(2026, 3, 2)
SOURCE = Path(__file__).resolve().parents[2] / "icbt" / "content"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """Serve a copy of the shipped programs, so a test may edit and remove lessons."""
    shutil.copytree(SOURCE, tmp_path / "content")
    app_config["CONTENT_DIR"] = str(tmp_path / "content")
    return app_config


def test_moving_program_keeps_all_history(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=START)
    clock.set(datetime(2026, 3, 10, 9, 0))
    run_jobs(app, clock.now)
    c = login_as(app, client)
    c.get("/lessons/cbt-low-mood/1")
    t = login_as(app, therapist)
    form = t.get(f"/staff/clients/{client.id}/program/move").get_data(as_text=True)
    assert "The current program will end" in form
    t.post(f"/staff/clients/{client.id}/program/move", data={
        "csrf_token": csrf_from(form), "program": "dbt-emotion-regulation",
        "start_date": "2026-03-10", "pace_days": "7"})
    with app.app_context():
        statuses = {e.program_slug: e.status for e in db.session.scalars(select(Enrolment))}
        assert statuses == {"cbt-low-mood": "ended", "dbt-emotion-regulation": "active"}
        slugs = {r.lesson_slug for r in db.session.scalars(select(LessonProgress))}
        assert {"getting-started", "the-cbt-model"} <= slugs
        assert db.session.scalar(select(db.func.count(Homework.id))) == 4 + 2  # old + new
    lessons = c.get("/lessons").get_data(as_text=True)
    assert "Earlier program: CBT for low mood and anxiety" in lessons
    assert "/lessons/cbt-low-mood/2" in lessons and "/lessons/dbt-emotion-regulation/1" in lessons
    old = c.get("/lessons/cbt-low-mood/2")
    assert old.status_code == 200 and "How thoughts, feelings and actions connect" in \
        old.get_data(as_text=True)
    assert "What emotions do" in c.get("/home").get_data(as_text=True)
    run_jobs(app, datetime(2026, 3, 20, 9, 0))
    assert sorted(opened(app, client.id)) == [1, 2], "the old program opens nothing more"


def test_a_changed_or_removed_lesson_still_reads_as_the_client_saw_it(  # type: ignore[no-untyped-def]
        app: Flask, make_user, clock) -> None:
    from icbt.programs import store

    therapist, (client, later) = people(make_user, "Europe/London", "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=date(2026, 1, 12))  # eight weeks ago: all open
    assert sorted(opened(app, client.id)) == list(range(1, 9))
    c = login_as(app, client)
    assert "Well done for starting." in c.get("/lessons/cbt-low-mood/1").get_data(as_text=True)

    root = Path(app.config["CONTENT_DIR"]) / "cbt-low-mood"
    first = root / "01-getting-started.md"
    first.write_text(first.read_text().replace("Well done for starting.",
                                               "This sentence is new in version two."))
    (root / "08-staying-well.md").unlink()
    (root / "worksheets" / "staying-well-plan.md").unlink()
    program_md = root / "program.md"
    program_md.write_text(program_md.read_text().replace("weeks: 8", "weeks: 7"))
    with app.app_context():
        problems = store.store().reload()
        assert not [p for p in problems if p.is_error], problems
        assert store.store().lesson("cbt-low-mood", 8) is None

    page = c.get("/lessons/cbt-low-mood/1").get_data(as_text=True)
    assert "Well done for starting." in page and "new in version two" not in page
    assert "as you first read it" in page
    removed = c.get("/lessons/cbt-low-mood/8")
    assert removed.status_code == 200
    assert "Staying well" in removed.get_data(as_text=True)
    assert '/lessons/cbt-low-mood/8">Staying well</a>' in c.get("/lessons").get_data(as_text=True)

    enrol(app, later, therapist, start=START)
    fresh = login_as(app, later).get("/lessons/cbt-low-mood/1").get_data(as_text=True)
    assert "new in version two" in fresh, "new clients get the new version"

    with app.app_context():  # no snapshot at all: a calm note instead of an error
        db.session.execute(db.delete(LessonSnapshot).where(LessonSnapshot.week == 7))
        db.session.commit()
    (root / "07-problem-solving.md").write_text(
        (root / "07-problem-solving.md").read_text().replace("## ", "## Edited: ", 1))
    with app.app_context():
        store.store().reload()
    gone = c.get("/lessons/cbt-low-mood/7")
    assert gone.status_code == 200
    assert "its text cannot be shown" in gone.get_data(as_text=True)
