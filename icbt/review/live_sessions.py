"""Live sessions: date, time and the therapist's notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import LiveSession
from icbt.models.people import User
from icbt.timeutil import utcnow, zone

NOTES_MAX = 10000


class SessionError(ValueError):
    """A session change that is refused, with a reason for the person."""


def local_to_utc(day: date, at: time, tz: str | None) -> datetime:
    """A local date and time in tz as naive UTC."""
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def upcoming(client_id: int, now: datetime | None = None) -> LiveSession | None:
    """The next live session that has not started yet."""
    return db.session.scalar(select(LiveSession).where(
        LiveSession.client_id == client_id, LiveSession.starts_at >= (now or utcnow()))
        .order_by(LiveSession.starts_at, LiveSession.id).limit(1))


def previous(client_id: int, now: datetime | None = None) -> LiveSession | None:
    """The latest live session that has already started."""
    return db.session.scalar(select(LiveSession).where(
        LiveSession.client_id == client_id, LiveSession.starts_at < (now or utcnow()))
        .order_by(LiveSession.starts_at.desc(), LiveSession.id.desc()).limit(1))


def for_client(client_id: int, limit: int = 20) -> list[LiveSession]:
    """A client's live sessions, latest first."""
    return list(db.session.scalars(select(LiveSession).where(LiveSession.client_id == client_id)
                                   .order_by(LiveSession.starts_at.desc()).limit(limit)))


def save(client: User, therapist: User, starts_at: datetime, notes: str,
         session: LiveSession | None = None) -> LiveSession:
    """Schedule a live session, or change one (time and notes); commit."""
    if client.status == "discharged":
        raise SessionError(_("This record is read-only: the client was discharged."))
    if session is None:
        session = LiveSession(client_id=client.id, therapist_id=therapist.id,
                              created_at=utcnow())
        db.session.add(session)
    session.starts_at = starts_at
    session.notes = (notes or "").strip()[:NOTES_MAX]
    db.session.commit()
    return session
