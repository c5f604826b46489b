"""Enrolment and unlocking (services): enrol, open lessons as the rules say, mark done.

The therapist's controls over a running program are icbt.programs.controls.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icbt import audit, signals
from icbt.db import db
from icbt.messaging import notify
from icbt.models.care import Enrolment, Homework, LessonProgress
from icbt.models.people import User
from icbt.programs import store
from icbt.programs.pacing import Opened, Plan, due_unlocks, expected_next_at
from icbt.timeutil import local_today, utcnow

log = logging.getLogger("icbt.program")
STAFF = ("therapist", "admin")
LIVE = ("active", "paused")


class ProgramError(Exception):
    """A program action that cannot be done; the message is safe to show."""


def get_program(slug: str) -> Any:
    """Return the loaded Program with this slug, or None."""
    return store.store().get_program(slug)


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


def check_actor(actor: User, client: User) -> None:
    if actor.role not in STAFF:
        raise ProgramError(_("Only a therapist or an administrator can do that."))
    if client.role != "client":
        raise ProgramError(_("Programs are for clients."))
    if client.status == "discharged":
        raise ProgramError(_("This client was discharged; their record can be read, "
                             "not changed."))


def after_write(client_id: int, enrolment: Enrolment | None = None,
                weeks: list[int] | tuple[int, ...] = ()) -> None:
    """Commit, keep snapshots of newly opened lessons, then let the review flags catch up."""
    db.session.commit()
    if enrolment is not None:
        for week in weeks:
            snapshot(enrolment.program_slug, week)
    signals.client_data_changed(client_id)


def snapshot(program_slug: str, week: int) -> None:
    """Keep the lesson as it is now, so later content edits cannot change what was seen."""
    lesson = store.store().lesson(program_slug, week)
    if lesson is not None:
        store.snapshot_lesson(program_slug, lesson)


def open_lesson(enrolment: Enrolment, client: User, program: Any, plan: Plan, week: int,
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
        if open_lesson(enrolment, client, program, plan, week, at, now, notify_client and last):
            opened.append(week)
    if commit:
        if opened:
            after_write(client.id, enrolment, opened)
        elif db.session.new or db.session.dirty or db.session.deleted:
            db.session.commit()  # the caller's changes; an empty commit would only expire
            # every loaded row and make the page read them again
    return opened


def enrol(client: User, program_slug: str, *, actor: User, start_date: date | None = None,
          pace_days: int = 7, now: datetime | None = None,
          notify_client: bool = True) -> Enrolment:
    """Enrol a client in a program (therapist or admin); lesson 1 opens on the start date."""
    check_actor(actor, client)
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
    after_write(client.id, enrolment, opened)
    return enrolment


def mark_done(row: LessonProgress, now: datetime | None = None) -> list[int]:
    """Mark a lesson done (by the client); a completion gate may open the next lesson."""
    now = now or utcnow()
    if row.completed_at is None:
        row.completed_at = now
        if row.opened_at is None:
            row.opened_at = now
    enrolment = db.session.get(Enrolment, row.enrolment_id)
    opened = sync(enrolment, now, commit=False) if enrolment else []
    after_write(row.client_id, enrolment, opened)
    return opened
