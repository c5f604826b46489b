"""Helpers for the REVIEW tests: add history rows directly, count SQL statements."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Enrolment, MeasureResponse, MoodCheckin
from icbt.models.flags import Flag


def enrolment(client_id: int, start: date, status: str = "active", at: datetime | None = None,
              slug: str = "cbt-low-mood") -> Enrolment:
    """An enrolment row (no lessons unlocked)."""
    e = Enrolment(client_id=client_id, program_slug=slug, content_version="t", start_date=start,
                  status=status, created_at=at or datetime.combine(start, datetime.min.time()))
    db.session.add(e)
    db.session.commit()
    return e


def checkin(client_id: int, day: date, mood: int = 6, at: datetime | None = None) -> None:
    """A mood check-in for a day, created at `at` (noon of that day by default)."""
    at = at or datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
    db.session.add(MoodCheckin(client_id=client_id, day=day, mood=mood, created_at=at,
                               updated_at=at))
    db.session.commit()


def measure(client_id: int, key: str, total: int, at: datetime) -> None:
    """A completed questionnaire with this total."""
    n = 9 if key == "phq9" else 7
    db.session.add(MeasureResponse(client_id=client_id, measure=key, answers=[0] * n,
                                   total=total, created_at=at, completed_at=at))
    db.session.commit()


def flags(client_id: int, kind: str | None = None) -> list[Flag]:
    """Every flag of a client (of one kind), oldest first."""
    q = select(Flag).where(Flag.client_id == client_id)
    if kind:
        q = q.where(Flag.kind == kind)
    return list(db.session.scalars(q.order_by(Flag.id)))


def open_kinds(client_id: int) -> set[str]:
    """The kinds of a client's open flags."""
    return {f.kind for f in flags(client_id) if f.closed_at is None}
