"""The same-run baseline for the flag recompute: the bare batched SQL aggregates the rules need.

Hand-written, one statement per fact, every client at once, rows fetched as plain tuples
through a Core connection: no ORM, no rule evaluation, no writes. Portable SQLAlchemy Core,
so it runs on SQLite and PostgreSQL alike. It is what "the database work alone" costs;
the app's recompute (icbt.review.recompute_all) is measured against it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select, union_all

from icbt.models.care import (
    Enrolment,
    Entry,
    Homework,
    LessonProgress,
    MeasureResponse,
    MoodCheckin,
)
from icbt.models.flags import Flag
from icbt.models.people import User


def _clients() -> Any:
    return select(User.id).where(User.role == "client").scalar_subquery()


def statements(now: datetime) -> dict[str, Any]:
    """Every aggregate the review rules read, as Core statements over all clients."""
    ids = _clients()
    today = now.date()
    u, m, e, h = User, MoodCheckin, Entry, Homework
    last_day = (select(func.max(m.day)).where(m.client_id == u.id).correlate(u)
                .scalar_subquery())
    keys = union_all(select(literal("phq9").label("k")), select(literal("gad7").label("k"))
                     ).subquery()

    def score(desc: bool) -> Any:
        mr = MeasureResponse
        order = (mr.completed_at.desc(), mr.id.desc()) if desc else (mr.completed_at, mr.id)
        return (select(mr.total).where(mr.client_id == u.id, mr.measure == keys.c.k,
                                       mr.total.is_not(None), mr.completed_at.is_not(None))
                .order_by(*order).limit(1).correlate(u, keys).scalar_subquery())

    recent = m.day >= today - timedelta(days=6)
    latest_enrolment = (select(func.max(Enrolment.id)).where(Enrolment.client_id == u.id)
                        .correlate(u).scalar_subquery())
    lp = LessonProgress
    return {
        "clients": select(u.id, u.timezone, u.status).where(u.role == "client"),
        "enrolment": select(Enrolment.id, Enrolment.client_id, Enrolment.program_slug,
                            Enrolment.start_date, Enrolment.status)
        .join(u, and_(u.id == Enrolment.client_id, Enrolment.id == latest_enrolment)),
        "lesson": select(lp.enrolment_id, func.max(lp.week), func.max(lp.unlocked_at),
                         func.max(lp.opened_at), func.max(lp.completed_at))
        .where(lp.client_id.in_(ids)).group_by(lp.enrolment_id),
        "measures": select(u.id, keys.c.k, score(False), score(True))
        .select_from(u).join(keys, literal(True)).where(u.role == "client"),
        "last_entry": select(e.client_id, func.max(e.created_at), func.max(e.updated_at))
        .where(e.client_id.in_(ids), e.deleted_at.is_(None)).group_by(e.client_id),
        "last_checkin": select(u.id, m.day, m.created_at)
        .join(m, and_(m.client_id == u.id, m.day == last_day)).where(u.role == "client"),
        "mood_windows": select(
            m.client_id, func.avg(case((recent, m.mood))), func.count(case((recent, 1))),
            func.avg(case((~recent, m.mood))), func.count(case((~recent, 1))))
        .where(m.client_id.in_(ids), m.day >= today - timedelta(days=13))
        .group_by(m.client_id),
        "homework": select(h.id, h.client_id, h.week, h.worksheet, h.times, h.due_at)
        .where(h.client_id.in_(ids), h.due_at >= now - timedelta(days=29)),
        "homework_done": select(e.homework_id, func.count())
        .where(e.homework_id.in_(select(h.id).where(h.due_at >= now - timedelta(days=29))),
               e.deleted_at.is_(None)).group_by(e.homework_id),
        "flags": select(Flag.id, Flag.client_id, Flag.kind, Flag.closed_at)
        .where(Flag.client_id.in_(ids), Flag.closed_at.is_(None)),
    }


def run(conn: Any, now: datetime) -> dict[str, int]:
    """Run every aggregate and fetch all rows; return the row count of each."""
    return {name: len(conn.execute(stmt).all()) for name, stmt in statements(now).items()}
