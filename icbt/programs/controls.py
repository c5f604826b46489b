"""The therapist's controls over a client's program: open the next lesson early, pause,
resume, move to another program, give feedback on a week, add homework. Each is audited."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from icbt import audit
from icbt.db import db
from icbt.messaging import messages
from icbt.models.care import Enrolment, Homework, LessonProgress
from icbt.models.people import User
from icbt.programs.enrolment import (
    ProgramError,
    after_write,
    check_actor,
    current_enrolment,
    enrol,
    get_program,
    open_lesson,
    plan_for,
    progress_rows,
    sync,
)
from icbt.programs.pacing import expected_next_at
from icbt.timeutil import local_midnight_utc, local_today, to_local, utcnow


def unlock_next(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> int | None:
    """Open the next lesson now, ahead of its rule; return its week (None at the end)."""
    now = now or utcnow()
    client = db.session.get(User, enrolment.client_id)
    program = get_program(enrolment.program_slug)
    assert client is not None
    check_actor(actor, client)
    if enrolment.status == "ended" or program is None:
        raise ProgramError(_("This program has ended."))
    sync(enrolment, now, commit=False)
    plan = plan_for(enrolment, program, client.timezone)
    week = (plan.opened[-1].week if plan.opened else 0) + 1
    if program.lesson(week) is None:
        raise ProgramError(_("Every lesson is already open."))
    if not open_lesson(enrolment, client, program, plan, week, now, now, True):
        return None
    enrolment.extra_unlocked += 1
    audit.record("change", actor_id=actor.id, client_id=client.id, target="unlock",
                 detail=f"week {week}")
    after_write(client.id, enrolment, [week])
    return week


def pause(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> None:
    """Pause a program: nothing opens and no reminders go out until it resumes."""
    client = db.session.get(User, enrolment.client_id)
    assert client is not None
    check_actor(actor, client)
    if enrolment.status != "active":
        raise ProgramError(_("Only an active program can be paused."))
    opened = sync(enrolment, now, commit=False)  # what was due before the pause still opens
    enrolment.status = "paused"
    enrolment.paused_at = now or utcnow()
    audit.record("change", actor_id=actor.id, client_id=client.id, target="pause")
    after_write(client.id, enrolment, opened)


def resume(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> int:
    """Resume a paused program; the rest of the schedule moves by the paused days."""
    now = now or utcnow()
    client = db.session.get(User, enrolment.client_id)
    assert client is not None
    check_actor(actor, client)
    if enrolment.status != "paused" or enrolment.paused_at is None:
        raise ProgramError(_("This program is not paused."))
    tz = client.timezone
    days = (local_today(tz, now) - to_local(enrolment.paused_at, tz).date()).days
    days = max(days, 0)
    if days:
        shift = timedelta(days=days)
        for hw in db.session.scalars(select(Homework).where(
                Homework.enrolment_id == enrolment.id, Homework.due_at > enrolment.paused_at)):
            hw.due_at = hw.due_at + shift if hw.due_at else None
    enrolment.paused_days += days
    enrolment.status = "active"
    enrolment.paused_at = None
    audit.record("change", actor_id=actor.id, client_id=client.id, target="resume",
                 detail=f"{days} days")
    opened = sync(enrolment, now, commit=False)
    after_write(client.id, enrolment, opened)
    return days


def move(enrolment: Enrolment, program_slug: str, *, actor: User, start_date: date | None = None,
         pace_days: int = 7, now: datetime | None = None) -> Enrolment:
    """End this enrolment (its history stays) and enrol the client in another program."""
    client = db.session.get(User, enrolment.client_id)
    assert client is not None
    check_actor(actor, client)
    if get_program(program_slug) is None:
        raise ProgramError(_("There is no program with that name."))
    if enrolment.status == "ended":
        raise ProgramError(_("This program has already ended."))
    enrolment.status = "ended"
    enrolment.ended_at = now or utcnow()
    audit.record("change", actor_id=actor.id, client_id=client.id, target="enrolment end",
                 detail=enrolment.program_slug)
    db.session.flush()
    return enrol(client, program_slug, actor=actor, start_date=start_date, pace_days=pace_days,
                 now=now)


def give_feedback(row: LessonProgress, *, actor: User, note: str = "",
                  now: datetime | None = None) -> list[int]:
    """Record the therapist's feedback on a week's homework (the feedback gate); a note is sent
    to the client as a message."""
    now = now or utcnow()
    client = db.session.get(User, row.client_id)
    assert client is not None
    check_actor(actor, client)
    if row.feedback_at is None:
        row.feedback_at = now
    audit.record("change", actor_id=actor.id, client_id=client.id, target="feedback",
                 detail=f"week {row.week}")
    if note.strip():
        try:
            messages.send(client, actor, note, now=now)
        except messages.MessageError as exc:
            raise ProgramError(str(exc)) from None
    enrolment = db.session.get(Enrolment, row.enrolment_id)
    opened = sync(enrolment, now, commit=False) if enrolment else []
    after_write(client.id, enrolment, opened)
    return opened


def add_homework(client: User, *, actor: User, worksheet: str, times: int = 1,
                 instruction: str = "", due: date | None = None,
                 now: datetime | None = None) -> Homework:
    """Give one client extra homework; due by the end of `due` or before the next lesson."""
    now = now or utcnow()
    check_actor(actor, client)
    if not 1 <= times <= 31:
        raise ProgramError(_("Choose between 1 and 31 times."))
    enrolment = current_enrolment(client.id)
    due_at = local_midnight_utc(due + timedelta(days=1), client.timezone) if due else None
    week = None
    if enrolment is not None:
        rows = progress_rows(enrolment.id)
        week = rows[-1].week if rows else None
        if due_at is None and rows:
            program = get_program(enrolment.program_slug)
            if program is not None:
                plan = plan_for(enrolment, program, client.timezone, rows)
                due_at = expected_next_at(plan, rows[-1].week, rows[-1].unlocked_at or now)
    if due_at is not None and due_at <= now:
        raise ProgramError(_("Choose a due date from today onwards."))
    hw = Homework(client_id=client.id, enrolment_id=enrolment.id if enrolment else None,
                  week=week, worksheet=worksheet, times=times, instruction=instruction[:500],
                  assigned_at=now, due_at=due_at, created_by=actor.id)
    db.session.add(hw)
    audit.record("create", actor_id=actor.id, client_id=client.id, target="homework")
    after_write(client.id)
    return hw
