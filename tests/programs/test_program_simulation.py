"""An eight-week program driven by the injected clock: unlocks, reminders, pausing, downtime."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from lessons_helpers import enrol, opened, outbox, people, run_jobs
from sqlalchemy import select

from icbt.db import db
from icbt.jobs import scheduler
from icbt.models.care import Entry, Homework, MoodCheckin
from icbt.models.people import User
from icbt.models.records import JobRun

AKL, LA = "Pacific/Auckland", "America/Los_Angeles"
START = date(2026, 3, 2)  # a Monday
# The scheduler ticks every few minutes; two hours is enough to see every rule (reminders go
# out in the four hours between 18:00 and quiet hours, so each gets two chances to repeat).
TICK = timedelta(hours=2)


def midnight(day: date, tz: str) -> datetime:
    """Local midnight of a day as naive UTC (computed here, independently of icbt.timeutil)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(UTC) \
        .replace(tzinfo=None)


def local(at: datetime, tz: str) -> datetime:
    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def checkin(app: Flask, client_id: int, day: date) -> None:
    with app.app_context():
        if db.session.scalar(select(MoodCheckin.id).where(MoodCheckin.client_id == client_id,
                                                          MoodCheckin.day == day)) is None:
            db.session.add(MoodCheckin(client_id=client_id, day=day, mood=6))
            db.session.commit()


def do_homework(app: Flask, client_id: int, week: int, worksheet: str) -> None:
    with app.app_context():
        hw = db.session.scalar(select(Homework).where(Homework.client_id == client_id,
                                                      Homework.week == week,
                                                      Homework.worksheet == worksheet))
        assert hw is not None
        for _ in range(hw.times):
            db.session.add(Entry(client_id=client_id, kind=worksheet, data={}, homework_id=hw.id))
        db.session.commit()


def reminder_days(msgs: list, tz: str) -> list[date]:
    return sorted(local(m.created_at, tz).date() for m in msgs)


