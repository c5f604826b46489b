"""The client's week, lessons and settings pages, and the therapist's program actions."""

from __future__ import annotations

from datetime import date, datetime

from conftest import csrf_from, login_as
from flask import Flask
from lessons_helpers import enrol, opened, people
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Entry, Homework, LessonProgress, LessonSnapshot, Message, MoodCheckin
from icbt.models.people import User

START = date(2026, 3, 2)  # the clock fixture starts on Monday 2 March 2026, 09:00 UTC


def _homework(app: Flask, client_id: int, worksheet: str, week: int = 1) -> Homework:
    with app.app_context():
        hw = db.session.scalar(select(Homework).where(
            Homework.client_id == client_id, Homework.worksheet == worksheet,
            Homework.week == week))
        assert hw is not None
        db.session.expunge(hw)
        return hw


def test_a_client_with_no_program_sees_a_calm_explanation(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _, (client,) = people(make_user, "Europe/London")
    c = login_as(app, client)
    page = c.get("/home").get_data(as_text=True)
    assert "Your program has not started yet" in page
    assert "nothing you need to do" in page
    assert "Your lessons will appear here" in c.get("/lessons").get_data(as_text=True)


def test_home_answers_what_to_do_now(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    enrol(app, client, therapist, start=START)
    journal = _homework(app, client.id, "journal")
    with app.app_context():
        for _ in range(2):
            db.session.add(Entry(client_id=client.id, kind="journal", data={},
                                 homework_id=journal.id))
        db.session.add(Entry(client_id=client.id, kind="journal", data={},
                             homework_id=journal.id, deleted_at=datetime(2026, 3, 2, 10)))
        db.session.add(MoodCheckin(client_id=client.id, day=START, mood=5))
        db.session.commit()
    page = login_as(app, client).get("/home").get_data(as_text=True)
    assert "Getting started" in page and "Lesson 1 of 8" in page
    assert "2 of 3 journal entries" in page, "a deleted entry does not count"
    assert "That counts" in page
    assert "1 of 5 mood check-ins" in page
    assert "By the end of Sunday 8 March" in page
    assert "Your next lesson opens on Monday 9 March." in page
    assert f"homework={journal.id}" in page


def test_lessons_page_says_when_locked_lessons_open_in_local_time(  # type: ignore[no-untyped-def]
        app: Flask, make_user, clock) -> None:
    therapist, (akl,) = people(make_user, "Pacific/Auckland")
    clock.set(datetime(2026, 3, 8, 12, 0))  # already Monday 9 March, 01:00 in Auckland
    enrol(app, akl, therapist, start=date(2026, 3, 2))
    c = login_as(app, akl)
    page = c.get("/lessons").get_data(as_text=True)
    assert '/lessons/cbt-low-mood/2">How thoughts, feelings and actions connect</a>' in page
    assert "Opens on Monday 16 March" in page  # lesson 3
    locked = c.get("/lessons/cbt-low-mood/3")
    assert locked.status_code == 200
    assert "not open yet" in locked.get_data(as_text=True)
    assert c.get("/lessons/cbt-low-mood/99").status_code == 404
    assert c.get("/lessons/no-such-program/1").status_code == 404
    assert c.get("/lessons/..%2Fetc/1").status_code == 404


def test_reading_a_lesson_records_it_and_embeds_its_worksheets(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    enrol(app, client, therapist, start=START)
    journal = _homework(app, client.id, "journal")
    c = login_as(app, client)
    page = c.get("/lessons/cbt-low-mood/1").get_data(as_text=True)
    assert "<h1>Getting started</h1>" in page
    assert "Open the worksheet" in page and f"homework={journal.id}" in page
    assert "Mark as done" in page
    with app.app_context():
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.client_id == client.id))
        assert row.opened_at is not None and row.completed_at is None
        assert db.session.scalar(select(LessonSnapshot).where(LessonSnapshot.week == 1))
    resp = c.post("/lessons/cbt-low-mood/1/done", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.client_id == client.id))
        assert row.completed_at is not None
    assert "You marked this lesson as done" in c.get("/lessons/cbt-low-mood/1").get_data(
        as_text=True)


