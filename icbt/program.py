"""Enrolment, unlocking and homework (services): views, jobs and the CLI share these."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import audit, content, notify, review
from .db import db, utcnow
from .models import Enrolment, Homework, LessonProgress, User
from .pacing import Opened, Plan, due_unlocks, expected_next_at
from .timeutil import local_midnight_utc, local_today, to_local

log = logging.getLogger("icbt.program")
STAFF = ("therapist", "admin")
LIVE = ("active", "paused")


class ProgramError(Exception):
    """A program action that cannot be done; the message is safe to show."""


def get_program(slug: str) -> Any:
    """Return the loaded Program with this slug, or None."""
    return content.store().get_program(slug)


def current_enrolment(client_id: int) -> Enrolment | None:
    """Return the client's active or paused enrolment, if any."""
    return db.session.scalar(
        select(Enrolment).where(Enrolment.client_id == client_id, Enrolment.status.in_(LIVE))
        .order_by(Enrolment.id.desc()).limit(1))


def enrolments(client_id: int) -> list[Enrolment]:
    """Return every enrolment of a client, newest first (ended ones are history)."""
    return list(db.session.scalars(select(Enrolment).where(Enrolment.client_id == client_id)
                                   .order_by(Enrolment.id.desc())))


def progress_rows(enrolment_id: int) -> list[LessonProgress]:
    """Return the open lessons of an enrolment in week order."""
    return list(db.session.scalars(select(LessonProgress).where(
        LessonProgress.enrolment_id == enrolment_id).order_by(LessonProgress.week)))


def plan_for(enrolment: Enrolment, program: Any, tz: str,
             rows: list[LessonProgress] | None = None) -> Plan:
    """Build the pure unlock plan of an enrolment."""
    rows = progress_rows(enrolment.id) if rows is None else rows
    weeks = max((lesson.week for lesson in program.lessons), default=0) if program else 0
    return Plan(
        unlock=program.unlock if program else "schedule", weeks=weeks,
        start_date=enrolment.start_date, tz=tz, pace_days=enrolment.pace_days,
        min_gap_days=program.min_gap_days if program else 0,
        paused_days=enrolment.paused_days, paused=enrolment.status != "active",
        opened=tuple(Opened(r.week, r.unlocked_at or utcnow(), r.completed_at,
                            r.feedback_at) for r in rows))


def _check_actor(actor: User, client: User) -> None:
    if actor.role not in STAFF:
        raise ProgramError(_("Only a therapist or an administrator can do that."))
    if client.role != "client":
        raise ProgramError(_("Programs are for clients."))
    if client.status == "discharged":
        raise ProgramError(_("This client was discharged; their record can be read, "
                             "not changed."))


def _after_write(client_id: int, enrolment: Enrolment | None = None,
                 weeks: list[int] | tuple[int, ...] = ()) -> None:
    """Commit, keep snapshots of newly opened lessons, then let the review flags catch up."""
    db.session.commit()
    if enrolment is not None:
        for week in weeks:
            snapshot(enrolment.program_slug, week)
    review.recompute_client(client_id)


def snapshot(program_slug: str, week: int) -> None:
    """Keep the lesson as it is now, so later content edits cannot change what was seen."""
    lesson = content.store().lesson(program_slug, week)
    if lesson is not None:
        content.snapshot_lesson(program_slug, lesson)


def _unlock(enrolment: Enrolment, client: User, program: Any, plan: Plan, week: int,
            at: datetime, now: datetime, notify_client: bool) -> bool:
    """Open one lesson: its progress row, its homework and (maybe) the email. Idempotent."""
    lesson = program.lesson(week)
    if lesson is None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(LessonProgress(
                enrolment_id=enrolment.id, client_id=client.id, week=week,
                lesson_slug=lesson.slug, lesson_title=lesson.title,
                content_version=program.content_hash, unlocked_at=at))
            due = expected_next_at(plan, week, at)
            for spec in lesson.homework:
                db.session.add(Homework(
                    client_id=client.id, enrolment_id=enrolment.id, week=week,
                    worksheet=spec.worksheet, times=spec.times,
                    instruction=spec.instruction[:500], assigned_at=at, due_at=due))
            db.session.flush()
    except IntegrityError:
        return False  # another scheduler opened it first
    if notify_client:
        notify.lesson_ready(client, enrolment.id, week, now)
    return True


def sync(enrolment: Enrolment, now: datetime | None = None, *, commit: bool = True,
         notify_client: bool = True, rows: list[LessonProgress] | None = None) -> list[int]:
    """Open every lesson that is due by `now`; return the weeks opened.

    `rows`: the enrolment's progress rows if the caller has just read them.
    """
    now = now or utcnow()
    if enrolment.status != "active":
        return []
    program = get_program(enrolment.program_slug)
    client = db.session.get(User, enrolment.client_id)
    if program is None or client is None or client.status == "discharged":
        return []
    plan = plan_for(enrolment, program, client.timezone, rows)
    steps = due_unlocks(plan, now)
    opened: list[int] = []
    for i, (week, at) in enumerate(steps):
        # After downtime several lessons may open at once: one email, for the newest.
        last = i == len(steps) - 1
        if _unlock(enrolment, client, program, plan, week, at, now, notify_client and last):
            opened.append(week)
    if commit:
        if opened:
            _after_write(client.id, enrolment, opened)
        elif db.session.new or db.session.dirty or db.session.deleted:
            db.session.commit()  # the caller's changes; an empty commit would only expire
            # every loaded row and make the page read them again
    return opened


