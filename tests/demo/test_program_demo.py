"""The program demo history: three programs at different weeks, progress, homework, a stall."""

from __future__ import annotations

from conftest import login_as
from sqlalchemy import select

from icbt.db import db
from icbt.demo import program
from icbt.models.care import Enrolment, Entry, Homework, LessonProgress
from icbt.models.people import User
from icbt.models.records import OutboxMessage


def test_demo_history(app, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    made = [make_user("client", therapist=therapist) for _ in range(12)]
    with app.app_context():
        clients = [db.session.get(User, c.id) for c in made]
        program.demo_history({}, clients)
        program.demo_history({}, clients)  # a second run adds nothing
        enrolments = {e.client_id: e for e in db.session.scalars(select(Enrolment))}
        assert len(enrolments) == len(program.PLANS)
        assert {e.program_slug for e in enrolments.values()} == {
            "cbt-low-mood", "dbt-emotion-regulation", "ipt-relationships"}
        weeks = {}
        for i, (_slug, _weeks, kind) in enumerate(program.PLANS):
            rows = db.session.scalars(select(LessonProgress).where(
                LessonProgress.client_id == clients[i].id).order_by(LessonProgress.week)).all()
            weeks[i] = len(rows)
            if kind == "stalled":
                assert [r.week for r in rows if r.opened_at] == [1, 2]
                assert len(rows) == 6, "a schedule program keeps opening lessons"
            elif kind == "engaged":
                assert all(r.completed_at for r in rows[:-1])
        # Gated programs open a lesson a week when the client keeps up; different weeks overall.
        assert len(set(weeks.values())) >= 4
        assert db.session.scalar(select(db.func.count(Homework.id))) > 30
        assert db.session.scalar(select(db.func.count(Entry.id)).where(
            Entry.homework_id.is_not(None))) > 5
        assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 0, "no demo emails"
    page = login_as(app, made[0]).get("/home").get_data(as_text=True)
    assert "Lesson 5 of 8" in page
    assert "of 3 thought records" in page and "of 5 mood check-ins" in page
