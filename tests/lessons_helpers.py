"""Shared helpers for the LESSONS tests (enrol, step the clock, read the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Enrolment, LessonProgress
from icbt.models.people import User
from icbt.models.records import OutboxMessage


def people(make_user: Callable[..., User], *zones: str) -> tuple[User, list[User]]:
    """A therapist and one client per time zone."""
    therapist = make_user("therapist", name="Tess Therapist")
    clients = [make_user("client", therapist=therapist, name=f"Client{i} Person", timezone=tz)
               for i, tz in enumerate(zones)]
    return therapist, clients


def enrol(app: Flask, client: User, therapist: User, slug: str = "cbt-low-mood",
          start: date | None = None, **kw: Any) -> int:
    """Enrol a client through the service; return the enrolment id."""
    from icbt.programs import enrolment as program

    with app.app_context():
        c = db.session.get(User, client.id)
        t = db.session.get(User, therapist.id)
        return program.enrol(c, slug, actor=t, start_date=start, **kw).id


def opened(app: Flask, client_id: int) -> dict[int, datetime]:
    """The client's open lessons: week -> unlocked_at (all enrolments)."""
    with app.app_context():
        rows = db.session.scalars(select(LessonProgress).where(
            LessonProgress.client_id == client_id)).all()
        return {r.week: r.unlocked_at for r in rows}


def outbox(app: Flask, *, kind: str | None = None, user_id: int | None = None) -> list[OutboxMessage]:
    """The outbox messages (detached), optionally of one kind or person."""
    with app.app_context():
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            q = q.where(OutboxMessage.kind == kind)
        if user_id:
            q = q.where(OutboxMessage.user_id == user_id)
        rows = list(db.session.scalars(q))
        for r in rows:
            db.session.expunge(r)
        return rows


def run_jobs(app: Flask, now: datetime) -> dict[str, Any]:
    """One scheduler pass at `now` (what the scheduler process does)."""
    from icbt.jobs import scheduler

    with app.app_context():
        return scheduler.run_due_jobs(now)


def enrolment(app: Flask, enrolment_id: int) -> Enrolment:
    """Load an enrolment (detached)."""
    with app.app_context():
        e = db.session.get(Enrolment, enrolment_id)
        assert e is not None
        db.session.expunge(e)
        return e