def test_eight_weeks_in_two_time_zones(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    therapist, (akl, la) = people(make_user, AKL, LA)
    clock.set(datetime(2026, 3, 1, 0, 0))
    enrol(app, akl, therapist, start=START)
    enrol(app, la, therapist, start=START)
    week3_akl = {START + timedelta(days=14 + i) for i in range(7)}
    seen: dict[int, dict[int, datetime]] = {akl.id: {}, la.id: {}}
    end = datetime(2026, 4, 28, 0, 0)
    t = clock.now
    while t < end:
        t += TICK
        clock.set(t)
        # Auckland checks in at noon on Mondays and every day of week 3, and does week 3's
        # worksheets on its first day; Los Angeles never does anything.
        noon = local(t, AKL)
        if noon.hour in (12, 13) and (noon.date() in week3_akl or noon.date().weekday() == 0):
            checkin(app, akl.id, noon.date())
        if noon.hour in (12, 13) and noon.date() == START + timedelta(days=14):
            do_homework(app, akl.id, 3, "activity_monitoring")
        run_jobs(app, t)
        for person in (akl, la):
            for week, at in opened(app, person.id).items():
                if week not in seen[person.id]:
                    seen[person.id][week] = t
                    # Opened at the start of the client's own day, and noticed at the next tick.
                    want = midnight(START + timedelta(days=7 * (week - 1)), person.timezone)
                    assert at == want, (person.timezone, week, at, want)
                    assert timedelta(0) <= t - want < TICK
    assert sorted(seen[akl.id]) == sorted(seen[la.id]) == list(range(1, 9))
    # The same calendar day opens 21 hours earlier in Auckland than in Los Angeles.
    assert opened(app, la.id)[1] - opened(app, akl.id)[1] == timedelta(hours=21)

    for person in (akl, la):
        ready = outbox(app, kind="lesson_ready", user_id=person.id)
        assert len(ready) == 8 and all(m.status == "sent" for m in ready)
        # Lessons open at midnight, in quiet hours: the email waits until 08:00 local.
        assert {local(m.sent_at, person.timezone).hour for m in ready} <= {8, 9}

    # One check-in reminder per local day without a check-in, at 18:00 local, never twice.
    last_la, last_akl = date(2026, 4, 26), date(2026, 4, 27)
    la_days = reminder_days(outbox(app, kind="remind_checkin", user_id=la.id), LA)
    assert la_days == [START + timedelta(days=i) for i in range((last_la - START).days + 1)]
    with app.app_context():
        done = set(db.session.scalars(select(MoodCheckin.day).where(
            MoodCheckin.client_id == akl.id)))
    akl_days = reminder_days(outbox(app, kind="remind_checkin", user_id=akl.id), AKL)
    assert akl_days == [START + timedelta(days=i) for i in range((last_akl - START).days + 1)
                        if START + timedelta(days=i) not in done]
    assert len(done) >= 13
    for m in outbox(app, kind="remind_checkin"):
        tz = AKL if m.user_id == akl.id else LA
        assert local(m.created_at, tz).hour in (18, 19)

    # "Due tomorrow": the Saturday before each lesson; none in Auckland's finished week 3.
    saturdays = [START + timedelta(days=7 * n + 5) for n in range(8)]
    assert reminder_days(outbox(app, kind="remind_homework", user_id=la.id), LA) == saturdays
    assert reminder_days(outbox(app, kind="remind_homework", user_id=akl.id), AKL) == [
        d for d in saturdays if d != date(2026, 3, 21)]

    # Every message went out exactly once: one file each in the outbox folder.
    msgs = outbox(app)
    assert all(m.status == "sent" for m in msgs)
    files = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == len(msgs)
    assert max(Counter(m.dedupe_key for m in msgs).values()) == 1


def test_pausing_stops_unlocks_and_reminders_and_shifts_the_schedule(  # type: ignore[no-untyped-def]
        app: Flask, make_user, clock) -> None:
    from icbt.programs import controls, enrolment

    therapist, (la,) = people(make_user, LA)
    clock.set(datetime(2026, 3, 2, 0, 0))
    eid = enrol(app, la, therapist, start=START)
    t = clock.now
    paused_at = datetime(2026, 3, 10, 20, 0)  # 13:00 in Los Angeles, on 10 March
    while t < paused_at:
        t += timedelta(hours=3)
        clock.set(t)
        run_jobs(app, t)
    assert sorted(opened(app, la.id)) == [1, 2]
    with app.app_context():
        e = db.session.get(enrolment.Enrolment, eid)
        controls.pause(e, actor=db.session.get(User, therapist.id))
    before = len(outbox(app))
    resume_at = datetime(2026, 3, 20, 20, 0)  # ten local days later
    while t < resume_at:
        t += timedelta(hours=3)
        clock.set(t)
        run_jobs(app, t)
    assert sorted(opened(app, la.id)) == [1, 2], "nothing opens while paused"
    assert len(outbox(app)) == before, "no emails while paused"
    with app.app_context():
        e = db.session.get(enrolment.Enrolment, eid)
        assert controls.resume(e, actor=db.session.get(User, therapist.id)) == 10
        hw2 = db.session.scalar(select(Homework).where(Homework.client_id == la.id,
                                                       Homework.week == 2))
        assert hw2.due_at == midnight(date(2026, 3, 26), LA), "homework moves with the pause"
    while t < datetime(2026, 3, 27, 12, 0):
        t += timedelta(hours=3)
        clock.set(t)
        run_jobs(app, t)
    # Lesson 3 was due on 16 March; ten paused days move it to 26 March.
    assert opened(app, la.id)[3] == midnight(date(2026, 3, 26), LA)
    days = reminder_days(outbox(app, kind="remind_checkin", user_id=la.id), LA)
    assert date(2026, 3, 10) not in days and date(2026, 3, 19) not in days
    assert date(2026, 3, 9) in days and date(2026, 3, 20) in days


def test_a_scheduler_down_for_three_days_catches_up_in_one_run(  # type: ignore[no-untyped-def]
        app: Flask, make_user, clock, monkeypatch) -> None:
    from icbt.review import flags

    calls: list[datetime | None] = []
    monkeypatch.setattr(flags, "recompute_all", lambda now=None: calls.append(now) or 0)
    therapist, (la,) = people(make_user, LA)
    clock.set(datetime(2026, 3, 7, 12, 0))
    enrol(app, la, therapist, start=START)
    first = run_jobs(app, clock.now)
    assert set(first) == set(scheduler.JOBS)
    assert run_jobs(app, clock.now) == {}, "nothing is due twice at the same moment"
    calls.clear()
    # Down from Saturday noon to Tuesday noon: lesson 2 (Monday) and three nights missed.
    clock.set(datetime(2026, 3, 10, 12, 0))
    ran = run_jobs(app, clock.now)
    assert set(ran) == set(scheduler.JOBS)
    assert len(calls) == 1, "the nightly job runs once, not once per missed night"
    assert opened(app, la.id)[2] == midnight(date(2026, 3, 9), LA)
    ready = outbox(app, kind="lesson_ready")
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in ready] == ["1", "2"]
    # Reminders for the missed evenings are not sent late.
    assert outbox(app, kind="remind_checkin") == []
    with app.app_context():
        runs = {r.name: r.runs for r in db.session.scalars(select(JobRun))}
    assert runs == {name: 2 for name in scheduler.JOBS}
    assert run_jobs(app, clock.now) == {}