def test_talk_note(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _, (client,) = people(make_user, "Europe/London")
    c = login_as(app, client)
    token = csrf_from(c.get("/home").get_data(as_text=True))
    c.post("/home/talk-note", data={"csrf_token": token, "note": "Sleep, and my sister."})
    with app.app_context():
        assert db.session.get(User, client.id).talk_note == "Sleep, and my sister."
    too_long = c.post("/home/talk-note", data={"csrf_token": token, "note": "x" * 2001})
    assert too_long.status_code == 200 and "x" * 2001 in too_long.get_data(as_text=True)


def test_settings_keep_what_was_typed_and_save(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from icbt.messaging import notify

    _, (client,) = people(make_user, "Europe/London")
    c = login_as(app, client)
    page = c.get("/settings").get_data(as_text=True)
    assert 'value="Europe/London"' in page
    token = csrf_from(page)
    bad = c.post("/settings", data={"csrf_token": token, "timezone": "Mars/Olympus",
                                    "quiet": "y", "quiet_start": "22", "quiet_end": "7",
                                    "lesson": "y"})
    assert "We do not know that time zone" in bad.get_data(as_text=True)
    assert 'value="Mars/Olympus"' in bad.get_data(as_text=True)
    c.post("/settings", data={"csrf_token": token, "timezone": "America/Toronto",
                              "quiet": "y", "quiet_start": "21", "quiet_end": "9",
                              "lesson": "y"})
    with app.app_context():
        user = db.session.get(User, client.id)
        assert user.timezone == "America/Toronto"
        assert notify.quiet_hours(user) == (21, 9)
        assert notify.reminder_on(user, "lesson")
        assert not notify.reminder_on(user, "homework")
        assert not notify.reminder_on(user, "checkin")


def test_therapist_runs_the_program_from_the_overview(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    t = login_as(app, therapist)
    base = f"/staff/clients/{client.id}/program"
    form = t.get(base + "/enrol").get_data(as_text=True)
    assert "CBT for low mood and anxiety" in form
    t.post(base + "/enrol", data={"csrf_token": csrf_from(form), "program": "cbt-low-mood",
                                  "start_date": "2026-03-02", "pace_days": "7"})
    assert sorted(opened(app, client.id)) == [1]
    overview = t.get(f"/staff/clients/{client.id}").get_data(as_text=True)
    assert "Getting started" in overview and "Open the next lesson now" in overview
    token = csrf_from(overview)
    t.post(base + "/unlock", data={"csrf_token": token})
    assert sorted(opened(app, client.id)) == [1, 2]
    t.post(base + "/pause", data={"csrf_token": token})
    assert "Paused" in t.get(f"/staff/clients/{client.id}").get_data(as_text=True)
    t.post(base + "/resume", data={"csrf_token": token})
    hw_page = t.get(base + "/homework").get_data(as_text=True)
    t.post(base + "/homework", data={"csrf_token": csrf_from(hw_page), "worksheet":
                                     "thought_record", "times": "2", "instruction":
                                     "Two thought records about work.", "due": "2026-03-05"})
    with app.app_context():
        extra = db.session.scalar(select(Homework).where(Homework.created_by == therapist.id))
        assert extra.worksheet == "thought_record" and extra.times == 2
        assert extra.due_at == datetime(2026, 3, 6, 0, 0)  # by the end of 5 March, London
    past = t.post(base + "/homework", data={"csrf_token": token, "worksheet": "journal",
                                            "times": "1", "due": "2026-03-01"})
    assert "Choose a due date from today onwards" in past.get_data(as_text=True)
    t.post(base + "/feedback", data={"csrf_token": token, "week": "1",
                                     "note": "Lovely start, well done."})
    with app.app_context():
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.client_id == client.id, LessonProgress.week == 1))
        assert row.feedback_at is not None
        assert db.session.scalar(select(Message.body).where(Message.client_id == client.id)) \
            == "Lovely start, well done."
