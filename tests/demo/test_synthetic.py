"""The synthetic clinic (`icbt demo --clients N ...`): plausible, consistent, deterministic."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import Clock, csrf_from
from sqlalchemy import func, select, text

from icbt import create_app
from icbt.db import db
from icbt.demo import synthetic
from icbt.demo.people import DEMO_PASSWORD
from icbt.jobs import scheduler
from icbt.models.care import Enrolment, Entry, LessonProgress, MeasureResponse
from icbt.models.flags import Flag
from icbt.models.people import User


def test_a_small_clinic_is_plausible_and_consistent(app, clock) -> None:
    with app.app_context():
        result = synthetic.build(60, 3, 70, seed=5)
        counts = result["counts"]
        assert counts["user"] == 60 + 3 + 2
        assert counts["mood_checkin"] > 60 * 70 * 0.5  # daily, with gaps
        assert counts["entry"] > 0 and counts["message"] > 0
        # Every program, at different weeks; some moved on to a second program.
        weeks = db.session.execute(
            select(Enrolment.program_slug, func.max(LessonProgress.week))
            .join(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
            .where(Enrolment.status == "active").group_by(Enrolment.id)).all()
        assert {slug for slug, _w in weeks} == {"cbt-low-mood", "dbt-emotion-regulation",
                                                "ipt-relationships"}
        assert len({w for _s, w in weeks}) >= 4
        assert db.session.scalar(select(func.count()).where(Enrolment.status == "ended")) > 0
        statuses = set(db.session.scalars(select(User.status).where(User.role == "client")))
        assert {"active", "discharged"} <= statuses
        # Questionnaires weekly; entries count towards homework.
        per_client = db.session.scalar(select(func.count()).select_from(MeasureResponse)) / 60
        assert per_client > 10
        assert db.session.scalar(select(func.count()).where(Entry.homework_id.is_not(None))) > 0
        # The flags the rules raise: the clinic has people who need a look, and most who do not.
        kinds = dict(db.session.execute(select(Flag.kind, func.count()).where(
            Flag.closed_at.is_(None)).group_by(Flag.kind)).all())
        assert kinds.get("stalled", 0) > 0 and kinds.get("deteriorating", 0) > 0
        assert sum(kinds.values()) < 60 * 2
        # Lessons were opened by the app's own rules: the unlock job finds nothing to do.
        assert scheduler.unlock_lessons(clock.now) == 0


def test_the_synthetic_pages_work(app, clock) -> None:
    with app.app_context():
        synthetic.build(12, 2, 40, seed=3)
        client = db.session.scalar(select(User).join(Enrolment, Enrolment.client_id == User.id)
                                   .where(Enrolment.status == "active").order_by(User.id))
        therapist = db.session.get(User, client.therapist_id)
        emails = client.email, therapist.email
    for email, pages in ((emails[0], ("/home", "/lessons", "/worksheets/", "/mood/", "/messages")),
                         (emails[1], ("/staff/queue", "/staff/clients"))):
        web = app.test_client()
        page = web.get("/login").get_data(as_text=True)
        web.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                 "csrf_token": csrf_from(page)})
        for url in pages:
            assert web.get(url).status_code == 200, url


def _fingerprint(tmp: Path, name: str, clock: Clock) -> str:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / name}.db",
                      "INSTANCE_PATH": str(tmp / name), "SECRET_KEY": "x" * 40, "CLOCK": clock,
                      "PASSWORD_HASH_CHEAP": True})
    with app.app_context():
        from icbt.extensions import upgrade_db

        upgrade_db()
        synthetic.build(25, 2, 30, seed=11, recompute=False)
        digest = hashlib.sha256()
        for table in ("mood_checkin", "entry", "measure_response", "lesson_progress", "message"):
            for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id")):  # noqa: S608
                digest.update(repr(tuple(row)).encode())
        db.session.remove()
        db.engine.dispose()
    return digest.hexdigest()


def test_the_same_seed_builds_the_same_clinic(tmp_path, clock) -> None:
    assert _fingerprint(tmp_path, "a", clock) == _fingerprint(tmp_path, "b", clock)


def test_the_command_refuses_a_database_that_has_a_clinic(runner) -> None:
    first = runner.invoke(args=["demo", "--clients", "5", "--therapists", "1", "--days", "14",
                                "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "mood_checkin" in first.output
    again = runner.invoke(args=["demo", "--clients", "5", "--no-serve"])
    assert again.exit_code == 1
    said = [line for line in again.output.splitlines() if not line.startswith("INFO  [alembic")]
    assert said == ["This database already has a clinic; use an empty one."]
