"""Jobs and reminders for real: SMTP on loopback, two scheduler processes, the lock, quiet
hours, unsubscribe, the completion and feedback gates, and the scheduler itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import smtp_helpers
from conftest import csrf_from, login_as
from flask import Flask
from lessons_helpers import enrol, opened, outbox, people, run_jobs
from smtp_helpers import free_port
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import LessonProgress
from icbt.models.people import User
from icbt.models.records import JobRun

START = date(2026, 3, 2)
LA = "America/Los_Angeles"
TESTS = Path(__file__).parents[1]

smtp = smtp_helpers.smtp  # the loopback SMTP server fixture


def test_reminders_go_through_a_real_smtp_server(app: Flask, make_user, clock, smtp) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    therapist, (client,) = people(make_user, LA)
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=START)
    run_jobs(app, datetime(2026, 3, 3, 3, 0))  # 19:00 on 2 March in Los Angeles
    got = {m["Subject"]: m for m in smtp.messages}
    assert set(got) == {"Your next lesson is ready", "How are you today?"}
    for msg in got.values():
        assert msg["To"] == client.email
        body = msg.get_content()
        assert body.startswith("Hello Client0,")
        assert "http://127.0.0.1:5000/home" in body
        assert f"/unsubscribe/{client.unsubscribe_token}" in body
        # No therapy content and nothing personal beyond the first name.
        for word in ("Person", "CBT", "Getting started", "mood", "anxiety", "cbt-low-mood"):
            assert word not in body and word not in msg["Subject"]
    assert all(m.status == "sent" for m in outbox(app))


def test_smtp_failures_are_retried_with_backoff(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens there
    therapist, (client,) = people(make_user, "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=START)
    run_jobs(app, clock.now)
    (msg,) = outbox(app, kind="lesson_ready")
    assert msg.status == "queued" and msg.attempts == 1
    assert msg.next_attempt_at == clock.now + timedelta(minutes=1)


def _worker(tmp: Path, db_url: str, n: int, now: datetime, port: int, lock: bool) -> Any:
    args = {"db": db_url, "instance": str(tmp / f"inst{n}"), "outbox": str(tmp / "outbox"),
            "now": now.isoformat(), "smtp_port": port, "lock": lock, "go": str(tmp / "go"),
            "finish": str(tmp / "finish"), "result": str(tmp / f"result{n}.json")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICBT_")}
    env["PYTHONPATH"] = str(TESTS)
    return subprocess.Popen([sys.executable, str(TESTS / "lessons_worker.py"), json.dumps(args)],
                            env=env, cwd=str(TESTS.parent), stderr=subprocess.PIPE)


@pytest.mark.parametrize("lock", [False, True], ids=["no-lock", "lock"])
def test_two_scheduler_processes_send_each_email_once(  # type: ignore[no-untyped-def]
        app: Flask, make_user, clock, smtp, tmp_path: Path, database_url: str, lock: bool) -> None:
    therapist, clients = people(make_user, *[LA] * 5)
    clock.set(datetime(2026, 3, 2, 9, 0))
    for c in clients:
        enrol(app, c, therapist, start=START)
    with app.app_context():
        db.session.remove()
    now = datetime(2026, 3, 3, 3, 0)
    procs = [_worker(tmp_path, database_url, n, now, smtp.port, lock) for n in (1, 2)]
    results = []
    try:
        time.sleep(1.0)  # let both start and load before they race
        (tmp_path / "go").write_text("go")
        for n in (1, 2):
            path = tmp_path / f"result{n}.json"
            deadline = time.monotonic() + 90
            while not path.exists():
                assert procs[n - 1].poll() is None, procs[n - 1].stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "worker did not finish"
                time.sleep(0.05)
            time.sleep(0.05)
            results.append(json.loads(path.read_text()))
    finally:
        (tmp_path / "finish").write_text("done")
        for p in procs:
            p.wait(timeout=60)
            p.stderr.close()
    # Five lesson emails and five check-in reminders, each delivered exactly once.
    sent = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert len(sent) == 10 and len(set(sent)) == 10
    assert all(m.status == "sent" for m in outbox(app))
    if lock:
        assert sorted(r["acted"] for r in results) == [False, True], "only one scheduler acts"
    else:
        assert all(r["acted"] for r in results)


def test_only_one_scheduler_holds_the_lock(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.jobs.lock import Guard

    with app.app_context():
        first, second = Guard(), Guard()
        assert first.acquire() and not second.acquire()
        assert first.acquire(), "the holder renews its lock"
        if db.engine.dialect.name == "sqlite":
            clock.advance(minutes=2)
            assert first.acquire() and not second.acquire(), "renewed, so still held"
            clock.advance(minutes=4)  # the holder died: its lease runs out
            assert second.acquire() and not first.acquire()
            second.release()
        else:
            first.release()
            assert second.acquire()
            second.release()
        assert first.acquire()
        first.release()


def test_unsubscribe_link_works_without_signing_in(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.jobs import scheduler

    therapist, (client,) = people(make_user, LA)
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=START)
    now = datetime(2026, 3, 3, 3, 0)
    with app.app_context():
        scheduler.run_job("reminders", now)  # queued, not yet sent
    (reminder,) = outbox(app, kind="remind_checkin")
    path = reminder.body.split("To stop these emails: ")[1].strip().replace(
        "http://127.0.0.1:5000", "")
    anon = app.test_client()
    page = anon.get(path)
    assert page.status_code == 200 and "Stop reminder emails" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, client.id).prefs.get("reminders") is None, "GET changes nothing"
    done = anon.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert "We will not send you reminder emails any more" in done.get_data(as_text=True)
    assert anon.get("/unsubscribe/not-a-real-token").status_code == 404
    with app.app_context():
        scheduler.run_job("outbox", now)
    assert [m.status for m in outbox(app, kind="remind_checkin")] == ["cancelled"]
    run_jobs(app, datetime(2026, 3, 4, 3, 0))
    assert len(outbox(app, kind="remind_checkin")) == 1, "no reminders after unsubscribing"
    run_jobs(app, datetime(2026, 3, 9, 20, 0))
    assert len(outbox(app, kind="lesson_ready")) == 1, "nor lesson emails"


def test_quiet_hours_hold_emails_back(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    with app.app_context():
        user = db.session.get(User, client.id)
        user.prefs = {"quiet_hours": [17, 23]}
        db.session.commit()
    clock.set(datetime(2026, 3, 1, 12, 0))
    enrol(app, client, therapist, start=START)
    for hour in range(0, 24):
        clock.set(datetime(2026, 3, 2, hour, 30))
        run_jobs(app, clock.now)
    (ready,) = outbox(app, kind="lesson_ready")
    assert ready.sent_at.hour == 0, "midnight is outside 17:00-23:00, so it goes at once"
    (reminder,) = outbox(app, kind="remind_checkin")
    assert reminder.created_at == datetime(2026, 3, 2, 23, 30), "18:00 was quiet: sent at 23:00"


def test_a_reminder_is_not_sent_when_the_task_is_done(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.models.care import MoodCheckin

    therapist, (client,) = people(make_user, "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=START)
    with app.app_context():
        db.session.add(MoodCheckin(client_id=client.id, day=START, mood=4))
        db.session.commit()
    run_jobs(app, datetime(2026, 3, 2, 18, 5))
    assert outbox(app, kind="remind_checkin") == []
    run_jobs(app, datetime(2026, 3, 3, 18, 5))
    assert len(outbox(app, kind="remind_checkin")) == 1


def test_completion_gate_with_a_minimum_gap(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, "dbt-emotion-regulation", start=START)
    clock.set(datetime(2026, 3, 4, 10, 0))
    c = login_as(app, client)
    page = c.get("/lessons/dbt-emotion-regulation/1").get_data(as_text=True)
    c.post("/lessons/dbt-emotion-regulation/1/done", data={"csrf_token": csrf_from(page)})
    run_jobs(app, datetime(2026, 3, 8, 23, 59))
    assert sorted(opened(app, client.id)) == [1], "done, but seven days have not passed"
    run_jobs(app, datetime(2026, 3, 9, 0, 10))
    assert opened(app, client.id)[2] == datetime(2026, 3, 9, 0, 0)
    run_jobs(app, datetime(2026, 3, 20, 9, 0))
    assert sorted(opened(app, client.id)) == [1, 2], "lesson 2 is not done yet"
    clock.set(datetime(2026, 3, 20, 10, 0))
    c = login_as(app, client)
    page = c.get("/lessons/dbt-emotion-regulation/2").get_data(as_text=True)
    c.post("/lessons/dbt-emotion-regulation/2/done", data={"csrf_token": csrf_from(page)})
    assert opened(app, client.id)[3] == datetime(2026, 3, 20, 10, 0), "opens at once"


def test_feedback_gate(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, "ipt-relationships", start=START)
    c = login_as(app, client)
    page = c.get("/lessons/ipt-relationships/1").get_data(as_text=True)
    c.post("/lessons/ipt-relationships/1/done", data={"csrf_token": csrf_from(page)})
    run_jobs(app, datetime(2026, 3, 10, 9, 0))
    assert sorted(opened(app, client.id)) == [1], "done is not enough: it waits for feedback"
    clock.set(datetime(2026, 3, 10, 9, 30))
    t = login_as(app, therapist)
    token = csrf_from(t.get(f"/staff/clients/{client.id}").get_data(as_text=True))
    t.post(f"/staff/clients/{client.id}/program/feedback", data={"csrf_token": token,
                                                                 "week": "1", "note": ""})
    assert opened(app, client.id)[2] == datetime(2026, 3, 10, 9, 30)
    clock.set(datetime(2026, 3, 11, 9, 0))
    t = login_as(app, therapist)
    token = csrf_from(t.get(f"/staff/clients/{client.id}").get_data(as_text=True))
    t.post(f"/staff/clients/{client.id}/program/feedback", data={"csrf_token": token,
                                                                 "week": "2", "note": ""})
    run_jobs(app, datetime(2026, 3, 16, 23, 0))
    assert 3 not in opened(app, client.id), "feedback came early: the minimum gap still holds"
    run_jobs(app, datetime(2026, 3, 17, 0, 0))
    assert opened(app, client.id)[3] == datetime(2026, 3, 17, 0, 0)


def test_the_scheduler_is_built_to_run_one_job_at_a_time(app: Flask) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from icbt.jobs.scheduler import build_scheduler

    sched = build_scheduler(app)
    assert isinstance(sched, BlockingScheduler)
    found = {j.id: j for j in sched.get_jobs()}
    from icbt.jobs.scheduler import JOBS

    assert set(found) == set(JOBS) | {"catch-up"}
    for job in found.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 3600


def test_background_scheduler_catches_up_at_start(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    from icbt.jobs.scheduler import start_background_scheduler

    therapist, (client,) = people(make_user, "Europe/London")
    clock.set(datetime(2026, 3, 2, 9, 0))
    enrol(app, client, therapist, start=date(2026, 2, 23))
    with app.app_context():
        db.session.execute(db.delete(LessonProgress).where(LessonProgress.week == 2))
        db.session.commit()
        # Like `icbt demo`: the command's own context has just read something (on SQLite that
        # holds the write lock), then starts the scheduler and goes on serving.
        db.session.get(User, client.id)
        sched = start_background_scheduler(app)
        try:
            deadline = time.monotonic() + 10
            while 2 not in opened(app, client.id):
                assert time.monotonic() < deadline, "the catch-up run did not happen"
                time.sleep(0.1)
        finally:
            sched.shutdown(wait=True)
    with app.app_context():
        assert db.session.scalar(select(JobRun.runs).where(JobRun.name == "unlock")) >= 1


def test_scheduler_once_command(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    first = runner.invoke(args=["scheduler", "--once"])
    from icbt.jobs.scheduler import ORDER

    assert f"Ran: {', '.join(ORDER)}." in first.output
    again = runner.invoke(args=["scheduler", "--once"])
    assert "nothing was due" in again.output