def enrol(client: User, program_slug: str, *, actor: User, start_date: date | None = None,
          pace_days: int = 7, now: datetime | None = None,
          notify_client: bool = True) -> Enrolment:
    """Enrol a client in a program (therapist or admin); lesson 1 opens on the start date."""
    _check_actor(actor, client)
    program = get_program(program_slug)
    if program is None:
        raise ProgramError(_("There is no program with that name."))
    if current_enrolment(client.id) is not None:
        raise ProgramError(_("This client is already in a program. Move them instead."))
    if not 1 <= pace_days <= 60:
        raise ProgramError(_("Choose a pace between 1 and 60 days."))
    enrolment = Enrolment(
        client_id=client.id, program_slug=program.slug, content_version=program.content_hash,
        start_date=start_date or local_today(client.timezone, now), pace_days=pace_days,
        status="active", created_at=now or utcnow())
    db.session.add(enrolment)
    db.session.flush()
    audit.record("create", actor_id=actor.id, client_id=client.id, target="enrolment",
                 detail=program.slug)
    opened = sync(enrolment, now, commit=False, notify_client=notify_client)
    _after_write(client.id, enrolment, opened)
    return enrolment


def unlock_next(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> int | None:
    """Open the next lesson now, ahead of its rule; return its week (None at the end)."""
    now = now or utcnow()
    client = db.session.get(User, enrolment.client_id)
    program = get_program(enrolment.program_slug)
    assert client is not None
    _check_actor(actor, client)
    if enrolment.status == "ended" or program is None:
        raise ProgramError(_("This program has ended."))
    sync(enrolment, now, commit=False)
    plan = plan_for(enrolment, program, client.timezone)
    week = (plan.opened[-1].week if plan.opened else 0) + 1
    if program.lesson(week) is None:
        raise ProgramError(_("Every lesson is already open."))
    if not _unlock(enrolment, client, program, plan, week, now, now, True):
        return None
    enrolment.extra_unlocked += 1
    audit.record("change", actor_id=actor.id, client_id=client.id, target="unlock",
                 detail=f"week {week}")
    _after_write(client.id, enrolment, [week])
    return week


def pause(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> None:
    """Pause a program: nothing opens and no reminders go out until it resumes."""
    client = db.session.get(User, enrolment.client_id)
    assert client is not None
    _check_actor(actor, client)
    if enrolment.status != "active":
        raise ProgramError(_("Only an active program can be paused."))
    opened = sync(enrolment, now, commit=False)  # what was due before the pause still opens
    enrolment.status = "paused"
    enrolment.paused_at = now or utcnow()
    audit.record("change", actor_id=actor.id, client_id=client.id, target="pause")
    _after_write(client.id, enrolment, opened)


def resume(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> int:
    """Resume a paused program; the rest of the schedule moves by the paused days."""
    now = now or utcnow()
    client = db.session.get(User, enrolment.client_id)
    assert client is not None
    _check_actor(actor, client)
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
    _after_write(client.id, enrolment, opened)
    return days


def move(enrolment: Enrolment, program_slug: str, *, actor: User, start_date: date | None = None,
         pace_days: int = 7, now: datetime | None = None) -> Enrolment:
    """End this enrolment (its history stays) and enrol the client in another program."""
    client = db.session.get(User, enrolment.client_id)
    assert client is not None
    _check_actor(actor, client)
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


def mark_done(row: LessonProgress, now: datetime | None = None) -> list[int]:
    """Mark a lesson done (by the client); a completion gate may open the next lesson."""
    now = now or utcnow()
    if row.completed_at is None:
        row.completed_at = now
        if row.opened_at is None:
            row.opened_at = now
    enrolment = db.session.get(Enrolment, row.enrolment_id)
    opened = sync(enrolment, now, commit=False) if enrolment else []
    _after_write(row.client_id, enrolment, opened)
    return opened


def give_feedback(row: LessonProgress, *, actor: User, note: str = "",
                  now: datetime | None = None) -> list[int]:
    """Record the therapist's feedback on a week's homework (the feedback gate); a note is sent
    to the client as a message."""
    now = now or utcnow()
    client = db.session.get(User, row.client_id)
    assert client is not None
    _check_actor(actor, client)
    if row.feedback_at is None:
        row.feedback_at = now
    audit.record("change", actor_id=actor.id, client_id=client.id, target="feedback",
                 detail=f"week {row.week}")
    if note.strip():
        from . import messaging  # REVIEW's thread: the client reads it, and is told by email

        try:
            messaging.send(client, actor, note, now=now)
        except messaging.MessageError as exc:
            raise ProgramError(str(exc)) from None
    enrolment = db.session.get(Enrolment, row.enrolment_id)
    opened = sync(enrolment, now, commit=False) if enrolment else []
    _after_write(client.id, enrolment, opened)
    return opened


def add_homework(client: User, *, actor: User, worksheet: str, times: int = 1,
                 instruction: str = "", due: date | None = None,
                 now: datetime | None = None) -> Homework:
    """Give one client extra homework; due by the end of `due` or before the next lesson."""
    now = now or utcnow()
    _check_actor(actor, client)
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
    _after_write(client.id)
    return hw
